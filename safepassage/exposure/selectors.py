"""Reading the graph and the incidents: what one actor may see, and counts of the rest.

Threat: an incident touches many teams' cases; a worker must see the ones they work on and nothing
of the others but how many there are ("3 cases in other teams were alerted"). Every visibility
question is answered by the policy's scopes (``case_scope``, ``person_scope``, ``journey_scope``)
with one query per kind of record, so a list and a single item can never disagree.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Case as DbCase
from django.db.models import Q, Value, When
from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case
from safepassage.people.models import Person
from safepassage.policy.rules import can, case_scope, journey_scope, membership, person_scope
from safepassage.vault import services as vault

from . import graph
from . import vocabulary as V
from .models import Connection, Incident, IncidentItem


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


# --- what the actor may see ------------------------------------------------------------------------

class Sight:
    """The actor's view of the records incidents point at, answered with one query per kind."""

    def __init__(self, actor):
        self.actor = actor
        self.member = membership(actor)
        self.staff = can(actor, "exposure.staff")

    def cases(self, ids) -> set:
        ids = {i for i in ids if i}
        return set(Case.objects.filter(case_scope(self.actor), pk__in=ids).values_list("pk", flat=True)) if ids else set()

    def people(self, ids) -> set:
        ids = {i for i in ids if i}
        if not ids:
            return set()
        return set(Person.objects.filter(person_scope(self.actor), pk__in=ids).values_list("pk", flat=True))

    def routes(self, case_ids) -> set:
        case_ids = {i for i in case_ids if i}
        if not case_ids:
            return set()
        return set(Case.objects.filter(journey_scope(self.actor, "travel.view"), pk__in=case_ids)
                   .values_list("pk", flat=True))

    def houses(self, ids) -> set:
        ids = {i for i in ids if i}
        if not ids or not apps.is_installed("safepassage.safehouses"):
            return set()
        from safepassage.safehouses.models import SafeHouse

        return set(SafeHouse.objects.filter(journey_scope(self.actor, "safehouse.view"), pk__in=ids)
                   .values_list("pk", flat=True))

    def visible_items(self, items) -> tuple[list, list]:
        """(items the actor may see, items they may not)."""
        kinds = IncidentItem
        cases = self.cases(i.case_id for i in items if i.kind == kinds.KIND_CASE)
        people = self.people(i.person_id for i in items if i.kind == kinds.KIND_PERSON)
        routes = self.routes(i.case_id for i in items if i.kind == kinds.KIND_ROUTE)
        houses = self.houses(i.house_id for i in items if i.kind == kinds.KIND_HOUSE)
        seen, hidden = [], []
        for item in items:
            ok = {kinds.KIND_CASE: item.case_id in cases, kinds.KIND_PERSON: item.person_id in people,
                  kinds.KIND_ROUTE: item.case_id in routes, kinds.KIND_HOUSE: item.house_id in houses,
                  kinds.KIND_STAFF: self.staff}.get(item.kind, False)
            (seen if ok else hidden).append(item)
        return seen, hidden


def item_visible(actor, item: IncidentItem) -> bool:
    if item.incident.organisation_id != getattr(membership(actor), "organisation_id", None):
        return False
    seen, _hidden = Sight(actor).visible_items([item])
    return bool(seen)


def incidents_visible(actor):
    """Incidents the actor may open: they may see the exposed person, or at least one item."""
    member = membership(actor)
    if member is None or not can(actor, "exposure.list"):
        return Incident.objects.none()
    people = Person.objects.filter(person_scope(actor)).values("pk")
    cases = Case.objects.filter(case_scope(actor)).values("pk")
    reach = (Q(person__in=people) | Q(items__kind=IncidentItem.KIND_CASE, items__case__in=cases)
             | Q(items__kind=IncidentItem.KIND_PERSON, items__person__in=people))
    routes = Case.objects.filter(journey_scope(actor, "travel.view")).values("pk")
    reach |= Q(items__kind=IncidentItem.KIND_ROUTE, items__case__in=routes)
    if apps.is_installed("safepassage.safehouses"):
        from safepassage.safehouses.models import SafeHouse

        houses = SafeHouse.objects.filter(journey_scope(actor, "safehouse.view")).values("pk")
        reach |= Q(items__kind=IncidentItem.KIND_HOUSE, items__house_id__in=houses)
    if can(actor, "exposure.staff"):
        reach |= Q(items__kind=IncidentItem.KIND_STAFF)
    ids = Incident.objects.filter(reach, organisation_id=member.organisation_id).values("pk")
    return Incident.objects.filter(pk__in=ids)


def incident_list(actor, *, limit: int = 200) -> list[Incident]:
    """Open incidents first, newest first. Holds no person data (kinds, times, counts)."""
    still_open = DbCase(When(status=Incident.STATUS_OPEN, then=Value(0)), default=Value(1))
    return list(incidents_visible(actor).select_related("recorded_by").annotate(closed=still_open)
                .order_by("closed", "-recorded_at")[:limit])


def incident_for(actor, incident_id) -> Incident:
    """The incident if the actor may see any of it; the same 404 for missing and forbidden. Audited."""
    incident = incidents_visible(actor).filter(pk=_uuid(incident_id)).select_related("person", "recorded_by").first()
    if incident is None:
        raise Http404()
    audit_record(actor=actor, action="exposure.incident.read", target=incident)
    return incident


def item_for(actor, incident: Incident, item_id) -> IncidentItem:
    item = incident.items.filter(pk=_uuid(item_id)).select_related("incident").first()
    if item is None or not item_visible(actor, item):
        raise Http404()
    return item


# --- the incident page -----------------------------------------------------------------------------

@dataclass
class ItemRow:
    item: IncidentItem
    title: str = ""  # a case reference, a codename, a username
    risk: str = ""
    risk_before: str = ""  # the label of the risk before the incident raised it
    lines: list = field(default_factory=list)


@dataclass
class IncidentPage:
    incident: Incident
    exposed: Person | None  # None: the actor may not see who it was
    notes: str
    rows: list
    hidden: dict  # kind -> how many items the actor may not see

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())


def incident_page(actor, incident: Incident) -> IncidentPage:
    """What the actor may see of the incident, most urgent first; the rest only counted."""
    items = list(incident.items.select_related("case", "person", "staff", "acknowledged_by", "resolved_by"))
    sight = Sight(actor)
    seen, hidden = sight.visible_items(items)
    exposed = incident.person if incident.person_id and incident.person_id in sight.people([incident.person_id]) \
        else None
    vault.preload_data_keys([incident.data_key_id])
    via_ids = {_uuid_or_none((i.why or {}).get("via")) for i in seen} - {None}
    visible_via = sight.people(via_ids)
    references = dict(Person.objects.filter(pk__in=visible_via).values_list("pk", "reference"))
    houses = _houses([i.house_id for i in seen if i.house_id])
    rows = [_row(item, references, houses, exposed) for item in seen]
    rows.sort(key=lambda r: (r.item.state == IncidentItem.STATE_RESOLVED, r.item.urgency, r.item.hop, r.title))
    counts: dict = {}
    for item in hidden:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    if seen:
        audit_record(actor=actor, action="exposure.incident.items", target=incident,
                     items=[str(i.pk) for i in seen], hidden=len(hidden))
    return IncidentPage(incident=incident, exposed=exposed, notes=incident.notes if exposed else "", rows=rows,
                        hidden=counts)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _houses(ids) -> dict:
    if not ids or not apps.is_installed("safepassage.safehouses"):
        return {}
    from safepassage.safehouses.models import SafeHouse

    return {h.pk: h for h in SafeHouse.objects.filter(pk__in=ids)}


def _row(item: IncidentItem, references: dict, houses: dict, exposed) -> ItemRow:
    from django.utils.translation import gettext as _

    why = item.why or {}
    row = ItemRow(item=item)
    if item.kind in (IncidentItem.KIND_CASE, IncidentItem.KIND_ROUTE) and item.case_id:
        row.title, row.risk = item.case.reference, item.case.risk_level
        if item.risk_before and item.risk_before != item.risk_after:
            row.risk_before = str(dict(Case.RISK_CHOICES).get(item.risk_before, item.risk_before))
    elif item.kind == IncidentItem.KIND_PERSON:
        row.title = item.person.reference if item.person_id else "—"
    elif item.kind == IncidentItem.KIND_HOUSE:
        house = houses.get(item.house_id)
        row.title = f"{house.codename} · {house.area}" if house else "—"
    elif item.kind == IncidentItem.KIND_STAFF:
        row.title = item.staff.username if item.staff_id else "—"
    if why.get("own"):
        row.lines.append(_("The exposed person's own record."))
    if why.get("occupant"):
        house = houses.get(_uuid_or_none(why["occupant"]))
        row.lines.append(_("Staying in a house the exposed person knew; the safe-house team has a relocation task.")
                         if house is None else
                         _("Staying in %(house)s, which the exposed person knew: relocate now.") % {"house": house.codename})
    if why.get("route"):
        row.lines.append(_("Their route is known to the exposed person."))
    if "via" in why:
        via = _uuid_or_none(why["via"])
        if exposed is not None and via == exposed.pk:
            row.lines.append(_("Known directly by the exposed person."))
        elif via in references:
            row.lines.append(_("Reached through %(ref)s.") % {"ref": references[via]})
        else:
            row.lines.append(_("Reached through someone you do not work with."))
    if why.get("knows"):
        labels = [str(label) for _bit, code, label in V.PERSON_KNOWLEDGE if code in why["knows"]]
        row.lines.append(_("Known: %(what)s.") % {"what": ", ".join(labels)})
    if why.get("basis"):
        row.lines.append(", ".join(str(V.BASES.get(b, b)) for b in why["basis"]).capitalize() + ".")
    if "occupants" in why:
        row.lines.append(_("%(n)d people were staying there and have relocation tasks.") % {"n": why["occupants"]})
    return row


# --- a person's connections ------------------------------------------------------------------------

@dataclass
class ConnectionRow:
    connection_id: uuid.UUID
    other: Person | None  # None: someone the actor may not see
    relationship: str = ""
    person_knows: list = field(default_factory=list)
    other_knows: list = field(default_factory=list)
    details: str = ""


@dataclass
class KnowledgeRow:
    link_id: uuid.UUID
    kind: str
    target: str
    basis: str


@dataclass
class GraphPage:
    connections: list
    hidden_connections: int
    knowledge: list


def person_graph(actor, person: Person) -> GraphPage:
    """The person's connections (in full where the actor may see the other person too) and what they
    know. The caller has checked access to `person` and audited its read."""
    links = graph.links_of(person.organisation_id, [person.pk]).get(person.pk, [])
    people_links = [link for link in links if link.kind == V.LINK_PERSON]
    visible = Sight(actor).people(link.target for link in people_links)
    others = {p.pk: p for p in Person.objects.filter(pk__in=visible)}
    connections = {c.pk: c for c in Connection.objects.filter(pk__in=[link.connection for link in people_links
                                                                         if link.target in visible])}
    vault.preload_data_keys([c.data_key_id for c in connections.values()])
    relationships = dict(V.RELATIONSHIPS)
    rows, hidden = [], 0
    for link in people_links:
        connection = connections.get(link.connection)
        if link.target not in visible or connection is None:
            hidden += 1
            continue
        mine_first = connection.people and connection.people[0] == str(person.pk)
        rows.append(ConnectionRow(
            connection_id=connection.pk, other=others.get(link.target),
            relationship=str(relationships.get(connection.relationship, connection.relationship)),
            person_knows=_labels(connection.a_knows if mine_first else connection.b_knows),
            other_knows=_labels(connection.b_knows if mine_first else connection.a_knows),
            details=connection.details))
    rows.sort(key=lambda r: r.other.reference if r.other else "")
    knowledge = _knowledge_rows(actor, person, [link for link in links if link.kind != V.LINK_PERSON])
    audit_record(actor=actor, action="exposure.graph.read", target=person, connections=len(rows), hidden=hidden,
                 knowledge=len(knowledge))
    return GraphPage(connections=rows, hidden_connections=hidden, knowledge=knowledge)


def _labels(codes) -> list[str]:
    return [str(label) for _bit, code, label in V.PERSON_KNOWLEDGE if code in (codes or [])]


def _knowledge_rows(actor, person, links) -> list[KnowledgeRow]:
    from django.contrib.auth import get_user_model

    names: dict = {}
    by_kind: dict = {}
    for link in links:
        by_kind.setdefault(link.kind, []).append(link.target)
    if V.LINK_HOUSE in by_kind:
        names.update({pk: f"{h.codename} · {h.area}" for pk, h in _houses(by_kind[V.LINK_HOUSE]).items()})
    if apps.is_installed("safepassage.travel") and ({V.LINK_PLAN, V.LINK_LEG} & set(by_kind)):
        from safepassage.travel.models import TravelLeg, TravelPlan

        for pk, ref in TravelPlan.objects.filter(pk__in=by_kind.get(V.LINK_PLAN, [])).values_list("pk", "case__reference"):
            names[pk] = ref
        for pk, ref, position in TravelLeg.objects.filter(pk__in=by_kind.get(V.LINK_LEG, [])) \
                .values_list("pk", "plan__case__reference", "position"):
            names[pk] = f"{ref} #{position + 1}"
    if V.LINK_STAFF in by_kind:
        names.update(dict(get_user_model().objects.filter(pk__in=by_kind[V.LINK_STAFF]).values_list("pk", "username")))
    rows = [KnowledgeRow(link_id=link.id, kind=str(V.LINK_KINDS.get(link.kind, "")), target=names.get(link.target, "—"),
                         basis=str(V.BASES.get(link.basis, ""))) for link in links]
    return sorted(rows, key=lambda r: (r.kind, r.target))


# --- choices for the forms -----------------------------------------------------------------------

def knowledge_choices(actor) -> dict:
    """What the actor may point a person's knowledge at: houses, travel plans, staff of the organisation."""
    member = membership(actor)
    if member is None:
        return {}
    choices: dict = {"house": [], "plan": [], "staff": []}
    if apps.is_installed("safepassage.safehouses") and can(actor, "safehouse.list"):
        from safepassage.safehouses.models import SafeHouse

        houses = SafeHouse.objects.filter(organisation_id=member.organisation_id) \
            .exclude(status=SafeHouse.STATUS_RETIRED).order_by("codename")
        choices["house"] = [(str(h.pk), f"{h.codename} · {h.area}") for h in houses]
    if apps.is_installed("safepassage.travel"):
        from safepassage.travel.models import TravelPlan

        cases = Case.objects.filter(journey_scope(actor, "travel.view")).values("pk")
        plans = TravelPlan.objects.filter(case__in=cases).select_related("case").order_by("case__reference")
        choices["plan"] = [(str(p.pk), p.case.reference) for p in plans]
    from safepassage.accounts.models import Membership

    members = Membership.objects.filter(organisation_id=member.organisation_id, is_active=True) \
        .select_related("user").order_by("user__username")
    choices["staff"] = [(str(m.user_id), m.user.username) for m in members]
    return choices


def person_by_reference(actor, reference: str) -> Person | None:
    """A person the actor may see, by their reference (P-000123); None when there is none."""
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return Person.objects.filter(person_scope(actor), reference=reference).distinct().first()
