"""Reading settlement plans (through a case the actor may open) and counting arrivals."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from django.db.models import Sum
from django.http import Http404

from safepassage.policy import roles as R
from safepassage.policy.rules import can

from .models import PlanItem, SettlementCheckIn, SettlementPlan


def plan_of(case) -> SettlementPlan | None:
    return SettlementPlan.objects.filter(case=case).select_related("worker").first()


def open_items(case) -> int:
    return PlanItem.objects.filter(plan__case=case, status=PlanItem.STATUS_OPEN).count()


def payment_totals(plan: SettlementPlan) -> list[tuple[str, object]]:
    """[(currency, total)], one line per currency: amounts in different currencies are never added."""
    rows = plan.payments.values("currency").annotate(total=Sum("amount")).order_by("currency")
    return [(row["currency"], row["total"]) for row in rows]


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


def item_for(actor, item_id, *, action: str = "settlement.edit") -> PlanItem:
    item = PlanItem.objects.filter(pk=_uuid(item_id)).select_related("plan__case").first()
    if item is None or not can(actor, action, item.plan.case):
        raise Http404()
    return item


def checkin_for(actor, checkin_id, *, action: str = "settlement.edit") -> SettlementCheckIn:
    checkin = SettlementCheckIn.objects.filter(pk=_uuid(checkin_id)).select_related("plan__case").first()
    if checkin is None or not can(actor, action, checkin.plan.case):
        raise Http404()
    return checkin


def settlement_workers(organisation) -> list:
    from safepassage.accounts.models import Membership

    members = (Membership.objects.filter(organisation=organisation, is_active=True, user__is_active=True)
               .select_related("user").order_by("user__username"))
    return [m.user for m in members if R.SETTLEMENT in m.roles]


def arrivals_count(organisation, *, start: date | None = None, end: date | None = None) -> int:
    """People who arrived in [start, end)."""
    plans = SettlementPlan.objects.filter(organisation=organisation)
    if start:
        plans = plans.filter(arrived_on__gte=start)
    if end:
        plans = plans.filter(arrived_on__lt=end)
    return plans.count()


def arrivals_by_country(organisation) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for country in SettlementPlan.objects.filter(organisation=organisation).values_list("arrival_country", flat=True):
        counts[country] += 1
    return dict(counts)
