"""Reading travel plans. The case comes through ``case_for`` (audited, one 404 for missing and
forbidden); a leg or check-in is reached only through a case the actor may open."""
from __future__ import annotations

import uuid
from datetime import date

from django.http import Http404

from safepassage.policy import roles as R
from safepassage.policy.rules import can
from safepassage.vault import services as vault

from .models import CheckIn, TravelLeg, TravelPlan


def plan_of(case) -> TravelPlan | None:
    return TravelPlan.objects.filter(case=case).select_related("coordinator").first()


def legs_of(plan: TravelPlan | None) -> list[TravelLeg]:
    if plan is None:
        return []
    legs = list(plan.legs.prefetch_related("checkins").order_by("position", "departs_at"))
    vault.preload_data_keys([plan.data_key_id])
    return legs


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


def leg_for(actor, leg_id, *, action: str = "travel.edit") -> TravelLeg:
    leg = TravelLeg.objects.filter(pk=_uuid(leg_id)).select_related("plan__case").first()
    if leg is None or not can(actor, action, leg.plan.case):
        raise Http404()
    return leg


def checkin_for(actor, checkin_id, *, action: str = "travel.checkin") -> CheckIn:
    checkin = CheckIn.objects.filter(pk=_uuid(checkin_id)).select_related("leg__plan__case").first()
    if checkin is None or not can(actor, action, checkin.leg.plan.case):
        raise Http404()
    return checkin


def travel_coordinators(organisation) -> list:
    from safepassage.accounts.models import Membership

    members = (Membership.objects.filter(organisation=organisation, is_active=True, user__is_active=True)
               .select_related("user").order_by("user__username"))
    return [m.user for m in members if R.TRAVEL in m.roles]


def travel_negotiated_count(organisation, *, since: date | None = None, until: date | None = None) -> int:
    """Cases whose safe travel was negotiated (in [since, until) when given). Plans cancelled
    afterwards still count: the negotiation happened."""
    plans = TravelPlan.objects.filter(organisation=organisation, negotiated_on__isnull=False)
    if since:
        plans = plans.filter(negotiated_on__gte=since)
    if until:
        plans = plans.filter(negotiated_on__lt=until)
    return plans.values("case_id").distinct().count()


def first_negotiation(organisation) -> date | None:
    return (TravelPlan.objects.filter(organisation=organisation, negotiated_on__isnull=False)
            .order_by("negotiated_on").values_list("negotiated_on", flat=True).first())
