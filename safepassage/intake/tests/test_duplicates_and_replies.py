"""A duplicate names what it duplicates and feeds that case; a reply names no colleague before the
requester's case is verified."""
import re

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, CaseEvent, CaseNote
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.intake.models import HelpRequest, IntakeMessage
from safepassage.people.services import PersonData, person_create

from .conftest import FORM, codename_from

pytestmark = pytest.mark.django_db


def _case_for(worker, coordinator, name="Хеда"):
    person = person_create(actor=coordinator, organisation=coordinator.membership.organisation,
                           data=PersonData(full_name=name))
    case = case_open(actor=coordinator, person=person, summary="первый запрос", status="screening")
    case.assignees.add(worker)
    return case


def _submit(visitor, what):
    before = list(HelpRequest.objects.values_list("pk", flat=True))
    response = visitor.post("/help/", {**FORM, "what": what})
    assert response.status_code == 200
    return HelpRequest.objects.exclude(pk__in=before).get(), codename_from(response)


def _timeline(case):
    return [e.note.body for e in CaseEvent.objects.filter(case=case, kind="note").order_by("id")]


def test_a_duplicate_of_a_case_links_to_it_and_its_words_and_follow_ups_reach_that_timeline(
        client_as, intake_worker, coordinator, intake_key, visitor):
    case = _case_for(intake_worker, coordinator)
    request, codename = _submit(visitor, "Это снова Хеда, я теперь в Назрани")
    staff = client_as(intake_worker)
    page = staff.get(f"/intake/{request.pk}/").content.decode()
    assert f'value="case:{case.pk}"' in page  # offered: a case the worker may see

    response = staff.post(f"/intake/{request.pk}/mark/", {"status": "duplicate", "duplicate_of": f"case:{case.pk}"})
    assert response.status_code == 302
    page = staff.get(f"/intake/{request.pk}/").content.decode()
    assert re.search(rf'<a href="/cases/{case.pk}/">Duplicate of case {case.reference}</a>', page)
    request.refresh_from_db()
    assert request.status == HelpRequest.DUPLICATE and request.case == case
    assert request.sealed_request is None  # its words now live under the case's key
    assert any("я теперь в Назрани" in body for body in _timeline(case))
    assert AuditEvent.objects.filter(action="intake.mark", target_id=str(request.pk),
                                     detail__case=str(case.pk)).exists()

    visitor.post("/help/return/", {"lang": "ru", "codename": codename, "text": "Меня снова ищут"})
    assert _timeline(case)[-1] == "Меня снова ищут"
    # and the visitor is still not told anything about it
    html = visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()
    assert "Ответа пока нет" in html and case.reference not in html


def test_a_duplicate_of_an_earlier_request_goes_with_it_into_the_case_opened_from_it(
        client_as, intake_worker, intake_key, visitor):
    first, _ = _submit(visitor, "Первый запрос Лейлы")
    second, codename = _submit(visitor, "Лейла пишет ещё раз")
    staff = client_as(intake_worker)
    assert f'value="request:{first.pk}"' in staff.get(f"/intake/{second.pk}/").content.decode()
    assert f'value="request:{second.pk}"' not in staff.get(f"/intake/{first.pk}/").content.decode()  # not earlier

    staff.post(f"/intake/{second.pk}/mark/", {"status": "duplicate", "duplicate_of": f"request:{first.pk}"})
    page = staff.get(f"/intake/{second.pk}/").content.decode()
    assert f'href="/intake/{first.pk}/">Duplicate of the request of' in page
    assert f'href="/intake/{second.pk}/"' in staff.get(f"/intake/{first.pk}/").content.decode()

    # a follow-up on the duplicate brings the earlier request back to the top of triage
    HelpRequest.objects.filter(pk=first.pk).update(awaiting_staff=False)
    visitor.post("/help/return/", {"lang": "ru", "codename": codename, "text": "Есть новости"})
    inbox = staff.get("/intake/").content.decode()
    row = inbox[inbox.index(f"/intake/{first.pk}/"):]
    assert "new message" in row[:row.index("</tr>")]

    staff.post(f"/intake/{first.pk}/convert/", {"full_name": "Лейла", "risk_level": "high"})
    first.refresh_from_db()
    second.refresh_from_db()
    case = first.case
    assert second.case == case and second.status == HelpRequest.DUPLICATE
    bodies = _timeline(case)
    assert any("Первый запрос Лейлы" in b for b in bodies)
    assert any("Лейла пишет ещё раз" in b for b in bodies) and "Есть новости" in bodies
    assert not IntakeMessage.objects.filter(request=second, sealed_for_staff__isnull=False).exists()
    page = staff.get(f"/intake/{second.pk}/").content.decode()
    assert f"Duplicate of case {case.reference}" in page


def test_a_duplicate_must_name_a_case_the_worker_may_see_or_an_earlier_request(
        client_as, intake_worker, coordinator, intake_key, visitor, other_org):
    request, _ = _submit(visitor, "Кто-то пишет")
    later, _ = _submit(visitor, "Позже")
    unseen = case_open(actor=coordinator, person=person_create(
        actor=coordinator, organisation=coordinator.membership.organisation, data=PersonData(full_name="Скрытый")),
        status="screening")  # not assigned to the intake worker
    stranger = staff_member(other_org, "stranger", ["coordinator"])
    foreign = case_open(actor=stranger, person=person_create(actor=stranger, organisation=other_org,
                                                             data=PersonData(full_name="Чужой")))
    staff = client_as(intake_worker)
    page = staff.get(f"/intake/{request.pk}/").content.decode()
    assert unseen.reference not in page and foreign.reference not in page
    for target in ("", f"case:{unseen.pk}", f"case:{foreign.pk}", f"request:{later.pk}", f"request:{request.pk}",
                   "case:nonsense", "request:nonsense"):
        response = staff.post(f"/intake/{request.pk}/mark/", {"status": "duplicate", "duplicate_of": target},
                              follow=True)
        assert "Choose the case or the earlier request it duplicates." in response.content.decode()
    request.refresh_from_db()
    assert request.status in HelpRequest.PENDING and request.case is None and request.duplicate_of is None
    assert not CaseNote.objects.filter(case__in=[unseen, foreign]).exists()


def test_a_request_joined_to_a_case_cannot_be_sent_back_to_triage(client_as, intake_worker, coordinator, intake_key,
                                                                 visitor):
    case = _case_for(intake_worker, coordinator)
    request, _ = _submit(visitor, "Дубликат")
    staff = client_as(intake_worker)
    staff.post(f"/intake/{request.pk}/mark/", {"status": "duplicate", "duplicate_of": f"case:{case.pk}"})
    response = staff.post(f"/intake/{request.pk}/mark/", {"status": "open"}, follow=True)
    assert "already a case" in response.content.decode()
    request.refresh_from_db()
    assert request.status == HelpRequest.DUPLICATE and request.case == case


@pytest.fixture
def colleague(org, unsealed_vault):
    user = staff_member(org, "m.petrova", ["caseworker"])
    user.first_name, user.last_name = "Мария", "Петрова"
    user.save()
    return user


def test_a_first_reply_from_triage_goes_before_any_verification(client_as, intake_worker, intake_key, visitor,
                                                               colleague):
    request, codename = _submit(visitor, "Помогите")
    response = client_as(intake_worker).post(f"/intake/{request.pk}/reply/", {"body": "Аня, мы вас слышим. Где вы?"})
    assert response.status_code == 302
    html = visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()
    assert "Аня, мы вас слышим. Где вы?" in html


@pytest.mark.parametrize("body", ["С вами свяжется Мария Петрова", "Напишите m.petrova", "Спросите Петрову"])
def test_a_reply_naming_a_colleague_waits_until_the_case_is_verified(client_as, intake_worker, intake_key, visitor,
                                                                    colleague, body):
    request, codename = _submit(visitor, "Помогите")
    staff = client_as(intake_worker)
    response = staff.post(f"/intake/{request.pk}/reply/", {"body": body})
    if body == "Спросите Петрову":  # an inflected surname is not a whole word: a safety net, not a filter
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert "This case is not verified yet" in response.content.decode()
    assert "Мария Петрова" in response.content.decode()

    staff.post(f"/intake/{request.pk}/convert/", {"full_name": "Аня", "risk_level": "high"})
    request.refresh_from_db()
    assert request.case.status == "screening"
    response = staff.post(f"/intake/{request.pk}/reply/", {"body": body})
    assert response.status_code == 400  # screening is not verified
    assert not IntakeMessage.objects.filter(sender="staff").exists()
    assert body not in visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()

    Case.objects.filter(pk=request.case_id).update(status="verified")
    assert staff.post(f"/intake/{request.pk}/reply/", {"body": body}).status_code == 302
    assert body in visitor.post("/help/return/", {"lang": "ru", "codename": codename}).content.decode()
    reply = IntakeMessage.objects.get(sender="staff")
    assert reply.case_note.case_id == request.case_id and reply.case_note.body == body
