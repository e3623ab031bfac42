"""Writing the response to one exposure in bulk: houses, routes, cases, tasks, timeline, items.

Runs inside ``services.exposure_record``'s transaction. Safe houses go through the safehouses app
(its compromise service, or the same steps as the system when the person recording the exposure
may not mark houses), so their occupants get the relocation task that app defines. Everything else
is written with one statement per kind of row: one prepared UPDATE run for the risk of every case
alerted (risk only ever goes up; the reason is added to the case's sealed reasons), one INSERT each
for tasks, timeline lines and incident items, and one audit row per case, all written in one insert.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit.services import audit_record, audit_record_many
from safepassage.cases.models import Case, CaseEvent
from safepassage.cases.workflow import ENDED
from safepassage.policy.rules import can
from safepassage.tasks.kinds import register_task_kind
from safepassage.tasks.models import Task
from safepassage.vault import services as vault

from . import vocabulary as V
from .models import IncidentItem

# Generated tasks carry no words: the kind says what to do.
TASK_RESPOND = "exposure_respond"
TASK_WARN = "exposure_warn"
TASK_ROUTE = "exposure_route"
register_task_kind(TASK_RESPOND, gettext_lazy("Exposure: find out what happened and get help to the person"))
register_task_kind(TASK_WARN, gettext_lazy("Warn this person now: someone who can name them was exposed"))
register_task_kind(TASK_ROUTE, gettext_lazy("Change this route: an exposed person knows it"))
TASK_DUE = timedelta(hours=2)

ACTIVE_PLAN_STATUSES = ("draft", "negotiated", "underway")

# Smaller is more urgent; items are listed in this order.
URGENCY_OCCUPANT = 0  # staying now in a house the exposed person knew
URGENCY_ROUTE_OTHER = 1  # another person's route, still to travel
URGENCY_HOP1_ADDRESS = 1
URGENCY_HOP1 = 2
URGENCY_HOUSE = 2
URGENCY_OWN = 3  # the exposed person's own case
URGENCY_OWN_ROUTE = 3
URGENCY_STAFF = 4
URGENCY_PER_HOP = 10  # hop 2: 20, hop 3: 30 ...
URGENCY_NO_CASE = 5  # added for a person reached who has no open case
URGENCY_PAST_ROUTE = 45


@dataclass
class CaseAlert:
    case_id: object
    level: str
    urgency: int
    hop: int
    task: str = ""
    reasons: list = field(default_factory=list)
    why: dict = field(default_factory=dict)
    before: str = ""  # the risk before this incident, when something else raised it first


    def merge(self, other: "CaseAlert") -> None:
        if Case.RISK_ORDER[other.level] < Case.RISK_ORDER[self.level]:
            self.level = other.level
        if other.urgency < self.urgency:
            self.urgency, self.hop, self.why = other.urgency, other.hop, other.why
            self.task = other.task or self.task
        self.task = self.task or other.task
        self.reasons += [r for r in other.reasons if r not in self.reasons]
        self.before = self.before or other.before
        for key in ("occupant", "route"):  # an occupant reached through the graph too: say both
            if key in other.why:
                self.why.setdefault(key, other.why[key])


# Queries here select by the ids in hand and check the organisation in Python: filtering on the
# organisation too tempts SQLite's planner (no statistics) into walking the organisation's index,
# every case of the organisation, instead of looking up a hundred ids.


class Response:
    def __init__(self, *, actor, incident, settings, reach):
        self.actor, self.incident, self.settings, self.reach = actor, incident, settings, reach
        self.org = incident.organisation_id
        self.origin = reach.origin
        self.now = timezone.now()
        self.phrase = str(V.EVENT_PHRASES[incident.kind])
        self.alerts: dict = {}
        self.items: list[IncidentItem] = []
        self.counts = {"people_count": len(reach.people), "case_count": 0, "house_count": 0, "route_count": 0,
                       "staff_count": 0}

    # --- gathering -------------------------------------------------------------------------------

    def run(self) -> None:
        self._journey_knowledge()
        self._houses()
        self._routes()
        self._people()
        self._staff()
        self._write_cases()
        for item in self.items:
            item.incident, item.data_key_id = self.incident, self.incident.data_key_id
        IncidentItem.objects.bulk_create(self.items)

    def _alert(self, alert: CaseAlert) -> None:
        found = self.alerts.get(alert.case_id)
        if found is None:
            self.alerts[alert.case_id] = alert
        else:
            found.merge(alert)

    def _journey_knowledge(self) -> None:
        """What the person knows by having lived it: houses they stayed in, their own routes."""
        own_cases = list(Case.objects.filter(person_id=self.origin).values_list("pk", flat=True))
        if apps.is_installed("safepassage.safehouses") and own_cases:
            from safepassage.safehouses.models import Stay

            stays = Stay.objects.filter(case_id__in=own_cases, state__in=[Stay.STATE_CURRENT, Stay.STATE_ENDED])
            for house_id in stays.values_list("house_id", flat=True):
                self.reach.add_thing(V.LINK_HOUSE, house_id, V.BASIS_STAYED)
        if apps.is_installed("safepassage.travel"):
            from safepassage.travel.models import TravelLeg, TravelPlan

            for plan_id in TravelPlan.objects.filter(case_id__in=own_cases).values_list("pk", flat=True):
                self.reach.add_thing(V.LINK_PLAN, plan_id, V.BASIS_TRAVELLED)
            if self.reach.legs:  # a leg known is its plan known
                legs = TravelLeg.objects.filter(pk__in=list(self.reach.legs)).values_list("pk", "plan_id")
                for leg_id, plan_id in legs:
                    for basis in self.reach.legs[leg_id]:
                        self.reach.add_thing(V.LINK_PLAN, plan_id, basis)

    def _houses(self) -> None:
        if not self.reach.houses or not apps.is_installed("safepassage.safehouses"):
            return
        from safepassage.safehouses.models import SafeHouse, Stay

        houses = [h for h in SafeHouse.objects.filter(pk__in=list(self.reach.houses)).order_by("codename")
                  if h.organisation_id == self.org and h.status != SafeHouse.STATUS_RETIRED]
        reason = _("Known to %(who)s (exposure recorded %(when)s).") % {
            "who": self.phrase, "when": self.now.strftime("%Y-%m-%d %H:%M")}
        for house in houses:
            before = dict(Stay.objects.filter(house=house, state=Stay.STATE_CURRENT)
                          .values_list("case_id", "case__risk_level"))
            occupants = compromise_house(actor=self.actor, house=house, reason=reason)
            self.counts["house_count"] += 1
            self.items.append(IncidentItem(kind=IncidentItem.KIND_HOUSE, house_id=house.pk, urgency=URGENCY_HOUSE,
                                           why={"basis": sorted(self.reach.houses[house.pk]),
                                                "occupants": len(occupants)}))
            for case in occupants:  # risk and relocation task came from the safehouses app
                self._alert(CaseAlert(case_id=case.pk, level="critical", urgency=URGENCY_OCCUPANT, hop=0,
                                      before=before.get(case.pk, ""), why={"occupant": str(house.pk)}))

    def _routes(self) -> None:
        if not self.reach.plans or not apps.is_installed("safepassage.travel"):
            return
        from safepassage.travel.models import TravelPlan

        plans = TravelPlan.objects.filter(pk__in=list(self.reach.plans)).select_related("case")
        for plan in plans:
            if plan.organisation_id != self.org:
                continue
            self.counts["route_count"] += 1
            own = plan.case.person_id == self.origin
            active = plan.status in ACTIVE_PLAN_STATUSES
            bases = sorted(self.reach.plans[plan.pk])
            urgency = (URGENCY_OWN_ROUTE if own else URGENCY_ROUTE_OTHER) if active else URGENCY_PAST_ROUTE
            self.items.append(IncidentItem(kind=IncidentItem.KIND_ROUTE, plan_id=plan.pk, case_id=plan.case_id,
                                           urgency=urgency, why={"basis": bases, "own": own}))
            if active and not own and plan.case.status not in ENDED:
                self._alert(CaseAlert(
                    case_id=plan.case_id, level="critical", urgency=URGENCY_ROUTE_OTHER, hop=1, task=TASK_ROUTE,
                    reasons=[_("Their route is known to %(who)s.") % {"who": self.phrase}],
                    why={"route": True, "basis": bases}))

    def _people(self) -> None:
        reached = self.reach.people
        ids = [self.origin, *reached]
        with_case = set()
        cases = Case.objects.filter(person_id__in=ids).exclude(status__in=ENDED) \
            .values_list("pk", "person_id", "organisation_id")
        for case_id, person_id, organisation_id in cases:
            if organisation_id != self.org:
                continue
            with_case.add(person_id)
            if person_id == self.origin:
                self._alert(CaseAlert(
                    case_id=case_id, level="critical", urgency=URGENCY_OWN, hop=0, task=TASK_RESPOND,
                    reasons=[_("Exposure recorded: %(what)s.") % {"what": dict(V.EVENTS)[self.incident.kind]}],
                    why={"own": True}))
                continue
            found = reached[person_id]
            self._alert(CaseAlert(
                case_id=case_id, level=self.settings.risk_at(found.hop), urgency=_urgency(found), hop=found.hop,
                task=TASK_WARN if found.hop == 1 else "",
                reasons=[_reason(self.phrase, found)],
                why={"via": str(found.via), "knows": V.knows_codes(found.knows)}))
        for person_id, found in reached.items():
            if person_id not in with_case:
                self.items.append(IncidentItem(
                    kind=IncidentItem.KIND_PERSON, person_id=person_id, hop=found.hop,
                    urgency=_urgency(found) + URGENCY_NO_CASE,
                    why={"via": str(found.via), "knows": V.knows_codes(found.knows)}))

    def _staff(self) -> None:
        from safepassage.accounts.models import Membership

        if not self.reach.staff:
            return
        members = Membership.objects.filter(organisation_id=self.org, user_id__in=list(self.reach.staff)) \
            .values_list("user_id", flat=True)
        for user_id in members:
            self.counts["staff_count"] += 1
            self.items.append(IncidentItem(kind=IncidentItem.KIND_STAFF, staff_id=user_id, urgency=URGENCY_STAFF,
                                           why={"basis": sorted(self.reach.staff[user_id])}))

    # --- writing ---------------------------------------------------------------------------------

    def _write_cases(self) -> None:
        if not self.alerts:
            return
        cases = list(Case.objects.select_for_update().filter(pk__in=list(self.alerts)).order_by("pk"))
        vault.preload_data_keys([c.data_key_id for c in cases])
        assignees = _first_assignees([c.pk for c in cases])
        reasons_field = Case._meta.get_field("risk_reasons")
        updates, events, tasks, audits = [], [], [], []
        for case in cases:
            alert = self.alerts[case.pk]
            before = alert.before or case.risk_level
            after = min(case.risk_level, alert.level, key=Case.RISK_ORDER.__getitem__)  # risk only goes up
            case.risk_reasons = "\n".join(filter(None, [case.risk_reasons, *alert.reasons]))
            blob = reasons_field.pre_save(case, False)  # sealed under the case's key, as a save would
            updates.append((after, Case.RISK_ORDER[after], blob, case.pk))
            if after != case.risk_level:
                events.append(CaseEvent(case=case, actor=self.actor, kind="risk",
                                        detail={"from": case.risk_level, "to": after,
                                                "incident": str(self.incident.pk)}))
            task = None
            if alert.task:
                task = Task(case=case, data_key_id=case.data_key_id, kind=alert.task, stage=case.status,
                            assignee_id=assignees.get(case.pk), urgent=True, due_at=self.now + TASK_DUE)
                task.title = ""
                tasks.append(task)
                events.append(CaseEvent(case=case, actor=None, kind="task", detail={
                    "task": str(task.pk), "task_kind": alert.task, "assignee": task.assignee_id,
                    "due": task.due_at.isoformat()}))
            self.items.append(IncidentItem(kind=IncidentItem.KIND_CASE, case_id=case.pk, person_id=case.person_id,
                                           hop=alert.hop, urgency=alert.urgency, risk_before=before,
                                           risk_after=after, why=alert.why))
            audits.append((case, before, after, task))
        _update_risks(updates, self.now)
        Task.objects.bulk_create(tasks)
        CaseEvent.objects.bulk_create(events)
        self.counts["case_count"] = len(cases)
        audit_record_many(dict(actor=self.actor, action="exposure.alert", target=case, incident=str(self.incident.pk),
                               before=before, after=after, task=str(task.pk) if task else None)
                          for case, before, after, task in audits)


def _update_risks(updates, now) -> None:
    """One prepared UPDATE run for every case (executemany): risk level, rank, sealed reasons, time.

    What ``bulk_update`` does with one CASE WHEN per row and column, without building a hundred
    expressions: that took longer than everything else in an exposure put together.
    """
    fields = [Case._meta.get_field(name) for name in ("risk_level", "risk_rank", "risk_reasons", "updated_at")]
    pk = Case._meta.pk
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(Case._meta.db_table)} SET "
           + ", ".join(f"{quote(f.column)} = %s" for f in fields) + f" WHERE {quote(pk.column)} = %s")
    rows = [[*(f.get_db_prep_save(v, connection) for f, v in zip(fields, (level, rank, blob, now))),
             pk.get_db_prep_save(case_id, connection)] for level, rank, blob, case_id in updates]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _urgency(found) -> int:
    if found.hop == 1:
        return URGENCY_HOP1_ADDRESS if found.knows & V.KNOWS_ADDRESS else URGENCY_HOP1
    return URGENCY_PER_HOP * found.hop - (1 if found.knows & V.KNOWS_ADDRESS else 0)


def _reason(phrase: str, found) -> str:
    what = V.knows_labels(found.knows)
    text = _("Named contact of %(who)s, %(n)d hop.") if found.hop == 1 else \
        _("Named contact of %(who)s, %(n)d hops.")
    text = text % {"who": phrase, "n": found.hop}
    if what and found.hop == 1:
        text += " " + _("Known to them: %(what)s.") % {"what": ", ".join(what)}
    return text


def _first_assignees(case_ids) -> dict:
    """The first assignee (by username) of each case: the alert task goes to them."""
    through = Case.assignees.through
    first: dict = {}
    for case_id, user_id, _name in (through.objects.filter(case_id__in=case_ids)
                                    .values_list("case_id", "user_id", "user__username").order_by("user__username")):
        first.setdefault(case_id, user_id)
    return first


def compromise_house(*, actor, house, reason: str) -> list:
    """Mark `house` compromised; returns the cases of its current occupants (each now has an urgent
    relocation task and critical risk, from the safehouses app).

    Through ``safehouse_mark_compromised`` when the actor may mark houses; otherwise the same steps
    taken as the system: whoever learns of a detention may not manage houses, and the occupants must
    be moved all the same.
    """
    from safepassage.safehouses import journey
    from safepassage.safehouses.models import SafeHouse, Stay
    from safepassage.safehouses.services import safehouse_mark_compromised

    if can(actor, "safehouse.compromise", house):
        return safehouse_mark_compromised(actor=actor, house=house, reason=reason)
    with transaction.atomic():
        house = SafeHouse.objects.select_for_update().get(pk=house.pk)
        first_time = house.status != SafeHouse.STATUS_COMPROMISED
        if first_time:
            house.status, house.compromised_at = SafeHouse.STATUS_COMPROMISED, timezone.now()
        house.compromise_reason = "\n".join(filter(None, [house.compromise_reason, reason.strip()]))
        house.save()
        proposed = house.stays.filter(state=Stay.STATE_PROPOSED)
        cancelled = [str(pk) for pk in proposed.values_list("pk", flat=True)]
        proposed.update(state=Stay.STATE_CANCELLED)
        cases = [stay.case for stay in house.stays.filter(state=Stay.STATE_CURRENT).select_related("case")]
        for case in cases:
            journey.raise_alarm(actor=actor, case=case, kind=journey.RELOCATE,
                                risk_reason=_("The safe house where this person stays was compromised."),
                                event_kind="safehouse_compromised", event_detail={"house": str(house.pk)})
        audit_record(actor=actor, action="safehouse.compromise", target=house, first_time=first_time,
                     occupants=[str(c.pk) for c in cases], cancelled_stays=cancelled, raised_by="exposure")
    return cases
