"""What may be shared, and for what: the field catalogue and the purposes with their minimal sets.

Who in the receiving organisation opens a share of each purpose is a rule, so it lives in
``policy.rules.SHARE_PURPOSE_ROLES``; a test keeps the two lists of purposes equal.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> label. Person fields, case fields, and two values made for the share itself.
FIELDS: dict[str, object] = {
    "pseudonym": _("Pseudonym (made for this share)"),
    "gender": _("Gender"),
    "urgency": _("Urgency"),
    "stage": _("Stage of the journey"),
    "travel_documents": _("Travel document status"),
    "birth_year": _("Year of birth"),
    "full_name": _("Full name"),
    "other_names": _("Other names"),
    "date_of_birth": _("Date of birth"),
    "phones": _("Phones"),
    "messengers": _("Messengers"),
    "current_location": _("Current location (address)"),
    "summary": _("The story (case summary)"),
    "risk_reasons": _("Why the risk is what it is"),
}
# Fields that point at where the person is or what happened to them: never part of a default set
# except a transfer, and shown with a warning on the form.
SENSITIVE = {"full_name", "phones", "messengers", "current_location", "summary", "risk_reasons"}

TRAVEL_DOCUMENTS = [
    ("unknown", _("Unknown")),
    ("none", _("No documents")),
    ("internal", _("Internal passport only")),
    ("international", _("Valid international passport")),
    ("expired", _("Passport expired or confiscated")),
]

TRANSFER = "transfer"

# code -> (label, the minimal field set shared when the sender ticks none)
PURPOSES: dict[str, tuple[object, list[str]]] = {
    "relocation_planning": (_("Relocation planning"), ["pseudonym", "gender", "urgency", "travel_documents"]),
    "travel": (_("Travel arrangements"),
               ["pseudonym", "full_name", "date_of_birth", "gender", "travel_documents", "phones", "messengers"]),
    "settlement": (_("Settlement on arrival"),
                   ["pseudonym", "full_name", "other_names", "date_of_birth", "gender", "phones", "messengers",
                    "urgency"]),
    TRANSFER: (_("Transfer of the case (the receiving organisation takes it over)"),
               ["pseudonym", "full_name", "other_names", "date_of_birth", "gender", "phones", "messengers",
                "current_location", "urgency", "stage", "summary", "risk_reasons", "travel_documents"]),
}

DAYS_CHOICES = [(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (180, _("180 days"))]
MAX_DAYS = 180


def purpose_label(code: str) -> str:
    return str(PURPOSES[code][0]) if code in PURPOSES else code


def field_label(code: str) -> str:
    return str(FIELDS.get(code, code))


def default_fields(purpose: str) -> list[str]:
    return list(PURPOSES[purpose][1])


def choice_label(choices, value) -> str:
    return str(dict(choices).get(value, value))
