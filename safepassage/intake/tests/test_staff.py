"""The triage inbox: intake workers read (audited), reply, mark and open cases from requests."""
import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import CaseEvent, CaseNote
from safepassage.core.testing import staff_member
from safepassage.intake.models import HelpRequest, IntakeMessage
from safepassage.intake.services import RequestPayload, followup_submit, help_request_submit
from safepassage.vault import services as vault

from .conftest import FORM, codename_from

pytestmark = pytest.mark.django_db


def _submit(what, urgency, page_language="en"):
    request_id, _codename = help_request_submit(payload=RequestPayload(what=what, urgency=urgency,
                                                                       page_language=page_language))
    return HelpRequest.objects.get(pk=request_id)


def test_the_inbox_shows_the_most_urgent_first_then_the_newest(client_as, intake_worker, intake_key):
    _submit("weeks, older", "weeks")
    _submit("not sure", "")
    _submit("danger now", "now")
    _submit("weeks, newer", "weeks")
    html = client_as(intake_worker).get("/intake/").content.decode()
    positions = [html.index(text) for text in ("danger now", "weeks, newer", "weeks, older", "not sure")]
    assert positions == sorted(positions)


def test_the_inbox_creates_the_intake_key_on_first_use(client_as, intake_worker, visitor):
    assert visitor.get("/help/").status_code == 503
    assert client_as(intake_worker).get("/intake/").status_code == 200
    assert visitor.get("/help/").status_code == 200


def test_caseworkers_and_other_organisations_cannot_triage(client_as, caseworker, intake_key, other_org):
    request = _submit("private", "now")
    assert client_as(caseworker).get("/intake/").status_code == 403
    assert client_as(caseworker).get(f"/intake/{request.pk}/").status_code == 404
    stranger = staff_member(other_org, "stranger", ["intake"])
    response = client_as(stranger).get(f"/intake/{request.pk}/")
    assert response.status_code == 404
    assert "private" not in response.content.decode()


def test_opening_a_request_is_audited_and_shows_everything_it_said(client_as, intake_worker, intake_key, visitor):
    visitor.post("/help/", FORM)
    request = HelpRequest.objects.get()
    html = client_as(intake_worker).get(f"/intake/{request.pk}/").content.decode()
    for text in ("Меня ищут родственники", "Грозный", "Signal, только вечером", "Аня"):
        assert text in html
    assert AuditEvent.objects.filter(action="intake.read", target_id=str(request.pk), actor_id=intake_worker.pk).exists()
    request.refresh_from_db()
    assert request.status == HelpRequest.OPEN


def test_a_reply_reaches_the_visitor_and_colleagues_but_not_the_disk(client_as, intake_worker, intake_key, visitor):
    codename = codename_from(visitor.post("/help/", FORM))
    request = HelpRequest.objects.get()
    staff = client_as(intake_worker)
    response = staff.post(f"/intake/{request.pk}/reply/", {"body": "Напишите нам в Signal"})
    assert response.status_code == 302
    assert "Напишите нам в Signal" in staff.get(f"/intake/{request.pk}/").content.decode()
    reply = IntakeMessage.objects.get(sender="staff")
    assert "Напишите".encode() not in bytes(reply.sealed_for_visitor) + bytes(reply.sealed_for_staff)
    html = visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()
    assert "Напишите нам в Signal" in html


@pytest.mark.parametrize("status", ["spam", "entrapment_suspected"])
def test_marking_a_request_takes_it_out_of_triage_without_telling_the_visitor(
        client_as, intake_worker, intake_key, visitor, status):
    codename = codename_from(visitor.post("/help/", FORM))
    request = HelpRequest.objects.get()
    staff = client_as(intake_worker)
    assert staff.post(f"/intake/{request.pk}/mark/", {"status": status}).status_code == 302
    request.refresh_from_db()
    assert request.status == status
    assert "Меня ищут" not in staff.get("/intake/").content.decode()
    assert AuditEvent.objects.filter(action="intake.mark", target_id=str(request.pk)).exists()
    html = visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()
    assert "Ответа пока нет" in html and status not in html


def test_a_request_becomes_a_person_and_a_case_without_retyping(client_as, intake_worker, intake_key, visitor):
    codename = codename_from(visitor.post("/help/", FORM))
    request = HelpRequest.objects.get()
    staff = client_as(intake_worker)
    staff.post(f"/intake/{request.pk}/reply/", {"body": "Мы на связи"})
    page = staff.get(f"/intake/{request.pk}/").content.decode()
    assert 'value="Аня"' in page and "Грозный" in page and 'value="critical" selected' in page
    form = {"full_name": "Аня", "current_location": "Грозный", "person_notes": "Signal",
            "summary": "Меня ищут родственники, нужна помощь", "risk_level": "critical",
            "risk_reasons": "now"}
    response = staff.post(f"/intake/{request.pk}/convert/", form)
    assert response.status_code == 302
    request.refresh_from_db()
    case = request.case
    assert request.status == HelpRequest.CONVERTED and case.status == "screening"
    assert case.person.full_name == "Аня" and case.person.current_location == "Грозный"
    assert case.summary == "Меня ищут родственники, нужна помощь" and case.risk_level == "critical"
    bodies = [n.body for n in CaseNote.objects.filter(case=case)]
    assert any("Меня ищут родственники" in b for b in bodies) and "Мы на связи" in bodies
    assert not IntakeMessage.objects.filter(request=request, sealed_for_staff__isnull=False).exists()
    # the follow-up from the codename lands on the case timeline
    visitor.post("/help/return/", {"lang": "ru", "codename": codename, "text": "Я уже в Назрани"})
    event = CaseEvent.objects.filter(case=case, kind="note", detail__direction="in").latest("id")
    assert event.note.body == "Я уже в Назрани"


def test_a_follow_up_sent_while_sealed_lands_on_the_case_at_the_next_staff_visit(
        client_as, intake_worker, intake_key, visitor):
    visitor.post("/help/", FORM)
    request = HelpRequest.objects.get()
    staff = client_as(intake_worker)
    staff.post(f"/intake/{request.pk}/convert/", {"full_name": "", "risk_level": "high"})
    request.refresh_from_db()
    master = vault.demo_master_key()
    vault.seal()
    before = CaseEvent.objects.filter(case=request.case, kind="note", detail__direction="in").count()
    followup_submit(request_id=request.pk, text="Пишу, пока вы запечатаны")
    assert CaseEvent.objects.filter(case=request.case, kind="note", detail__direction="in").count() == before
    vault.unseal_with_key(master)
    staff.get("/intake/")
    bodies = [e.note.body for e in CaseEvent.objects.filter(case=request.case, kind="note", detail__direction="in")]
    assert "Пишу, пока вы запечатаны" in bodies
