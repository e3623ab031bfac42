from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.cases.services import TransitionNotAllowed, case_transition, case_transition_confirm
from safepassage.core.testing import staff_member
from safepassage.safehouses.tests.journey_helpers import approved_case
from safepassage.settlement import services
from safepassage.settlement.models import PlanItem, SupportPayment
from safepassage.settlement.selectors import arrivals_count, open_items, payment_totals
from safepassage.tasks.models import Task
from safepassage.travel import services as travel
from safepassage.travel.models import TravelPlan

TODAY = timezone.localdate


@pytest.fixture
def case(coordinator, caseworker, org):
    return approved_case(coordinator, org, assignees=[caseworker])


@pytest.fixture
def plan(caseworker, case):
    plan = services.arrival_record(actor=caseworker, case=case, arrived_on=TODAY() - timedelta(days=1), country="ca",
                                   notes="Met at the airport.")
    case.refresh_from_db()
    return plan


def test_an_arrival_starts_a_plan_with_an_open_item_per_area_and_moves_the_case(case, plan):
    assert case.status == "arrived"
    assert (plan.arrival_country, plan.arrived_on) == ("CA", TODAY() - timedelta(days=1))
    areas = list(plan.items.values_list("area", flat=True))
    assert areas == ["housing", "health", "legal_status", "language", "work", "community"]
    assert open_items(case) == 6
    assert Task.objects.filter(case=case, kind="settlement_plan", done_at__isnull=True).exists()


def test_an_arrival_completes_the_travel_under_way(caseworker, case):
    plan = travel.travel_plan_start(actor=caseworker, case=case)
    travel.travel_plan_set_status(actor=caseworker, plan=plan, status="negotiated")
    travel.travel_plan_set_status(actor=caseworker, plan=plan, status="underway")
    assert Case.objects.get(pk=case.pk).status == "in_transit"
    services.arrival_record(actor=caseworker, case=case, arrived_on=TODAY(), country="CA")
    assert TravelPlan.objects.get(pk=plan.pk).status == "completed"
    assert Case.objects.get(pk=case.pk).status == "arrived"


def test_an_arrival_in_the_future_or_twice_is_refused(caseworker, case, plan):
    with pytest.raises(services.SettlementError):
        services.arrival_record(actor=caseworker, case=case, arrived_on=TODAY(), country="CA")
    other = approved_case(caseworker, case.organisation, name="Second")
    with pytest.raises(ValidationError):
        services.arrival_record(actor=caseworker, case=other, arrived_on=TODAY() + timedelta(days=1), country="CA")


def test_payments_keep_recipients_sealed_and_are_totalled_per_currency(caseworker, plan):
    services.payment_record(actor=caseworker, plan=plan, paid_on=TODAY(), amount="1200.00", currency="cad",
                            purpose="housing", recipient="Landlord Mr. Tremblay")
    services.payment_record(actor=caseworker, plan=plan, paid_on=TODAY(), amount="300,50", currency="CAD",
                            purpose="food")
    services.payment_record(actor=caseworker, plan=plan, paid_on=TODAY(), amount="80", currency="EUR",
                            purpose="documents")
    assert payment_totals(plan) == [("CAD", Decimal("1500.50")), ("EUR", Decimal("80.00"))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT currency, recipient FROM settlement_supportpayment WHERE recipient IS NOT NULL")
        currency, recipient = cursor.fetchone()
    assert currency == "CAD" and b"Tremblay" not in bytes(recipient)
    assert SupportPayment.objects.get(purpose="housing").recipient == "Landlord Mr. Tremblay"
    with pytest.raises(ValidationError):
        services.payment_record(actor=caseworker, plan=plan, paid_on=TODAY(), amount="-5", currency="CAD",
                                purpose="food")


def _to_settling(actor, case):
    services.settlement_begin(actor=actor, case=case)
    case.refresh_from_db()


def test_closing_with_open_items_shows_them_to_the_second_person_who_confirms(coordinator, caseworker, case, plan):
    _to_settling(caseworker, case)
    record = case_transition(actor=caseworker, case=case, to_status="closed", reason="Moved to Toronto.",
                             data={"outcome": "moved_on"})
    assert record.pending and any("6 open items" in w for w in record.warnings)
    with pytest.raises(TransitionNotAllowed):
        case_transition_confirm(actor=caseworker, transition=record)
    case_transition_confirm(actor=coordinator, transition=record)
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_a_finished_plan_closes_without_warnings(coordinator, caseworker, case, plan):
    for item in plan.items.all():
        services.plan_item_update(actor=caseworker, item=item, status=PlanItem.STATUS_DONE)
    _to_settling(caseworker, case)
    record = case_transition(actor=caseworker, case=case, to_status="closed", reason="Settled.",
                             data={"outcome": "settled"})
    assert record.warnings == []


def test_check_ins_are_scheduled_and_recorded(caseworker, case, plan, client_as):
    client = client_as(caseworker)
    client.post(reverse("settlement:schedule", args=[case.pk]), {"scheduled_on": TODAY().isoformat()})
    checkin = plan.checkins.get()
    client.post(reverse("settlement:checkin_done", args=[checkin.pk]), {"notes": "Found a job at a bakery."})
    checkin.refresh_from_db()
    assert checkin.done_on == TODAY() and checkin.notes == "Found a job at a bakery."


def test_a_settlement_worker_sees_only_the_plans_they_carry(coordinator, org, case, plan, client_as):
    worker = staff_member(org, "settler", ["settlement"])
    client = client_as(worker)
    assert client.get(reverse("settlement:case", args=[case.pk])).status_code == 404
    services.settlement_assign(actor=coordinator, plan=plan, worker=worker)
    assert client.get(reverse("settlement:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("referrals:case", args=[case.pk])).status_code == 404


def test_the_arrival_form_records_the_arrival(caseworker, case, client_as):
    response = client_as(caseworker).post(reverse("settlement:arrival", args=[case.pk]), {
        "arrived_on": TODAY().isoformat(), "country": "CA", "notes": ""})
    assert response.status_code == 302
    assert arrivals_count(case.organisation, start=TODAY(), end=TODAY() + timedelta(days=1)) == 1


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_the_settlement_page_renders_in_every_language(lang, caseworker, case, plan, client_as):
    services.payment_record(actor=caseworker, plan=plan, paid_on=TODAY(), amount="10", currency="CAD",
                            purpose="food", recipient="Shop")
    services.checkin_schedule(actor=caseworker, plan=plan, scheduled_on=TODAY())
    response = client_as(caseworker).get(reverse("settlement:case", args=[case.pk]), {"lang": lang})
    assert response.status_code == 200 and response["Content-Language"] == lang
    assert {"en": "Support payments", "ru": "Выплаты поддержки", "fr": "Paiements de soutien"}[lang] in \
        response.content.decode()


def test_a_move_the_workflow_refuses_is_explained_on_the_page(coordinator, caseworker, org, client_as):
    from safepassage.safehouses.tests.journey_helpers import verified_case

    case = verified_case(coordinator, org, name="Not yet approved", assignees=[caseworker])
    client = client_as(caseworker)
    response = client.post(reverse("settlement:begin", args=[case.pk]), follow=True)
    assert response.status_code == 200 and "cannot move from Verified" in response.content.decode()
    response = client.post(reverse("settlement:arrival", args=[case.pk]), {
        "arrived_on": TODAY().isoformat(), "country": "CA"})
    assert response.status_code == 400 and "cannot move from Verified" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "verified"
    assert arrivals_count(org) == 0
