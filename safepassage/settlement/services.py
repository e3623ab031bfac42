"""Writing arrival and settlement: the plan, its items, support payments and check-ins. Audited.

A case is not closed while its plan still has open items unless a second person confirms the
closing (see ``hooks``): nobody is dropped by one tired or coerced staff member.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import CaseEvent
from safepassage.policy import roles as R
from safepassage.policy.rules import membership, require
from safepassage.safehouses import journey

from .models import PlanItem, SettlementCheckIn, SettlementPlan, SupportPayment

AREAS = [code for code, _label in PlanItem.AREA_CHOICES if code != "other"]
PURPOSES = {code for code, _label in SupportPayment.PURPOSE_CHOICES}


class SettlementError(Exception):
    def __init__(self, message):
        super().__init__(str(message))


def _country(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValidationError({"country": _("Use the two-letter country code (CA, FR, DE…).")})
    return code


@transaction.atomic
def arrival_record(*, actor, case, arrived_on: date, country: str, notes: str = "") -> SettlementPlan:
    """The person arrived. Starts the settlement plan with one open item per area, and moves the case
    to "arrived" (through "in transit" when the journey was not marked under way)."""
    require(actor, "settlement.edit", case)
    case.refresh_from_db(fields=["status"])
    if arrived_on is None or arrived_on > timezone.localdate():
        raise ValidationError({"arrived_on": _("Give the day of arrival (not in the future).")})
    country = _country(country)
    if SettlementPlan.objects.filter(case=case).exists():
        raise SettlementError(_("The arrival is already recorded."))
    plan = SettlementPlan(case=case, organisation_id=case.organisation_id, arrived_on=arrived_on,
                          arrival_country=country, created_by=actor, data_key_id=case.data_key_id)
    plan.notes = notes.strip()
    plan.save()
    for position, area in enumerate(AREAS):
        PlanItem.objects.create(plan=plan, area=area, position=position, data_key_id=plan.data_key_id)
    if case.status == "approved":
        journey.transition(actor=actor, case=case, to_status="in_transit")
    if case.status != "arrived":
        journey.transition(actor=actor, case=case, to_status="arrived",
                           data={"arrived_on": arrived_on.isoformat(), "country": country})
    _finish_travel(actor, case)
    CaseEvent.objects.create(case=case, actor=actor, kind="arrival",
                             detail={"arrived_on": arrived_on.isoformat(), "country": country})
    audit_record(actor=actor, action="settlement.arrival", target=case, plan=str(plan.pk),
                 arrived_on=arrived_on.isoformat(), country=country)
    return plan


def _finish_travel(actor, case) -> None:
    from safepassage.travel.models import TravelPlan

    TravelPlan.objects.filter(case=case, status=TravelPlan.STATUS_UNDERWAY).update(
        status=TravelPlan.STATUS_COMPLETED, updated_at=timezone.now())


@transaction.atomic
def settlement_begin(*, actor, case) -> None:
    """The case moves from "arrived" to "settling": the plan is being worked on."""
    require(actor, "settlement.edit", case)
    journey.transition(actor=actor, case=case, to_status="settling")


@transaction.atomic
def settlement_assign(*, actor, plan: SettlementPlan, worker) -> None:
    require(actor, "settlement.assign", plan.case)
    if worker is not None:
        member = membership(worker)
        if member is None or member.organisation_id != plan.organisation_id or R.SETTLEMENT not in member.roles:
            raise ValidationError({"worker": _("Choose a settlement worker of this organisation.")})
    plan.worker = worker
    plan.save(update_fields=["worker"])
    audit_record(actor=actor, action="settlement.assign", target=plan.case, worker=getattr(worker, "pk", None))


@transaction.atomic
def plan_item_add(*, actor, plan: SettlementPlan, area: str, description: str = "",
                  due_on: date | None = None) -> PlanItem:
    require(actor, "settlement.edit", plan.case)
    if area not in dict(PlanItem.AREA_CHOICES):
        raise ValidationError({"area": _("Choose an area.")})
    position = (plan.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = PlanItem(plan=plan, area=area, due_on=due_on, position=position, data_key_id=plan.data_key_id)
    item.description = description.strip()
    item.save()
    audit_record(actor=actor, action="settlement.item_add", target=plan.case, item=str(item.pk), area=area)
    return item


@transaction.atomic
def plan_item_update(*, actor, item: PlanItem, status: str, description: str | None = None,
                     due_on: date | None = None) -> None:
    plan = item.plan
    require(actor, "settlement.edit", plan.case)
    if status not in dict(PlanItem.STATUS_CHOICES):
        raise ValidationError({"status": _("Unknown state.")})
    before = item.status
    item.status = status
    item.done_on = timezone.localdate() if status == PlanItem.STATUS_DONE and item.done_on is None else (
        item.done_on if status == PlanItem.STATUS_DONE else None)
    if description is not None:
        item.description = description.strip()
    if due_on is not None:
        item.due_on = due_on
    item.save()
    if before != status:
        CaseEvent.objects.create(case=plan.case, actor=actor, kind="settlement_item",
                                 detail={"area": item.area, "from": before, "status": status})
    audit_record(actor=actor, action="settlement.item_update", target=plan.case, item=str(item.pk), before=before,
                 after=status)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Give the amount as a number, e.g. 450.00.")}) from None
    if amount <= 0 or amount >= Decimal("1e10") or amount.as_tuple().exponent < -2:
        raise ValidationError({"amount": _("Give the amount as a number, e.g. 450.00.")})
    return amount


@transaction.atomic
def payment_record(*, actor, plan: SettlementPlan, paid_on: date, amount, currency: str, purpose: str,
                   recipient: str = "", note: str = "") -> SupportPayment:
    require(actor, "settlement.edit", plan.case)
    errors = {}
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Use the three-letter currency code (EUR, CAD, USD…).")
    if purpose not in PURPOSES:
        errors["purpose"] = _("Choose what the payment was for.")
    if paid_on is None or paid_on > timezone.localdate():
        errors["paid_on"] = _("Give the day it was paid (not in the future).")
    if errors:
        raise ValidationError(errors)
    payment = SupportPayment(plan=plan, paid_on=paid_on, amount=_amount(amount), currency=currency, purpose=purpose,
                             recorded_by=actor, data_key_id=plan.data_key_id)
    payment.recipient, payment.note = recipient.strip(), note.strip()
    payment.save()
    audit_record(actor=actor, action="settlement.payment", target=plan.case, payment=str(payment.pk),
                 amount=str(payment.amount), currency=currency)
    return payment


@transaction.atomic
def checkin_schedule(*, actor, plan: SettlementPlan, scheduled_on: date) -> SettlementCheckIn:
    require(actor, "settlement.edit", plan.case)
    if scheduled_on is None:
        raise ValidationError({"scheduled_on": _("When?")})
    checkin = SettlementCheckIn.objects.create(plan=plan, scheduled_on=scheduled_on, data_key_id=plan.data_key_id)
    audit_record(actor=actor, action="settlement.checkin_schedule", target=plan.case, checkin=str(checkin.pk),
                 scheduled_on=scheduled_on.isoformat())
    return checkin


@transaction.atomic
def checkin_done(*, actor, checkin: SettlementCheckIn, notes: str = "", done_on: date | None = None) -> None:
    plan = checkin.plan
    require(actor, "settlement.edit", plan.case)
    if checkin.done_on is not None:
        raise SettlementError(_("This check-in is already recorded."))
    checkin.done_on, checkin.done_by = done_on or timezone.localdate(), actor
    checkin.notes = notes.strip()
    checkin.save()
    CaseEvent.objects.create(case=plan.case, actor=actor, kind="settlement_checkin",
                             detail={"checkin": str(checkin.pk)})
    audit_record(actor=actor, action="settlement.checkin_done", target=plan.case, checkin=str(checkin.pk))
