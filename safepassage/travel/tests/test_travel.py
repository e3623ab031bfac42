from datetime import datetime, timedelta, timezone as dt_timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import CaseEvent
from safepassage.core.testing import staff_member
from safepassage.safehouses.tests.journey_helpers import verified_case
from safepassage.tasks.models import Task
from safepassage.travel import services
from safepassage.travel.models import CheckIn, TravelLeg, TravelPlan
from safepassage.travel.services import LegData, travel_check_overdue

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def case(coordinator, caseworker, org):
    return verified_case(coordinator, org, assignees=[caseworker], risk="medium")


@pytest.fixture
def plan(caseworker, case):
    return services.travel_plan_start(actor=caseworker, case=case, notes="Through Nazran, not by air.")


@pytest.fixture
def leg(caseworker, plan):
    return services.travel_leg_add(actor=caseworker, plan=plan, data=LegData(
        mode="bus", origin="Грозный", destination="Назрань", departs_at=NOON, arrives_at=NOON + timedelta(hours=3),
        escort="Ахмед (водитель)", documents="Внутренний паспорт"))


def test_routes_escorts_and_documents_are_stored_only_as_ciphertext(leg):
    with connection.cursor() as cursor:
        cursor.execute("SELECT mode, origin, destination, escort, documents FROM travel_travelleg")
        mode, *sealed = cursor.fetchone()
    assert mode == "bus"
    for blob in sealed:
        assert "Грозный".encode() not in bytes(blob) and "Ахмед".encode() not in bytes(blob)
    leg = TravelLeg.objects.get()
    assert (leg.origin, leg.escort) == ("Грозный", "Ахмед (водитель)")


def test_a_plan_is_sealed_under_the_case_key_and_shredded_with_it(case, plan, leg):
    assert plan.data_key_id == case.data_key_id == leg.data_key_id


def test_a_missed_check_in_raises_one_alarm_after_the_grace_period(caseworker, case, leg):
    checkin = services.checkin_expect(actor=caseworker, leg=leg, kind="crossed_border", expected_at=NOON)
    assert travel_check_overdue(now=NOON + timedelta(minutes=119)) == []
    raised = travel_check_overdue(now=NOON + timedelta(minutes=121))
    assert [c.pk for c in raised] == [checkin.pk]
    case.refresh_from_db()
    assert case.risk_level == "critical" and "check-in did not come" in case.risk_reasons
    task = Task.objects.get(case=case, kind="travel_alarm")
    assert task.urgent and task.is_open
    assert CaseEvent.objects.filter(case=case, kind="travel_alarm").count() == 1
    assert AuditEvent.objects.filter(action="travel.alarm", target_id=str(case.pk)).exists()
    # once per missed check-in, however often the job runs
    assert travel_check_overdue(now=NOON + timedelta(hours=5)) == []
    assert Task.objects.filter(case=case, kind="travel_alarm").count() == 1


def test_a_received_check_in_raises_nothing(caseworker, leg):
    checkin = services.checkin_expect(actor=caseworker, leg=leg, kind="boarded", expected_at=NOON)
    services.checkin_receive(actor=caseworker, checkin=checkin, at=NOON - timedelta(minutes=5))
    assert travel_check_overdue(now=NOON + timedelta(days=1)) == []
    assert not Task.objects.filter(kind="travel_alarm").exists()


def test_the_grace_period_is_an_organisation_setting(coordinator, caseworker, leg):
    services.travel_settings_update(actor=coordinator, grace=30)
    services.checkin_expect(actor=caseworker, leg=leg, kind="boarded", expected_at=NOON)
    assert travel_check_overdue(now=NOON + timedelta(minutes=29)) == []
    assert len(travel_check_overdue(now=NOON + timedelta(minutes=31))) == 1


def test_cancelled_legs_and_plans_raise_no_alarm(caseworker, plan, leg):
    services.checkin_expect(actor=caseworker, leg=leg, kind="boarded", expected_at=NOON)
    services.travel_leg_set_status(actor=caseworker, leg=leg, status=TravelLeg.STATUS_CANCELLED)
    assert travel_check_overdue(now=NOON + timedelta(days=1)) == []


def test_the_travel_check_command_raises_the_alarms(caseworker, leg):
    services.checkin_expect(actor=caseworker, leg=leg, kind="boarded", expected_at=timezone.now() - timedelta(hours=3))
    out = StringIO()
    call_command("travel_check", stdout=out)
    assert "1 missed check-in(s) raised an alarm" in out.getvalue()


def test_a_late_check_in_is_recorded_as_late(caseworker, case, leg, client_as):
    checkin = services.checkin_expect(actor=caseworker, leg=leg, kind="boarded", expected_at=NOON)
    travel_check_overdue(now=NOON + timedelta(hours=3))
    page = client_as(caseworker).get(reverse("travel:case", args=[case.pk])).content.decode()
    assert "MISSED: alarm raised" in page
    client_as(caseworker).post(reverse("travel:checkin_receive", args=[checkin.pk]))
    page = client_as(caseworker).get(reverse("travel:case", args=[case.pk])).content.decode()
    assert "(late)" in page
    assert CaseEvent.objects.get(case=case, kind="checkin").detail["late"] is True


def test_negotiating_safe_travel_records_the_day(caseworker, plan):
    day = timezone.localdate() - timedelta(days=3)
    services.travel_plan_set_status(actor=caseworker, plan=plan, status=TravelPlan.STATUS_NEGOTIATED, on=day)
    plan.refresh_from_db()
    assert plan.status == TravelPlan.STATUS_NEGOTIATED and plan.negotiated_on == day
    with pytest.raises(services.TravelError):
        services.travel_plan_set_status(actor=caseworker, plan=plan, status=TravelPlan.STATUS_COMPLETED)


def test_a_travel_coordinator_sees_only_the_plans_they_are_put_on(coordinator, caseworker, org, case, plan,
                                                                   client_as):
    escort_desk = staff_member(org, "travel-desk", ["travel"])
    other = verified_case(coordinator, org, name="Someone else", assignees=[caseworker])
    client = client_as(escort_desk)
    assert client.get(reverse("travel:case", args=[case.pk])).status_code == 404
    services.travel_plan_assign(actor=coordinator, plan=plan, coordinator=escort_desk)
    assert client.get(reverse("travel:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("travel:case", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404  # the plan, not the case


def test_only_travel_coordinators_can_be_put_on_a_plan(coordinator, caseworker, plan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.travel_plan_assign(actor=coordinator, plan=plan, coordinator=caseworker)


def test_legs_and_check_ins_are_added_from_the_plan_page(caseworker, case, plan, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("travel:leg_add", args=[case.pk]), {
        "mode": "rail", "origin": "Назрань", "destination": "Москва", "departs_at": "2026-03-03T08:00",
        "arrives_at": "2026-03-04T10:00", "escort": "", "documents": "Паспорт", "notes": ""})
    assert response.status_code == 302
    leg = TravelLeg.objects.get()
    response = client.post(reverse("travel:checkin_add", args=[leg.pk]), {
        f"leg-{leg.pk}-kind": "crossed_border", f"leg-{leg.pk}-expected_at": "2026-03-03T18:00"})
    assert response.status_code == 302
    assert CheckIn.objects.get().expected_at == datetime(2026, 3, 3, 18, 0, tzinfo=dt_timezone.utc)
    page = client.get(reverse("travel:case", args=[case.pk])).content.decode()
    assert "Назрань → Москва" in page and "Crossed the border" in page


def test_a_leg_missing_its_ends_is_refused_with_the_reason(caseworker, case, plan, client_as):
    response = client_as(caseworker).post(reverse("travel:leg_add", args=[case.pk]), {"mode": "car"})
    assert response.status_code == 400
    assert not TravelLeg.objects.exists()


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_the_travel_pages_render_in_every_language(lang, coordinator, caseworker, case, plan, leg, client_as):
    services.checkin_expect(actor=caseworker, leg=leg, kind="other", expected_at=NOON, label="Called from the bus")
    client = client_as(coordinator)
    for url in (reverse("travel:case", args=[case.pk]), reverse("travel:leg_edit", args=[leg.pk]),
                reverse("travel:settings")):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200, url
        assert response["Content-Language"] == lang
    page = client.get(reverse("travel:case", args=[case.pk]), {"lang": lang}).content.decode()
    assert {"en": "Add a leg", "ru": "Добавить отрезок", "fr": "Ajouter une étape"}[lang] in page
