import pytest
from django.urls import reverse

from safepassage.accounts.models import Team
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.cases.services import case_add_note, case_open
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Магомед Исаев"))


@pytest.fixture
def case(coordinator, caseworker, person):
    return case_open(actor=coordinator, person=person, summary="Задержан в 2017, освобождён.",
                     risk_level="high", risk_reasons="Семья ищет его.", assignees=[caseworker])


def _page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- opening a case -------------------------------------------------------------------------------

def test_a_caseworker_opens_a_case_for_a_person_they_recorded_and_it_is_theirs(caseworker, org, client_as):
    person = person_create(actor=caseworker, organisation=org, data=PersonData(full_name="Хава"))
    client = client_as(caseworker)
    form = client.get(reverse("cases:create"), {"person": person.pk}).content.decode()
    assert "Open a case for Хава" in form and 'name="assignees"' not in form and 'name="team"' not in form
    response = client.post(reverse("cases:create"), {
        "person": person.pk, "open": "1", "summary": "Бежала от семьи.", "risk_level": "critical",
        "risk_reasons": "Угрозы брата."})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert list(case.assignees.all()) == [caseworker] and case.person == person
    assert (case.summary, case.risk_level, case.risk_reasons) == ("Бежала от семьи.", "critical", "Угрозы брата.")
    assert AuditEvent.objects.filter(action="case.create", target_id=str(case.pk)).exists()


def test_the_button_on_the_person_page_only_brings_up_the_form(caseworker, org, client_as):
    person = person_create(actor=caseworker, organisation=org, data=PersonData(full_name="Хава"))
    page = client_as(caseworker).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert f'action="{reverse("cases:create")}"' in page and f'value="{person.pk}"' in page
    response = client_as(caseworker).post(reverse("cases:create"), {"person": person.pk})
    assert response.status_code == 200 and "Open the case" in response.content.decode()
    assert not Case.objects.exists()


def test_a_coordinator_assigns_members_and_a_team_when_opening(coordinator, caseworker, person, org, client_as):
    team = Team.objects.create(organisation=org, name="North")
    staff_member(org, "researcher", ["researcher"])
    client = client_as(coordinator)
    form = client.get(reverse("cases:create"), {"person": person.pk}).content.decode()
    assert "caseworker" in form and "North" in form and "researcher" not in form
    client.post(reverse("cases:create"), {"person": person.pk, "open": "1", "risk_level": "medium",
                                          "assignees": [str(caseworker.pk)], "team": str(team.pk)})
    case = Case.objects.get()
    assert list(case.assignees.all()) == [caseworker] and case.team == team


def test_a_case_cannot_be_assigned_outside_the_organisation(coordinator, person, other_org, client_as):
    foreign = staff_member(other_org, "foreign", ["caseworker"])
    response = client_as(coordinator).post(reverse("cases:create"), {
        "person": person.pk, "open": "1", "risk_level": "medium", "assignees": [str(foreign.pk)],
        "summary": "Текст сохраняется"})
    page = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in page and "Текст сохраняется" in page
    assert not Case.objects.exists()


def test_no_case_is_opened_for_a_person_the_actor_may_not_see(caseworker, person, client_as):
    client = client_as(caseworker)
    assert client.get(reverse("cases:create"), {"person": person.pk}).status_code == 404
    assert client.post(reverse("cases:create"), {"person": person.pk, "open": "1",
                                                 "risk_level": "low"}).status_code == 404
    assert client.get(reverse("cases:create")).status_code == 404
    assert not Case.objects.exists()


# --- the case page ---------------------------------------------------------------------------------

def test_the_case_page_shows_facts_sealed_text_and_the_timeline(coordinator, caseworker, case, client_as):
    case_add_note(actor=caseworker, case=case, body="Позвонил в 21:00.\nВсё в порядке.")
    page = _page(client_as(caseworker), case)
    for shown in (case.reference, "Магомед Исаев", "High", "Requested", "Задержан в 2017, освобождён.",
                  "Семья ищет его.", "Case opened by coordinator, risk High.", "Note by caseworker:",
                  "Позвонил в 21:00.\nВсё в порядке."):
        assert shown in page
    assert page.index("Case opened by") < page.index("Note by caseworker")


def test_every_view_of_a_case_is_audited(caseworker, case, client_as):
    client = client_as(caseworker)
    _page(client, case)
    _page(client, case)
    assert AuditEvent.objects.filter(action="case.read", target_id=str(case.pk), actor_id=caseworker.pk).count() == 2


def test_a_caseworker_gets_404_for_a_case_of_another_team_or_organisation(caseworker, coordinator, person, org,
                                                                           other_org, client_as):
    team = Team.objects.create(organisation=org, name="South")
    other_team = case_open(actor=coordinator, person=person, team=team, summary="Чужая команда")
    foreign_coordinator = staff_member(other_org, "foreign", ["coordinator"])
    foreign_person = person_create(actor=foreign_coordinator, organisation=other_org,
                                   data=PersonData(full_name="Чужой"))
    foreign = case_open(actor=foreign_coordinator, person=foreign_person, summary="Другая организация")
    client = client_as(caseworker)
    for case in (other_team, foreign):
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 404
        assert "Чуж" not in response.content.decode() and "Другая" not in response.content.decode()
        for name, data in (("cases:note", {"body": "x"}), ("cases:risk", {"risk_level": "low"}),
                           ("cases:summary", {"summary": "x"}), ("cases:assign", {})):
            assert client.post(reverse(name, args=[case.pk]), data).status_code == 404
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert not AuditEvent.objects.filter(action="case.read", actor_id=caseworker.pk).exists()
    assert not AuditEvent.objects.filter(action__in=["case.note", "case.risk", "case.update"]).exists()


def test_a_note_is_added_and_shown_on_the_timeline(caseworker, case, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("cases:note", args=[case.pk]), {"body": "  Встреча перенесена.  "})
    assert response.status_code == 302 and response.url.endswith("#timeline")
    page = _page(client, case)
    assert "Note by caseworker:" in page and "Встреча перенесена." in page and "Note added." in page


def test_an_empty_note_is_refused_on_its_field(caseworker, case, client_as):
    response = client_as(caseworker).post(reverse("cases:note", args=[case.pk]), {"body": "   "})
    assert response.status_code == 400 and "The note is empty." in response.content.decode()
    assert not case.notes.exists()


def test_the_risk_changes_with_its_reasons_and_the_timeline_says_so(caseworker, case, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("cases:risk", args=[case.pk]),
                           {"risk_level": "critical", "reasons": "Телефон изъят полицией."})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.risk_level, case.risk_reasons) == ("critical", "Телефон изъят полицией.")
    page = _page(client, case)
    assert "caseworker changed the risk from High to Critical." in page and "Телефон изъят полицией." in page


def test_an_unknown_risk_level_is_refused(caseworker, case, client_as):
    response = client_as(caseworker).post(reverse("cases:risk", args=[case.pk]),
                                          {"risk_level": "extreme", "reasons": "kept"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert Case.objects.get(pk=case.pk).risk_level == "high"


def test_the_summary_is_edited(caseworker, case, client_as):
    client = client_as(caseworker)
    assert client.post(reverse("cases:summary", args=[case.pk]), {"summary": "Новое резюме."}).status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Новое резюме."
    assert "caseworker edited the summary." in _page(client, case)


def test_only_a_coordinator_reassigns(coordinator, caseworker, case, org, client_as):
    colleague = staff_member(org, "colleague", ["caseworker"])
    team = Team.objects.create(organisation=org, name="North")
    assert 'action="%s"' % reverse("cases:assign", args=[case.pk]) not in _page(client_as(caseworker), case)
    response = client_as(caseworker).post(reverse("cases:assign", args=[case.pk]),
                                          {"assignees": [str(colleague.pk)]})
    assert response.status_code == 404 and list(case.assignees.all()) == [caseworker]

    client = client_as(coordinator)
    assert 'action="%s"' % reverse("cases:assign", args=[case.pk]) in _page(client, case)
    response = client.post(reverse("cases:assign", args=[case.pk]),
                           {"assignees": [str(colleague.pk)], "team": str(team.pk)})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert list(case.assignees.all()) == [colleague] and case.team == team
    assert "coordinator changed the assignment: colleague (team North)." in _page(client, case)
    assert client_as(caseworker).get(reverse("cases:detail", args=[case.pk])).status_code == 404
