"""Travel lines on the case timeline read as sentences in the reader's language, not as codes."""
import pytest

from safepassage.travel.services import travel_check_overdue
from safepassage.travel.tests.helpers import case_with_missed_checkin


@pytest.fixture
def alarmed_case(coordinator, caseworker, org):
    case = case_with_missed_checkin(coordinator, caseworker, org)
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
