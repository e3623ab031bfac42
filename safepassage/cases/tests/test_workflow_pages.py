"""The case page's "Move to…" form and four-eyes banner, my work, and the pipeline: as a user sees them."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.cases.services import case_open, case_transition
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.tasks.services import task_create


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Аминат"))


@pytest.fixture
def case(coordinator, caseworker, person):
    return case_open(actor=coordinator, person=person, assignees=[caseworker], risk_level="high")


def _page(client, case, **params) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_move_form_offers_only_the_moves_the_viewer_may_make(org, case, caseworker, client_as):
    intake = staff_member(org, "intake", ["intake"])
    case.assignees.add(intake)
    case_transition(actor=caseworker, case=case, to_status="screening")
    as_caseworker = _page(client_as(caseworker), case)
    as_intake = _page(client_as(intake), case)
    assert 'value="verified"' in as_caseworker and "Move to Verified" in as_caseworker
    assert 'value="verified"' not in as_intake and 'value="entrapment_suspected"' in as_intake
    assert 'value="approved"' not in as_caseworker


def test_a_move_is_made_from_the_case_page_and_shows_on_the_timeline(case, caseworker, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("cases:move", args=[case.pk]), {"to": "screening"}, follow=True)
    page = response.content.decode()
    assert "Case moved to Screening." in page
    assert "caseworker moved the case from Requested to Screening." in page
    assert "Verify identity" in page  # the task it started


def test_a_move_without_its_reason_comes_back_with_the_error_and_the_input(case, caseworker, client_as):
    response = client_as(caseworker).post(reverse("cases:move", args=[case.pk]), {
        "to": "duplicate", "move-duplicate-duplicate_of": "C-2020-00001", "move-duplicate-reason": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required." in page and "C-2020-00001" in page
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_a_stale_or_illegal_move_says_why(case, caseworker, client_as):
    response = client_as(caseworker).post(reverse("cases:move", args=[case.pk]), {"to": "closed"}, follow=True)
    page = response.content.decode()
    assert "A case cannot move from Requested to Closed." in page


def test_a_second_person_confirms_from_the_banner(org, case, coordinator, caseworker, client_as):
    case.status = "verified"
    case.save()
    client = client_as(caseworker)
    response = client.post(reverse("cases:move", args=[case.pk]), {
        "to": "sheltered", "move-sheltered-reason": "the family found the flat"}, follow=True)
    page = response.content.decode()
    assert "waits for a second person&#x27;s confirmation" in page
    assert "caseworker asked to move this case from Verified to Sheltered. A second person must confirm." in page
    assert "Withdraw my request" in page and "Confirm the move" not in page and "Move to…" not in page
    other = _page(client_as(coordinator), case)
    assert "Confirm the move" in other and "the family found the flat" in other
    pending = case.transitions.get()
    response = client_as(coordinator).post(reverse("cases:move_confirm", args=[case.pk, pending.pk]), follow=True)
    assert "Confirmed: case moved to Sheltered." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "sheltered"


def test_turning_a_move_down_keeps_the_case_and_records_why(case, coordinator, caseworker, client_as):
    case.status = "verified"
    case.save()
    pending = case_transition(actor=caseworker, case=case, to_status="sheltered", reason="needs a roof")
    response = client_as(coordinator).post(reverse("cases:move_reject", args=[case.pk, pending.pk]),
                                           {"reason": "that house is watched"}, follow=True)
    page = response.content.decode()
    assert "was turned down" in page and "coordinator turned down the move to Sheltered." in page
    assert "that house is watched" in page
    assert Case.objects.get(pk=case.pk).status == "verified"


def test_an_outsider_gets_the_same_404_for_moves(case, other_org, client_as):
    stranger = client_as(staff_member(other_org, "stranger", ["coordinator"]))
    assert stranger.post(reverse("cases:move", args=[case.pk]), {"to": "screening"}).status_code == 404
    assert stranger.post(reverse("cases:move", args=[Case().pk]), {"to": "screening"}).status_code == 404


def test_my_work_lists_tasks_by_risk_then_due_date_and_flags_the_overdue(org, coordinator, caseworker, person,
                                                                        case, client_as):
    now = timezone.now()
    low = case_open(actor=coordinator, person=person, risk_level="low", assignees=[caseworker])
    task_create(actor=coordinator, case=low, title="Купить SIM-карту", due_at=now - timedelta(days=1),
                assignee=caseworker)
    task_create(actor=coordinator, case=case, title="Встреча с адвокатом", due_at=now + timedelta(days=2),
                assignee=caseworker)
    page = client_as(caseworker).get(reverse("tasks:my_work")).content.decode()
    assert page.index("Встреча с адвокатом") < page.index("Купить SIM-карту")  # high risk before low
    assert "1 task is overdue." in page and 'class="overdue"' in page and "Overdue" in page


def test_a_task_is_added_and_done_from_the_pages(case, caseworker, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("tasks:create", args=[case.pk]), {"title": "Найти переводчика",
                                                                     "due": "2030-01-31", "urgent": "on"}, follow=True)
    page = response.content.decode()
    assert "Task added." in page and "Найти переводчика" in page and "2030-01-31 23:59" in page
    task = case.tasks.get()
    response = client.post(reverse("tasks:done", args=[task.pk]), {"next": reverse("tasks:my_work")}, follow=True)
    assert "Task done." in response.content.decode() and "Nothing on your plate." in response.content.decode()
    assert client.post(reverse("tasks:create", args=[case.pk]), {"title": ""}).status_code == 400


def test_the_pipeline_shows_a_chart_and_a_table(case, caseworker, coordinator, client_as):
    case_transition(actor=caseworker, case=case, to_status="screening")
    response = client_as(coordinator).get(reverse("cases:pipeline"))
    page = response.content.decode()
    assert response.status_code == 200 and 'src="data:image/svg+xml;base64,' in page and "<script" not in page
    assert '<th scope="row">Screening</th><td>1</td>' in page
    assert client_as(staff_member(case.organisation, "r", ["researcher"])).get(
        reverse("cases:pipeline")).status_code == 403


@pytest.mark.parametrize("lang", ["ru", "fr"])
def test_the_workflow_pages_render_in_other_languages(lang, case, caseworker, coordinator, client_as):
    case_transition(actor=caseworker, case=case, to_status="screening")
    task_create(actor=caseworker, case=case, title="x", due_at=timezone.now() - timedelta(hours=1))
    for client, url in ((client_as(caseworker), reverse("cases:detail", args=[case.pk])),
                        (client_as(caseworker), reverse("tasks:my_work")),
                        (client_as(coordinator), reverse("cases:pipeline")),
                        (client_as(caseworker), reverse("verification:case", args=[case.pk]))):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200, url
        assert f'lang="{lang}"' in response.content.decode()


def test_a_member_whose_role_cannot_make_the_move_is_not_offered_to_confirm_it(org, case, coordinator, client_as):
    intake = staff_member(org, "intake", ["intake"])
    case.assignees.add(intake)
    case.status = "verified"
    case.save()
    case_transition(actor=coordinator, case=case, to_status="sheltered", reason="needs a roof")
    page = _page(client_as(intake), case)
    assert "A second person must confirm." in page and "Confirm the move" not in page


@pytest.mark.parametrize("lang", ["ru", "fr"])
def test_the_verification_admin_pages_render_in_other_languages(lang, coordinator, client_as):
    from safepassage.verification.services import referrer_add

    referrer = referrer_add(actor=coordinator, organisation=coordinator.membership.organisation, name="X")
    client = client_as(coordinator)
    for url in (reverse("verification:checklist"), reverse("verification:referrers"),
                reverse("verification:referrer", args=[referrer.pk])):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200 and f'lang="{lang}"' in response.content.decode(), url
