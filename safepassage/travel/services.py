"""Writing travel plans, legs and check-ins; the missed-check-in alarm. One transaction each, audited.

Threat: a person on the road goes silent — stopped at a border, detained, their phone taken. The
earlier staff know, the sooner everyone and everything that person could name can be protected.
``travel_check_overdue`` turns every check-in that is later than the organisation's grace period
into an alarm on the case (an urgent task at the top of the queue, risk critical, a timeline line),
exactly once per check-in, whoever runs it and however often.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit.services import audit_record
from safepassage.cases.models import CaseEvent
from safepassage.cases.workflow import case_is_verified
from safepassage.policy import roles as R
from safepassage.policy.rules import membership, require
from safepassage.safehouses import journey

from .models import CheckIn, TravelLeg, TravelPlan, TravelSettings


class TravelError(Exception):
    message = gettext_lazy("This change to the travel plan is not possible.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class PlanClosed(TravelError):
    message = gettext_lazy("This travel plan is completed or cancelled.")


MODES = {code for code, _label in TravelLeg.MODE_CHOICES}
CHECKIN_KINDS = {code for code, _label in CheckIn.KIND_CHOICES}


# --- settings -----------------------------------------------------------------------------------

def grace_minutes(organisation) -> int:
    row = TravelSettings.objects.filter(organisation=organisation).first()
    return row.checkin_grace_minutes if row else TravelSettings.DEFAULT_GRACE_MINUTES


@transaction.atomic
def travel_settings_update(*, actor, grace: int) -> TravelSettings:
    require(actor, "travel.settings")
    if not 5 <= int(grace) <= 7 * 24 * 60:
        raise ValidationError({"grace": _("Between 5 minutes and 7 days.")})
    organisation = membership(actor).organisation
    row, _created = TravelSettings.objects.update_or_create(organisation=organisation,
                                                            defaults={"checkin_grace_minutes": int(grace)})
    audit_record(actor=actor, action="travel.settings", organisation=organisation, grace_minutes=int(grace))
    return row


# --- plans --------------------------------------------------------------------------------------

def _open(plan: TravelPlan) -> None:
    if plan.status in (TravelPlan.STATUS_COMPLETED, TravelPlan.STATUS_CANCELLED):
        raise PlanClosed()


@transaction.atomic
def travel_plan_start(*, actor, case, notes: str = "") -> TravelPlan:
    """The case's travel plan (one per case), created on first use."""
    require(actor, "travel.edit", case)
    plan = TravelPlan.objects.filter(case=case).first()
    if plan is not None:
        return plan
    if not case_is_verified(case):
        raise TravelError(_("The case is not verified yet: no route is planned before that."))
    plan = TravelPlan(case=case, organisation_id=case.organisation_id, created_by=actor,
                      data_key_id=case.data_key_id)
    plan.notes = notes.strip()
    plan.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="travel_plan", detail={"status": plan.status})
    audit_record(actor=actor, action="travel.plan.create", target=case, plan=str(plan.pk))
    return plan


@transaction.atomic
def travel_plan_update_notes(*, actor, plan: TravelPlan, notes: str) -> None:
    require(actor, "travel.edit", plan.case)
    plan.notes = notes.strip()
    plan.save()
    audit_record(actor=actor, action="travel.plan.update", target=plan.case, plan=str(plan.pk), fields=["notes"])


@transaction.atomic
def travel_plan_assign(*, actor, plan: TravelPlan, coordinator) -> None:
    """Put a travel coordinator on the plan: they see this plan (and only the plans they are put on)."""
    require(actor, "travel.assign", plan.case)
    if coordinator is not None:
        member = membership(coordinator)
        if member is None or member.organisation_id != plan.organisation_id or R.TRAVEL not in member.roles:
            raise ValidationError({"coordinator": _("Choose a travel coordinator of this organisation.")})
    plan.coordinator = coordinator
    plan.save(update_fields=["coordinator", "updated_at"])
    audit_record(actor=actor, action="travel.plan.assign", target=plan.case, plan=str(plan.pk),
                 coordinator=getattr(coordinator, "pk", None))


_PLAN_MOVES = {
    TravelPlan.STATUS_DRAFT: {TravelPlan.STATUS_NEGOTIATED, TravelPlan.STATUS_CANCELLED},
    TravelPlan.STATUS_NEGOTIATED: {TravelPlan.STATUS_UNDERWAY, TravelPlan.STATUS_DRAFT, TravelPlan.STATUS_CANCELLED},
    TravelPlan.STATUS_UNDERWAY: {TravelPlan.STATUS_COMPLETED, TravelPlan.STATUS_CANCELLED},
    TravelPlan.STATUS_COMPLETED: set(),
    TravelPlan.STATUS_CANCELLED: {TravelPlan.STATUS_DRAFT},
}


@transaction.atomic
def travel_plan_set_status(*, actor, plan: TravelPlan, status: str, on: date | None = None) -> None:
    """Move the plan on. "Negotiated" records the day safe travel was agreed (counted on the figures
    page); "under way" moves an approved case into transit."""
    require(actor, "travel.edit", plan.case)
    plan = TravelPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if status not in _PLAN_MOVES.get(plan.status, set()):
        raise TravelError(_("A plan that is “%(from)s” cannot become “%(to)s”.") % {
            "from": plan.get_status_display(), "to": dict(TravelPlan.STATUS_CHOICES).get(status, status)})
    before = plan.status
    plan.status = status
    if status == TravelPlan.STATUS_NEGOTIATED:
        plan.negotiated_on = on or timezone.localdate()
    elif status == TravelPlan.STATUS_DRAFT:
        plan.negotiated_on = None
    plan.save()
    case = plan.case
    if status == TravelPlan.STATUS_UNDERWAY and case.status == "approved":
        journey.transition(actor=actor, case=case, to_status="in_transit")
    CaseEvent.objects.create(case=case, actor=actor, kind="travel_plan", detail={"from": before, "status": status})
    audit_record(actor=actor, action="travel.plan.status", target=case, plan=str(plan.pk), before=before,
                 after=status, on=str(plan.negotiated_on or ""))


# --- legs ---------------------------------------------------------------------------------------

@dataclass
class LegData:
    mode: str = "other"
    origin: str = ""
    destination: str = ""
    departs_at: datetime | None = None
    arrives_at: datetime | None = None
    escort: str = ""
    documents: str = ""
    notes: str = ""

    def clean(self) -> "LegData":
        errors = {}
        if self.mode not in MODES:
            errors["mode"] = _("Choose how this leg is travelled.")
        for name in ("origin", "destination", "escort", "documents", "notes"):
            setattr(self, name, (getattr(self, name) or "").strip())
        if not self.origin:
            errors["origin"] = _("Where does this leg start?")
        if not self.destination:
            errors["destination"] = _("Where does this leg end?")
        if self.departs_at and self.arrives_at and self.arrives_at < self.departs_at:
            errors["arrives_at"] = _("The arrival is before the departure.")
        if errors:
            raise ValidationError(errors)
        return self


_LEG_SEALED = ("origin", "destination", "escort", "documents", "notes")


@transaction.atomic
def travel_leg_add(*, actor, plan: TravelPlan, data: LegData) -> TravelLeg:
    require(actor, "travel.edit", plan.case)
    _open(plan)
    data.clean()
    position = (plan.legs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    leg = TravelLeg(plan=plan, position=position, mode=data.mode, departs_at=data.departs_at,
                    arrives_at=data.arrives_at, data_key_id=plan.data_key_id)
    for name in _LEG_SEALED:
        setattr(leg, name, getattr(data, name))
    leg.save()
    CaseEvent.objects.create(case=plan.case, actor=actor, kind="travel_leg",
                             detail={"leg": str(leg.pk), "mode": leg.mode, "change": "added"})
    audit_record(actor=actor, action="travel.leg.create", target=plan.case, leg=str(leg.pk))
    return leg


@transaction.atomic
def travel_leg_update(*, actor, leg: TravelLeg, data: LegData) -> list[str]:
    plan = leg.plan
    require(actor, "travel.edit", plan.case)
    _open(plan)
    data.clean()
    changed = []
    for name in ("mode", "departs_at", "arrives_at", *_LEG_SEALED):
        if getattr(leg, name) != getattr(data, name):
            changed.append(name)
            setattr(leg, name, getattr(data, name))
    leg.save()
    audit_record(actor=actor, action="travel.leg.update", target=plan.case, leg=str(leg.pk), fields=changed)
    return changed


@transaction.atomic
def travel_leg_set_status(*, actor, leg: TravelLeg, status: str) -> None:
    plan = leg.plan
    require(actor, "travel.edit", plan.case)
    if status not in dict(TravelLeg.STATUS_CHOICES):
        raise ValidationError({"status": _("Unknown state.")})
    before = leg.status
    leg.status = status
    leg.save(update_fields=["status"])
    CaseEvent.objects.create(case=plan.case, actor=actor, kind="travel_leg",
                             detail={"leg": str(leg.pk), "from": before, "status": status})
    audit_record(actor=actor, action="travel.leg.status", target=plan.case, leg=str(leg.pk), before=before,
                 after=status)


# --- check-ins ----------------------------------------------------------------------------------

@transaction.atomic
def checkin_expect(*, actor, leg: TravelLeg, kind: str, expected_at: datetime, label: str = "") -> CheckIn:
    """Staff expect to hear "boarded", "crossed the border"… by `expected_at`."""
    plan = leg.plan
    require(actor, "travel.edit", plan.case)
    _open(plan)
    if kind not in CHECKIN_KINDS:
        raise ValidationError({"kind": _("Choose what the check-in is for.")})
    if expected_at is None:
        raise ValidationError({"expected_at": _("When should the check-in come?")})
    if kind == "other" and not label.strip():
        raise ValidationError({"label": _("Say what is expected.")})
    checkin = CheckIn(leg=leg, kind=kind, expected_at=expected_at, data_key_id=leg.data_key_id)
    checkin.label = label.strip()
    checkin.save()
    audit_record(actor=actor, action="travel.checkin.expect", target=plan.case, checkin=str(checkin.pk),
                 kind=kind)
    return checkin


@transaction.atomic
def checkin_receive(*, actor, checkin: CheckIn, note: str = "", at: datetime | None = None) -> CheckIn:
    """The traveller or escort checked in. A late check-in still counts; its alarm task stays for a
    person to close, having made sure the traveller is really safe."""
    case = checkin.leg.plan.case
    require(actor, "travel.checkin", case)
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.received_at is not None:
        raise TravelError(_("This check-in was already received."))
    checkin.received_at, checkin.received_by = at or timezone.now(), actor
    checkin.note = note.strip()
    checkin.save()
    late = checkin.alarm_raised_at is not None
    CaseEvent.objects.create(case=case, actor=actor, kind="checkin",
                             detail={"checkin": str(checkin.pk), "kind": checkin.kind, "late": late})
    audit_record(actor=actor, action="travel.checkin.receive", target=case, checkin=str(checkin.pk), late=late)
    return checkin


def travel_check_overdue(now: datetime | None = None) -> list[CheckIn]:
    """Raise one alarm per check-in that is overdue by more than its organisation's grace period.

    Safe to run from several processes at once and as often as wanted: each check-in is locked and
    marked in the same transaction as its alarm, so it alarms exactly once. Returns the check-ins
    that alarmed in this run.
    """
    now = now or timezone.now()
    candidates = (CheckIn.objects.filter(received_at__isnull=True, alarm_raised_at__isnull=True,
                                         expected_at__lte=now)
                  .exclude(leg__status=TravelLeg.STATUS_CANCELLED)
                  .exclude(leg__plan__status__in=[TravelPlan.STATUS_CANCELLED, TravelPlan.STATUS_COMPLETED])
                  .values_list("pk", "leg__plan__organisation_id"))
    graces: dict = {}
    raised = []
    for checkin_id, organisation_id in candidates:
        if organisation_id not in graces:
            graces[organisation_id] = timedelta(minutes=grace_minutes(organisation_id))
        with transaction.atomic():
            checkin = (CheckIn.objects.select_for_update().select_related("leg__plan__case")
                       .filter(pk=checkin_id, received_at__isnull=True, alarm_raised_at__isnull=True).first())
            if checkin is None or checkin.expected_at + graces[organisation_id] > now:
                continue
            _alarm(checkin, now)
            raised.append(checkin)
    return raised


def _alarm(checkin: CheckIn, now: datetime) -> None:
    case = checkin.leg.plan.case
    checkin.alarm_raised_at = now
    checkin.save(update_fields=["alarm_raised_at"])
    journey.raise_alarm(
        actor=None, case=case, kind=journey.TRAVEL_ALARM,
        risk_reason=_("A travel check-in did not come in time."),
        event_kind="travel_alarm",
        event_detail={"checkin": str(checkin.pk), "kind": checkin.kind, "expected": checkin.expected_at.isoformat()})
    audit_record(actor=None, action="travel.alarm", target=case, organisation=case.organisation_id,
                 checkin=str(checkin.pk), expected=checkin.expected_at.isoformat())
