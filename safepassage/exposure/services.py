"""Writing the exposure graph, and recording an exposure. One transaction each, audited.

Threat: a person detained is made to name everyone they know. ``exposure_record`` computes at once
what they could name — people to the organisation's depth, the safe houses, routes and staff they
know — and in the same transaction raises every affected case's risk with the reason, marks the
houses compromised (their occupants get relocation tasks), and opens the incident that lists it all.
There is never a moment when the exposure is recorded but the people it endangers are not alerted.

Graph writes are audited without pairing two people or naming a graph row: a connection by its own
id (its sealed record says whom it joins), a house, route or staff member known by the person and the
kind of link. The audit log must not become the social graph in the clear, nor a key to the rows.
"""
from __future__ import annotations

import time

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case
from safepassage.policy.rules import membership, require
from safepassage.vault import services as vault

from . import graph, propagation
from . import vocabulary as V
from .alerts import Response
from .models import Connection, ExposureSettings, Incident, IncidentItem

RISKS = dict(Case.RISK_CHOICES)


# --- settings ------------------------------------------------------------------------------------

def exposure_settings(organisation_id) -> ExposureSettings:
    """The organisation's settings (defaults when none were saved)."""
    found = ExposureSettings.objects.filter(organisation_id=organisation_id).first()
    return found or ExposureSettings(organisation_id=organisation_id, depth=ExposureSettings.DEFAULT_DEPTH,
                                     hop_risks=list(ExposureSettings.DEFAULT_HOP_RISKS))


@transaction.atomic
def exposure_settings_update(*, actor, depth: int, hop_risks: list[str]) -> ExposureSettings:
    require(actor, "exposure.settings")
    try:
        depth = int(depth)
    except (TypeError, ValueError):
        depth = 0
    if not 1 <= depth <= ExposureSettings.MAX_DEPTH:
        raise ValidationError({"depth": _("Between 1 and %(n)d hops.") % {"n": ExposureSettings.MAX_DEPTH}})
    hop_risks = list(hop_risks)
    if len(hop_risks) != ExposureSettings.MAX_DEPTH or any(r not in RISKS for r in hop_risks):
        raise ValidationError({"hop_risks": _("Choose a risk level for each hop.")})
    if any(Case.RISK_ORDER[a] > Case.RISK_ORDER[b] for a, b in zip(hop_risks, hop_risks[1:])):
        raise ValidationError({"hop_risks": _("The risk cannot grow with the distance.")})
    organisation_id = membership(actor).organisation_id
    row, _created = ExposureSettings.objects.update_or_create(
        organisation_id=organisation_id, defaults={"depth": depth, "hop_risks": hop_risks})
    audit_record(actor=actor, action="exposure.settings", organisation=organisation_id, depth=depth,
                 hop_risks=hop_risks)
    return row


# --- the graph -----------------------------------------------------------------------------------

def _person_links(person, kind: int | None = None) -> list:
    links = graph.links_of(person.organisation_id, [person.pk]).get(person.pk, [])
    return [link for link in links if kind is None or link.kind == kind]


@transaction.atomic
def connection_create(*, actor, person, other, relationship: str, person_knows=(), other_knows=(),
                      details: str = "") -> Connection:
    """`person` and `other` know each other; `person_knows` is what `person` knows about `other`
    (codes of ``vocabulary.PERSON_KNOWLEDGE``), `other_knows` the reverse."""
    require(actor, "person.connect", person)
    require(actor, "person.view", other)
    if other.organisation_id != person.organisation_id or other.pk == person.pk:
        raise ValidationError({"other": _("Choose another person of your organisation.")})
    if relationship not in dict(V.RELATIONSHIPS):
        raise ValidationError({"relationship": _("Choose how they know each other.")})
    if any(link.target == other.pk for link in _person_links(person, V.LINK_PERSON)):
        raise ValidationError({"other": _("These two people are already connected.")})
    person_knows, other_knows = V.knows_bits(person_knows), V.knows_bits(other_knows)
    connection = Connection(organisation_id=person.organisation_id, created_by=actor)
    connection.people = [str(person.pk), str(other.pk)]
    connection.relationship = relationship
    connection.a_knows, connection.b_knows = V.knows_codes(person_knows), V.knows_codes(other_knows)
    connection.details = (details or "").strip()
    connection.save()
    graph.links_add(person.organisation_id, [
        (person.pk, graph.pack(V.LINK_PERSON, other.pk, connection=connection.pk, knows=person_knows)),
        (other.pk, graph.pack(V.LINK_PERSON, person.pk, connection=connection.pk, knows=other_knows)),
    ])
    audit_record(actor=actor, action="exposure.connect", target=connection)
    return connection


def _connection_ends(person, connection_id) -> list:
    """Both GraphLink ends of a connection held by `person` (found through the sealed payloads)."""
    mine = [link for link in _person_links(person, V.LINK_PERSON) if link.connection == connection_id]
    ends = list(mine)
    for link in mine:
        theirs = graph.links_of(person.organisation_id, [link.target]).get(link.target, [])
        ends += [end for end in theirs if end.connection == connection_id]
    return ends


def _forget_connections(connection_ids) -> None:
    rows = list(Connection.objects.filter(pk__in=list(connection_ids)))
    vault.shred([c.data_key_id for c in rows])  # the words about the connection go, backups included
    Connection.objects.filter(pk__in=[c.pk for c in rows]).delete()


@transaction.atomic
def connection_delete(*, actor, person, connection_id) -> None:
    """Remove a connection of `person`: both ends, and its sealed words (shredded)."""
    require(actor, "person.connect", person)
    ends = _connection_ends(person, connection_id)
    if not ends:
        raise ValidationError(_("This connection does not exist any more."))
    graph.links_remove([end.id for end in ends])
    _forget_connections([connection_id])
    audit_record(actor=actor, action="exposure.disconnect", organisation=person.organisation_id,
                 connection=str(connection_id))


def _check_target(person, kind: int, target):
    """The house, plan, leg or staff member `target` (an id or an object) of `person`'s organisation."""
    org = person.organisation_id
    target_id = getattr(target, "pk", target)
    found = None
    if kind == V.LINK_HOUSE and apps.is_installed("safepassage.safehouses"):
        from safepassage.safehouses.models import SafeHouse

        found = SafeHouse.objects.filter(pk=target_id, organisation_id=org).first()
    elif kind == V.LINK_PLAN and apps.is_installed("safepassage.travel"):
        from safepassage.travel.models import TravelPlan

        found = TravelPlan.objects.filter(pk=target_id, organisation_id=org).first()
    elif kind == V.LINK_LEG and apps.is_installed("safepassage.travel"):
        from safepassage.travel.models import TravelLeg

        found = TravelLeg.objects.filter(pk=target_id, plan__organisation_id=org).first()
    elif kind == V.LINK_STAFF:
        from safepassage.accounts.models import Membership

        found = Membership.objects.filter(user_id=target_id, organisation_id=org).first()
    if found is None:
        raise ValidationError({"target": _("Choose one of your organisation's.")})
    return getattr(found, "user_id", None) or found.pk


@transaction.atomic
def knowledge_add(*, actor, person, kind: int, target, basis: int) -> graph.Link:
    """`person` knows a safe house, a travel plan or leg, or a staff member (`basis`: how)."""
    require(actor, "person.connect", person)
    if basis not in V.BASES_FOR.get(kind, ()):
        raise ValidationError({"basis": _("Choose how the person knows it.")})
    target_id = _check_target(person, kind, target)
    known = [link for link in _person_links(person, kind) if link.target == target_id]
    if known:
        raise ValidationError({"target": _("This is already recorded.")})
    [row] = graph.links_add(person.organisation_id, [(person.pk, graph.pack(kind, target_id, basis=basis))])
    audit_record(actor=actor, action="exposure.knowledge.add", target=person, kind=kind)
    return graph.unpack(row.pk, person.pk, graph.pack(kind, target_id, basis=basis))


@transaction.atomic
def knowledge_remove(*, actor, person, link_id) -> None:
    require(actor, "person.connect", person)
    link = next((link for link in _person_links(person) if str(link.id) == str(link_id)
                 and link.kind != V.LINK_PERSON), None)
    if link is None:
        raise ValidationError(_("This does not exist any more."))
    graph.links_remove([link.id])
    audit_record(actor=actor, action="exposure.knowledge.remove", target=person, kind=link.kind)


def graph_forget_person(*, person) -> None:
    """Before a person row goes (any app deleting it): their links, the far ends of their
    connections, and the connections' sealed words (shredded). Connected in ``apps``."""
    if graph.graph_key(person.organisation_id, create=False) is None:
        return
    mine = _person_links(person)
    ends = [link.id for link in mine]
    connections = {link.connection for link in mine if link.kind == V.LINK_PERSON and link.connection}
    targets = {link.target for link in mine if link.kind == V.LINK_PERSON}
    for target, links in graph.links_of(person.organisation_id, targets).items():
        ends += [link.id for link in links if link.connection in connections]
    graph.links_remove(ends)
    _forget_connections(connections)


# --- exposure ------------------------------------------------------------------------------------

@transaction.atomic
def exposure_record(*, actor, person, kind: str, notes: str = "", occurred_at=None) -> Incident:
    """`person` was detained, went missing, had their phone seized or was outed. Alert at once
    everything they could name; returns the incident listing it.

    Everything below is written in bulk — one risk update for all cases, one insert per kind of row,
    one audit row for the incident and one per case alerted — so a detention in a network of a
    million people is handled in well under a second (see docs/performance.md).
    """
    started = time.perf_counter()
    require(actor, "person.expose", person)
    if kind not in dict(V.EVENTS):
        raise ValidationError({"kind": _("Choose what happened.")})
    org = person.organisation_id
    conf = exposure_settings(org)
    key_id = graph.graph_key(org, create=False)  # None: nobody in the organisation is linked yet
    reach = propagation.reach(person.pk, conf.depth,
                              lambda ids: graph.links_of(org, ids, key_id=key_id) if key_id else {})
    incident = Incident(organisation_id=org, person=person, kind=kind, occurred_at=occurred_at or timezone.now(),
                        recorded_by=actor, depth=conf.depth)
    incident.notes = (notes or "").strip()
    incident.save()
    response = Response(actor=actor, incident=incident, settings=conf, reach=reach)
    response.run()
    incident.propagation_ms = (time.perf_counter() - started) * 1000
    Incident.objects.filter(pk=incident.pk).update(**response.counts, propagation_ms=incident.propagation_ms)
    for name, value in response.counts.items():
        setattr(incident, name, value)
    audit_record(actor=actor, action="exposure.record", target=incident, person=str(person.pk), kind=kind,
                 depth=conf.depth, **response.counts)
    return incident


# --- the incident's items ------------------------------------------------------------------------

def _item_allowed(actor, item: IncidentItem) -> None:
    from .selectors import item_visible

    if not item_visible(actor, item):
        from safepassage.policy.rules import NotAllowed

        raise NotAllowed("exposure.item")


@transaction.atomic
def incident_item_acknowledge(*, actor, item: IncidentItem) -> IncidentItem:
    """Someone has seen this and is on it. Anyone who may see the item may acknowledge it."""
    _item_allowed(actor, item)
    item = IncidentItem.objects.select_for_update().get(pk=item.pk)
    if item.state != IncidentItem.STATE_OPEN:
        return item
    item.state, item.acknowledged_by, item.acknowledged_at = IncidentItem.STATE_ACKNOWLEDGED, actor, timezone.now()
    item.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, action="exposure.item.acknowledge", target=item.incident, item=str(item.pk),
                 organisation=item.incident.organisation_id)
    return item


@transaction.atomic
def incident_item_resolve(*, actor, item: IncidentItem, resolution: str = "") -> IncidentItem:
    """Handled (the person warned, the house emptied, the route changed). Closes the incident when
    nothing in it is left unresolved."""
    _item_allowed(actor, item)
    item = IncidentItem.objects.select_for_update().select_related("incident").get(pk=item.pk)
    if item.state == IncidentItem.STATE_RESOLVED:
        return item
    now = timezone.now()
    if item.acknowledged_at is None:
        item.acknowledged_by, item.acknowledged_at = actor, now
    item.state, item.resolved_by, item.resolved_at = IncidentItem.STATE_RESOLVED, actor, now
    item.resolution = (resolution or "").strip()
    item.save()
    incident = item.incident
    closed = False
    if not incident.items.exclude(state=IncidentItem.STATE_RESOLVED).exists():
        Incident.objects.filter(pk=incident.pk).update(status=Incident.STATUS_CLOSED, closed_at=now)
        incident.status, incident.closed_at, closed = Incident.STATUS_CLOSED, now, True
    audit_record(actor=actor, action="exposure.item.resolve", target=incident, item=str(item.pk),
                 organisation=incident.organisation_id, closed=closed)
    return item

