"""The 2017 story end to end, through the service layer, and the journey figures it must produce.

Forty people are referred to the United States refugee programme and every one is denied; each is
referred again, to Canada's government-assisted refugee programme, whose liaison approves them.
One more person is referred to France for a humanitarian visa. Safe travel is negotiated for 35;
22 arrive within three months of that day, 9 more in the week after, 4 are still on their way.
The coordinators' "Journey figures" page then shows exactly those numbers, in every language.
"""
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create
from safepassage.cases.models import Case
from safepassage.core.testing import staff_member
from safepassage.referrals import services as referrals
from safepassage.referrals.models import Programme
from safepassage.referrals.selectors import (denied_by_country, referred_by_country, rereferred_after_denial)
from safepassage.safehouses.tests.journey_helpers import verified_case
from safepassage.settlement import services as settlement
from safepassage.settlement.selectors import arrivals_count
from safepassage.travel import services as travel
from safepassage.travel.selectors import travel_negotiated_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def ircc(unsealed_vault):
    """Canada's liaison desk: a government organisation receiving the GAR packets."""
    government = organisation_create(name="IRCC resettlement desk", kind=Organisation.KIND_GOVERNMENT,
                                     case_prefix="G")
    Programme.objects.filter(code="ca-gar").update(liaison_organisation=government)
    return staff_member(government, "ircc-officer", ["liaison"])


def _refer(actor, case, code: str):
    programme = Programme.objects.get(code=code)
    referrals.consent_record(actor=actor, case=case, programme=programme, note="Consent given by voice.")
    referral = referrals.referral_create(actor=actor, case=case, programme=programme)
    referrals.referral_update_packet(actor=actor, referral=referral,
                                     fields={"nationality": "Russian Federation", "languages": "Chechen, Russian"})
    return referrals.referral_submit(actor=actor, referral=referral)


def test_the_2017_story_end_to_end_shows_exactly_its_numbers_on_the_journey_figures(
        org, coordinator, caseworker, ircc, client_as):
    today = timezone.localdate()
    negotiated_on = today - timedelta(days=120)  # X: the day safe travel was agreed
    us_decision = negotiated_on - timedelta(days=30)
    canada_decision = negotiated_on - timedelta(days=5)

    # 40 people referred to the US, all denied, all referred on to Canada and approved there
    denied_then_approved = []
    for n in range(40):
        case = verified_case(caseworker, org, name=f"Person {n:02d}", assignees=[caseworker])
        us = _refer(caseworker, case, "us-usrap")
        referrals.referral_decide(actor=caseworker, referral=us, outcome="denied", decided_on=us_decision,
                                  reason_code="no_reason_given" if n % 4 else "security_screening",
                                  reason="Visa refused at the consulate.")
        case.refresh_from_db()
        assert case.status == "denied"
        canada = _refer(caseworker, case, "ca-gar")
        referrals.referral_decide(actor=ircc, referral=canada, outcome="approved", decided_on=canada_decision)
        case.refresh_from_db()
        assert case.status == "approved"
        denied_then_approved.append(case)

    # one person referred to France for a humanitarian visa
    to_france = verified_case(caseworker, org, name="Person FR", assignees=[caseworker])
    _refer(caseworker, to_france, "fr-humanitarian-visa")

    # safe travel negotiated for 35 of them, all on the same day
    travelling = denied_then_approved[:35]
    for case in travelling:
        plan = travel.travel_plan_start(actor=caseworker, case=case)
        travel.travel_plan_set_status(actor=caseworker, plan=plan, status="negotiated", on=negotiated_on)
        travel.travel_plan_set_status(actor=caseworker, plan=plan, status="underway")

    # 22 arrive within three months of that day, 9 more the week after, 4 are still travelling
    arrivals = [negotiated_on + timedelta(days=10 + 3 * i) for i in range(22)]  # days 10..73
    arrivals += [negotiated_on + timedelta(days=90 + i % 7) for i in range(9)]  # days 90..96
    for case, day in zip(travelling, arrivals):
        settlement.arrival_record(actor=caseworker, case=case, arrived_on=day, country="CA")
    assert Case.objects.filter(status="arrived").count() == 31
    assert Case.objects.filter(status="in_transit").count() == 4

    # the selectors count exactly the story
    assert travel_negotiated_count(org) == 35
    three_months = negotiated_on + timedelta(days=90)
    assert arrivals_count(org, start=negotiated_on, end=three_months) == 22
    assert arrivals_count(org, start=three_months, end=three_months + timedelta(days=7)) == 9
    assert referred_by_country(org) == {"US": 40, "CA": 40, "FR": 1}
    assert denied_by_country(org) == {"US": 40}
    assert rereferred_after_denial(org) == 40

    # and the coordinators' page shows them
    client = client_as(coordinator)
    query = {"since": negotiated_on.isoformat(), "days": 90, "then": 7}
    page = client.get(reverse("referrals:figures"), query).content.decode()
    assert _cell(page, "negotiated") == "35"
    assert _cell(page, "arrived-within") == "22"
    assert _cell(page, "arrived-then") == "9"
    assert _cell(page, "arrived-total") == "31"
    assert _cell(page, "rereferred") == "40"
    assert _country_rows(page, "referred") == {"US": "40", "CA": "40", "FR": "1"}
    assert _country_rows(page, "denied") == {"US": "40"}
    assert "Security screening" in page and "No reason given" in page
    for lang, word in (("ru", "США"), ("fr", "États-Unis")):
        page = client.get(reverse("referrals:figures"), {**query, "lang": lang}).content.decode()
        assert _cell(page, "arrived-within") == "22" and word in page


def _cell(page: str, cell_id: str) -> str:
    return re.search(rf'id="{cell_id}">(\d+)<', page).group(1)


def _country_rows(page: str, table_id: str) -> dict:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return dict(re.findall(r'data-country="(\w+)"><td>[^<]*</td><td>(\d+)</td>', table))
