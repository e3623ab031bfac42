"""Travel lines on the case timeline read as sentences in the reader's language, not as codes."""
from datetime import timedelta

import pytest
from django.utils import timezone

from safepassage.safehouses.tests.journey_helpers import verified_case
from safepassage.travel import services
from safepassage.travel.services import LegData, travel_check_overdue


@pytest.fixture
def alarmed_case(coordinator, caseworker, org):
    case = verified_case(coordinator, org, assignees=[caseworker], risk="medium")
    plan = services.travel_plan_start(actor=caseworker, case=case)
    past = timezone.now() - timedelta(hours=6)
    leg = services.travel_leg_add(actor=caseworker, plan=plan, data=LegData(
        mode="bus", origin="Грозный", destination="Назрань", departs_at=past, arrives_at=past + timedelta(hours=1)))
    services.checkin_expect(actor=caseworker, leg=leg, kind="crossed_border", expected_at=past)
    assert travel_check_overdue()
    return case


@pytest.mark.parametrize("lang, sentences", [
    ("en", ["Travel plan started", "Leg added to the route: Bus.", "ALARM: the check-in did not come"]),
    ("ru", ["План поездки", "ТРЕВОГА"]),
])
def test_the_case_page_tells_the_journey_in_words(client_as, caseworker, alarmed_case, lang, sentences):
    html = client_as(caseworker).get(f"/cases/{alarmed_case.pk}/", {"lang": lang}).content.decode()
    timeline = html[html.index('id="timeline"'):]
    for sentence in sentences:
        assert sentence in timeline
    for code in ("travel_plan", "travel_leg", "travel_alarm"):
        assert code not in timeline
