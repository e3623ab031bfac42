"""The words of the exposure graph: relationships, what one person can know, kinds of exposure.

Codes are stored (sealed, or as small integers inside sealed link payloads); labels are translated.
Pure: no database, no keys.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# --- a connection between two people -------------------------------------------------------------
RELATIONSHIPS = [
    ("partner", _("Partner")),
    ("family", _("Family")),
    ("friend", _("Friend")),
    ("contact", _("Contact")),
    ("escort", _("Escort")),
    ("staff", _("Staff member or volunteer")),
]

# What one side knows about the other person. Bits, so a link payload holds them in two bytes.
KNOWS_NAME = 1
KNOWS_PHONE = 2
KNOWS_ADDRESS = 4
PERSON_KNOWLEDGE = [
    (KNOWS_NAME, "name", _("real name")),
    (KNOWS_PHONE, "phone", _("phone number")),
    (KNOWS_ADDRESS, "address", _("address")),
]
PERSON_KNOWLEDGE_CHOICES = [(code, label) for _bit, code, label in PERSON_KNOWLEDGE]


def knows_bits(codes) -> int:
    """["name", "phone"] -> 3. Unknown codes are ignored."""
    by_code = {code: bit for bit, code, _label in PERSON_KNOWLEDGE}
    bits = 0
    for code in codes or ():
        bits |= by_code.get(code, 0)
    return bits


def knows_codes(bits: int) -> list[str]:
    return [code for bit, code, _label in PERSON_KNOWLEDGE if bits & bit]


def knows_labels(bits: int) -> list[str]:
    return [str(label) for bit, _code, label in PERSON_KNOWLEDGE if bits & bit]


# --- links: what a link from a person points at ----------------------------------------------------
LINK_PERSON = 1
LINK_HOUSE = 2
LINK_PLAN = 3
LINK_LEG = 4
LINK_STAFF = 5
LINK_KINDS = {
    LINK_PERSON: _("person"),
    LINK_HOUSE: _("safe house"),
    LINK_PLAN: _("travel plan"),
    LINK_LEG: _("leg of a route"),
    LINK_STAFF: _("staff member"),
}

# How a person came to know a house, a route or a staff member (kept in the link's sealed payload).
BASIS_CONNECTED = 0  # person links: the connection itself
BASIS_STAYED = 1
BASIS_TOLD_ADDRESS = 2
BASIS_VISITED = 3
BASIS_TRAVELLED = 4
BASIS_TOLD_ROUTE = 5
BASIS_ESCORTED = 6
BASIS_KNOWS_IDENTITY = 7
BASIS_KNOWS_CONTACT = 8
BASES = {
    BASIS_CONNECTED: _("connected"),
    BASIS_STAYED: _("stayed there"),
    BASIS_TOLD_ADDRESS: _("was told the address"),
    BASIS_VISITED: _("visited"),
    BASIS_TRAVELLED: _("travels or travelled this route"),
    BASIS_TOLD_ROUTE: _("was told the route"),
    BASIS_ESCORTED: _("escorts or escorted on it"),
    BASIS_KNOWS_IDENTITY: _("knows their real identity"),
    BASIS_KNOWS_CONTACT: _("knows how to reach them"),
}
BASES_FOR = {
    LINK_HOUSE: [BASIS_STAYED, BASIS_TOLD_ADDRESS, BASIS_VISITED],
    LINK_PLAN: [BASIS_TRAVELLED, BASIS_TOLD_ROUTE, BASIS_ESCORTED],
    LINK_LEG: [BASIS_TRAVELLED, BASIS_TOLD_ROUTE, BASIS_ESCORTED],
    LINK_STAFF: [BASIS_KNOWS_IDENTITY, BASIS_KNOWS_CONTACT],
}

# --- exposure events -------------------------------------------------------------------------------
EVENT_DETAINED = "detained"
EVENT_MISSING = "missing"
EVENT_PHONE_SEIZED = "phone_seized"
EVENT_OUTED = "outed"
EVENTS = [
    (EVENT_DETAINED, _("Detained")),
    (EVENT_MISSING, _("Missing")),
    (EVENT_PHONE_SEIZED, _("Phone seized")),
    (EVENT_OUTED, _("Outed to family")),
]
# "a named contact of a detained person": the words used in a case's risk reasons
EVENT_PHRASES = {
    EVENT_DETAINED: _("a detained person"),
    EVENT_MISSING: _("a missing person"),
    EVENT_PHONE_SEIZED: _("a person whose phone was seized"),
    EVENT_OUTED: _("a person outed to their family"),
}
