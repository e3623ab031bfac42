from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts import alarms
from safepassage.accounts.models import AccessAlert, ReadAlarmSettings
from safepassage.accounts.services import alert_resolve, api_token_create
from safepassage.audit.models import AuditEvent
from safepassage.audit.services import audit_record
from safepassage.cases.services import case_open
from safepassage.people.services import PersonData, person_create


@pytest.fixture
def cases(coordinator, caseworker):
    org = coordinator.membership.organisation
    made = []
    for i in range(6):
        person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name=f"Person {i}"))
        made.append(case_open(actor=coordinator, person=person, assignees=[caseworker]))
    ReadAlarmSettings.objects.create(organisation=org, floor=4, multiplier=2.0, window_minutes=60)
    return made


def test_reading_far_more_than_usual_throttles_and_alerts_the_admins(cases, caseworker, admin, client_as):
    client = client_as(caseworker)
    statuses = [client.get(reverse("cases:detail", args=[c.pk])).status_code for c in cases]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]
    assert "opened far more records" in client.get(reverse("cases:list")).content.decode()
    alert = AccessAlert.objects.get(member=caseworker, kind="bulk_view")
    assert alert.detail["reads"] == 4 and alert.detail["threshold"] == 4
    assert AuditEvent.objects.filter(action="alarm.bulk_view", actor_id=caseworker.pk).count() == 1
    members = client_as(admin).get(reverse("accounts:members")).content.decode()
    assert "alert-badge" in members and "caseworker" in members


def test_the_api_is_throttled_the_same_way(cases, caseworker):
    from django.test import Client

    _token, key = api_token_create(actor=caseworker, name="scraper")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [api.get(f"/api/cases/{c.pk}/").status_code for c in cases]
    assert statuses[-1] == 429 and AccessAlert.objects.filter(member=caseworker).exists()


def test_the_threshold_follows_the_members_own_baseline(cases, caseworker):
    member = caseworker.membership
    now = timezone.now()
    for day in range(1, 11):  # a usual day: 10 distinct records
        for n in range(10):
            event = audit_record(actor=caseworker, action="case.read", organisation=member.organisation_id)
            AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=day), target_type="case",
                                                          target_id=f"{day}-{n}")
    assert alarms.baseline(caseworker.pk, days=30, now=now) == 10
    assert alarms.threshold(member, now=now) == 20  # 2 × 10, above the floor of 4


def test_an_admin_lifts_the_pause_and_nobody_lifts_their_own(cases, caseworker, admin, client_as):
    client = client_as(caseworker)
    for c in cases:
        client.get(reverse("cases:detail", args=[c.pk]))
    alert = AccessAlert.objects.get(member=caseworker)
    alert_resolve(actor=admin, alert=alert, lift_throttle=True)
    caseworker.membership.refresh_from_db()
    assert caseworker.membership.throttled_until is None
