import uuid

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.people.services import PersonData, person_create
from safepassage.policy.rules import reporting_only
from safepassage.testimonies.tests.factories import record


@pytest.fixture
def records(coordinator):
    person = person_create(actor=coordinator, organisation=coordinator.membership.organisation,
                           data=PersonData(full_name="Хасан Висаитов"))
    case = case_open(actor=coordinator, person=person)
    return {"person": person, "case": case, "testimony": record(coordinator)}


def test_a_researcher_is_refused_every_person_case_and_testimony_page_and_it_is_audited(
        researcher, records, client_as):
    client = client_as(researcher)
    for url in (f"/people/{records['person'].pk}/", f"/cases/{records['case'].pk}/",
                f"/testimonies/{records['testimony'].pk}/", f"/people/{uuid.uuid4()}/", "/testimonies/",
                "/people/new/"):
        before = AuditEvent.objects.filter(actor_id=researcher.pk, action="access.denied").count()
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Хасан" not in response.content.decode()
        denied = AuditEvent.objects.filter(actor_id=researcher.pk, action="access.denied")
        assert denied.count() == before + 1, url
    event = AuditEvent.objects.filter(actor_id=researcher.pk, action="access.denied",
                                      target_id="").order_by("-id").first()
    assert event.detail["reason"] == "reporting role"


def test_a_researcher_who_logs_in_lands_on_the_reports(researcher, client_as):
    response = client_as(researcher).get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/reports/"


def test_a_coordinator_who_is_also_a_researcher_is_not_fenced(org, records, client_as, unsealed_vault):
    from safepassage.core.testing import staff_member

    both = staff_member(org, "both", ["coordinator", "researcher"])
    assert not reporting_only(both)
    assert client_as(both).get(f"/testimonies/{records['testimony'].pk}/").status_code == 200


def test_the_researcher_reaches_the_reports(researcher, client_as):
    assert client_as(researcher).get("/reports/").status_code == 200
