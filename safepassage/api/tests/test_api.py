import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import api_token_create, organisation_create
from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.sharing import services as sharing


def api(user, roles=None):
    _token, key = api_token_create(actor=user, name="test", roles=roles)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def case(coordinator, caseworker, org):
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Ахмед Тестов"))
    return case_open(actor=coordinator, person=person, summary="story", risk_level="high", assignees=[caseworker])


def test_no_token_no_answer(unsealed_vault):
    response = Client().get("/api/cases/")
    assert response.status_code == 401 and response["Content-Type"] == "application/json"


def test_a_bad_token_is_refused_with_401(db):
    assert Client(HTTP_AUTHORIZATION="Token sp_nothing_here").get("/api/cases/").status_code == 401


def test_people_and_cases_round_trip_through_the_services(caseworker):
    client = api(caseworker)
    created = client.post("/api/people/", {"full_name": "Магомед Иванов", "gender": "man",
                                           "phones": ["+7 928 000 11 22"]}, content_type="application/json")
    assert created.status_code == 201
    person = created.json()
    opened = client.post("/api/cases/", {"person": person["id"], "summary": "needs out", "risk_level": "critical"},
                         content_type="application/json")
    assert opened.status_code == 201 and opened.json()["risk_level"] == "critical"
    case_id = opened.json()["id"]
    listed = client.get("/api/cases/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == case_id
    moved = client.post(f"/api/cases/{case_id}/transitions/", {"to_status": "screening"},
                        content_type="application/json")
    assert moved.status_code == 201 and moved.json()["state"] == "applied"
    assert client.get(f"/api/cases/{case_id}/").json()["status"] == "screening"
    patched = client.patch(f"/api/people/{person['id']}/", {"other_names": ["Mago"]}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["other_names"] == ["Mago"]
    assert patched.json()["full_name"] == "Магомед Иванов"
    assert AuditEvent.objects.filter(action="case.read", actor_id=caseworker.pk).exists()


def test_an_illegal_move_is_a_409_with_the_reason(caseworker, case):
    response = api(caseworker).post(f"/api/cases/{case.pk}/transitions/", {"to_status": "closed"},
                                    content_type="application/json")
    assert response.status_code == 409 and response.json()["detail"]


def test_invalid_input_is_a_400_with_field_errors(caseworker):
    response = api(caseworker).post("/api/people/", {"date_of_birth": "yesterday"}, content_type="application/json")
    assert response.status_code == 400 and "date_of_birth" in response.json()["errors"]


def test_the_api_and_the_pages_refuse_the_same_records_the_same_way(org, case, client_as, unsealed_vault):
    stranger = staff_member(org, "stranger", ["caseworker"])
    assert client_as(stranger).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client = api(stranger)
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/cases/{case.person_id}/").status_code == 404
    assert client.get(f"/api/people/{case.person_id}/").status_code == 404
    assert client.get("/api/cases/not-a-uuid/").status_code == 404
    assert client.get("/api/cases/").json()["count"] == 0


def test_the_admin_role_reaches_no_case_through_the_api_either(admin, case):
    client = api(admin)
    assert client.get("/api/cases/").status_code == 403
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404


def test_tasks_are_listed_and_completed(caseworker, case):
    from safepassage.tasks.services import task_create

    task = task_create(actor=caseworker, case=case, title="call back")
    client = api(caseworker)
    assert [t["id"] for t in client.get("/api/tasks/").json()] == [str(task.pk)]
    done = client.post(f"/api/tasks/{task.pk}/complete/")
    assert done.status_code == 200 and done.json()["done_at"]


def test_reports_are_aggregates_for_researchers_who_reach_no_person(org, case, unsealed_vault):
    researcher = staff_member(org, "researcher", ["researcher"])
    client = api(researcher)
    report = client.get("/api/reports/")
    assert report.status_code == 200 and report.json()["k"] >= 1
    assert client.get("/api/people/").status_code == 403
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404


def test_a_liaison_reads_only_packets_addressed_to_them_and_records_decisions(coordinator, caseworker, org):
    from safepassage.referrals import services as referrals
    from safepassage.referrals.models import Programme
    from safepassage.safehouses.tests.journey_helpers import verified_case

    government = organisation_create(name="IRCC desk", kind=Organisation.KIND_GOVERNMENT, case_prefix="G")
    canada = Programme.objects.get(code="ca-gar")
    Programme.objects.filter(pk=canada.pk).update(liaison_organisation=government)
    liaison = staff_member(government, "liaison", ["liaison"])
    case = verified_case(coordinator, org, assignees=[caseworker])
    referrals.consent_record(actor=caseworker, case=case, programme=canada)
    referral = referrals.referral_submit(actor=caseworker, referral=referrals.referral_create(
        actor=caseworker, case=case, programme=canada))
    client = api(liaison)
    assert [r["id"] for r in client.get("/api/referrals/").json()] == [str(referral.pk)]
    packet = client.get(f"/api/referrals/{referral.pk}/").json()
    assert packet["reference"] == referral.reference and packet["values"]
    assert client.get(f"/api/cases/{case.pk}/").status_code in (403, 404)
    assert client.get(f"/api/cases/{case.pk}/referrals/").status_code == 404
    decided = client.post(f"/api/referrals/{referral.pk}/decisions/",
                          {"outcome": "approved", "decided_on": timezone.localdate().isoformat()},
                          content_type="application/json")
    assert decided.status_code == 201 and decided.json()["status"] == "approved"
    assert api(caseworker).get(f"/api/cases/{case.pk}/referrals/").json()[0]["status"] == "approved"


def test_shares_received_carry_only_the_shared_fields(caseworker, case, unsealed_vault):
    relocation = organisation_create(name="Relocation", kind=Organisation.KIND_RELOCATION, case_prefix="R")
    reloc = staff_member(relocation, "reloc", ["coordinator"])
    sharing.share_consent_record(actor=caseworker, case=case, organisation=relocation)
    share = sharing.share_create(actor=caseworker, case=case, recipient=relocation, purpose="relocation_planning")
    client = api(reloc)
    assert [s["id"] for s in client.get("/api/shares/").json()] == [str(share.pk)]
    detail = client.get(f"/api/shares/{share.pk}/").json()
    assert [v["code"] for v in detail["values"]] == ["pseudonym", "gender", "urgency", "travel_documents"]
    assert "Ахмед" not in str(detail)
    sharing.share_revoke(actor=caseworker, share=share)
    assert client.get(f"/api/shares/{share.pk}/").status_code == 404


def test_the_schema_is_served_to_members_only(caseworker):
    assert Client().get("/api/schema/").status_code in (401, 403)
    response = api(caseworker).get("/api/schema/")
    assert response.status_code == 200 and b"openapi" in response.content


def test_the_docs_page_is_a_plain_page_with_no_script(caseworker, client_as):
    response = client_as(caseworker).get(reverse("api:docs"))
    body = response.content.decode()
    assert response.status_code == 200 and "<script" not in body and "cdn" not in body.lower()
    assert "/api/cases/{case_id}/transitions/" in body
    assert "script-src 'none'" in response["Content-Security-Policy"]
