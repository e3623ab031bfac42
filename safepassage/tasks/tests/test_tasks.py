"""Tasks: started by moves, given to people, completed; sealed titles; the work queue."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safepassage.accounts.models import Team
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import CaseEvent
from safepassage.cases.services import case_open, case_transition
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.tasks.models import Task
from safepassage.tasks.selectors import tasks_for_user, tasks_of_case
from safepassage.tasks.services import task_complete, task_create


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Ибрагим"))


@pytest.fixture
def case(coordinator, caseworker, person):
    return case_open(actor=coordinator, person=person, assignees=[caseworker])


def test_moving_to_screening_starts_verify_identity_within_48_hours(case, caseworker):
    before = timezone.now()
    case_transition(actor=caseworker, case=case, to_status="screening")
    verify = Task.objects.get(case=case, kind="verify_identity")
    assert verify.display_title == "Verify identity" and verify.assignee == caseworker and verify.urgent
    assert timedelta(hours=47, minutes=59) < verify.due_at - before <= timedelta(hours=48, seconds=5)
    assert verify.created_by is None and verify.stage == "screening"


def test_a_case_opened_in_screening_gets_the_same_tasks(coordinator, caseworker, person):
    case = case_open(actor=coordinator, person=person, assignees=[caseworker], status="screening")
    assert set(Task.objects.filter(case=case).values_list("kind", flat=True)) == {"verify_identity", "safe_channel"}


def test_leaving_a_stage_closes_the_tasks_it_started(case, caseworker):
    case_transition(actor=caseworker, case=case, to_status="screening")
    case_transition(actor=caseworker, case=case, to_status="unreachable", reason="phone off for a week")
    outcomes = dict(Task.objects.filter(case=case).values_list("kind", "outcome"))
    assert outcomes == {"verify_identity": "superseded", "safe_channel": "superseded", "recontact": ""}


def test_a_typed_title_is_sealed_and_completing_is_audited(case, caseworker):
    task = task_create(actor=caseworker, case=case, title="Позвонить сестре в Грозный",
                       due_at=timezone.now() + timedelta(days=1))
    raw = Task.objects.filter(pk=task.pk).values_list("title", flat=True).get()
    assert "Грозный".encode() not in bytes(raw)
    assert Task.objects.get(pk=task.pk).display_title == "Позвонить сестре в Грозный"
    task_complete(actor=caseworker, task=task)
    task.refresh_from_db()
    assert task.done_at and task.done_by == caseworker and task.outcome == "done"
    assert CaseEvent.objects.filter(case=case, kind="task_done").exists()
    assert AuditEvent.objects.filter(action="task.complete", target_id=str(task.pk)).exists()


def test_a_task_needs_words_and_an_assignee_of_the_organisation(case, caseworker, other_org):
    with pytest.raises(ValidationError):
        task_create(actor=caseworker, case=case, title="  ")
    stranger = staff_member(other_org, "stranger", ["caseworker"])
    with pytest.raises(ValidationError):
        task_create(actor=caseworker, case=case, title="Call", assignee=stranger)


def test_my_work_holds_my_tasks_and_my_teams_sorted_by_risk_then_due_date(org, coordinator, caseworker, person):
    team = Team.objects.create(organisation=org, name="North")
    caseworker.membership.teams.add(team)
    now = timezone.now()
    low = case_open(actor=coordinator, person=person, risk_level="low", assignees=[caseworker])
    critical = case_open(actor=coordinator, person=person, risk_level="critical", team=team)
    someone_elses = case_open(actor=coordinator, person=person, risk_level="critical", assignees=[coordinator])
    a = task_create(actor=coordinator, case=low, title="low, soon", due_at=now + timedelta(hours=1),
                    assignee=caseworker)
    b = task_create(actor=coordinator, case=critical, title="critical, later", due_at=now + timedelta(days=3))
    c = task_create(actor=coordinator, case=critical, title="critical, overdue", due_at=now - timedelta(hours=2))
    task_create(actor=coordinator, case=someone_elses, title="not mine", assignee=coordinator)
    d = task_create(actor=coordinator, case=low, title="low, undated")
    mine = tasks_for_user(caseworker)
    assert [t.pk for t in mine] == [c.pk, b.pk, a.pk, d.pk]
    assert [t.is_overdue for t in mine] == [True, False, False, False]
    task_complete(actor=caseworker, task=a)
    assert a.pk not in [t.pk for t in tasks_for_user(caseworker)]
    assert AuditEvent.objects.filter(action="task.list", actor_id=caseworker.pk).exists()


def test_tasks_of_a_case_need_access_to_the_case(case, caseworker, other_org):
    from safepassage.policy.rules import NotAllowed

    task_create(actor=caseworker, case=case, title="Call")
    assert len(tasks_of_case(caseworker, case)) == 1
    with pytest.raises(NotAllowed):
        tasks_of_case(staff_member(other_org, "stranger", ["coordinator"]), case)
