"""A case whose traveller missed a check-in hours ago, for tests of what the alarm sets off."""
from datetime import timedelta

from django.utils import timezone

from safepassage.safehouses.tests.journey_helpers import verified_case
from safepassage.travel import services
from safepassage.travel.services import LegData


def case_with_missed_checkin(coordinator, caseworker, org):
    case = verified_case(coordinator, org, assignees=[caseworker], risk="medium")
    plan = services.travel_plan_start(actor=caseworker, case=case)
    past = timezone.now() - timedelta(hours=6)
    leg = services.travel_leg_add(actor=caseworker, plan=plan, data=LegData(
        mode="bus", origin="Грозный", destination="Назрань", departs_at=past, arrives_at=past + timedelta(hours=1)))
    services.checkin_expect(actor=caseworker, leg=leg, kind="crossed_border", expected_at=past)
    return case
