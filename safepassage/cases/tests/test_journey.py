"""A whole journey through the services: requested to closed, with four-eyes steps, refusals, tasks."""
from datetime import timedelta

import pytest
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import audit_verify
from safepassage.cases.models import Case, CaseEvent
from safepassage.cases.selectors import case_timeline_entries, pipeline
from safepassage.cases.services import (TransitionNotAllowed, case_open, case_transition, case_transition_confirm)
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.tasks.models import Task
from safepassage.tasks.selectors import tasks_for_user
from safepassage.tasks.services import task_complete
from safepassage.verification.services import checklist_items, check_record, referrer_add, vouch_record


@pytest.fixture
def second(org, unsealed_vault):
    return staff_member(org, "coordinator2", ["coordinator"])


def _move(actor, case, to, reason="", **data):
    return case_transition(actor=actor, case=case, to_status=to, reason=reason, data=data)


def test_a_case_walks_from_request_to_closed(org, coordinator, caseworker, second):
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Мовсар Д."))
    case = case_open(actor=coordinator, person=person, risk_level="critical", assignees=[caseworker])
    assert case.status == "requested"

    # screening starts the vetting tasks, on the caseworker's plate
    _move(caseworker, case, "screening")
    assert [t.label for t in tasks_for_user(caseworker)] == ["Agree a safe contact channel", "Verify identity"]

    # not verified before the checklist is complete
    with pytest.raises(TransitionNotAllowed) as refused:
        _move(caseworker, case, "verified", "talked twice")
    assert refused.value.message == ("Checks not done yet: Identity confirmed, Vouched for by a trusted referrer, "
                                     "Story consistent across conversations, Safe contact channel agreed.")
    items = {i.code: i for i in checklist_items(org)}
    for code in ("identity", "story", "channel"):
        check_record(actor=caseworker, case=case, item=items[code], outcome="passed", note="по видеосвязи")
    referrer = referrer_add(actor=coordinator, organisation=org, name="Адвокат из Москвы")
    vouch_record(actor=caseworker, case=case, referrer=referrer, note="знает его с 2015 года")
    for task in tasks_for_user(caseworker):
        task_complete(actor=caseworker, task=task)
    assert tasks_for_user(caseworker) == []

    _move(caseworker, case, "verified", "all four checks passed")
    assert Task.objects.get(case=case, kind="assess_shelter").done_at is None

    # an illegal jump is refused, with what is possible instead
    with pytest.raises(TransitionNotAllowed) as refused:
        _move(caseworker, case, "approved", "hurry")
    assert refused.value.message == ("A case cannot move from Verified to Approved. "
                                     "From Verified it can move to: Sheltered, Referred.")

    # into a safe house: four-eyes
    asked = _move(caseworker, case, "sheltered", "threats from the family this week")
    assert asked.pending and Case.objects.get(pk=case.pk).status == "verified"
    with pytest.raises(TransitionNotAllowed, match="you asked for it"):
        case_transition_confirm(actor=caseworker, transition=asked)
    case_transition_confirm(actor=coordinator, transition=asked)
    case.refresh_from_db()
    assert case.status == "sheltered"

    # referred, denied (a ground is required), referred elsewhere, approved
    _move(caseworker, case, "referred")
    with pytest.raises(TransitionNotAllowed, match="fill in: Ground of the denial"):
        _move(caseworker, case, "denied", "letter of refusal")
    _move(caseworker, case, "denied", "letter of refusal", denial_ground="quota")
    assert Task.objects.get(case=case, kind="re_refer").done_at is None
    _move(caseworker, case, "referred", "second programme")
    assert Task.objects.get(case=case, kind="re_refer").outcome == "superseded"
    _move(caseworker, case, "approved")
    _move(caseworker, case, "in_transit")
    _move(caseworker, case, "arrived")
    _move(caseworker, case, "settling")

    # closing: an outcome, a reason, and a second person
    with pytest.raises(TransitionNotAllowed, match="fill in: Outcome"):
        _move(caseworker, case, "closed", "plan complete")
    asked = _move(caseworker, case, "closed", "plan complete", outcome="settled")
    assert asked.pending
    case_transition_confirm(actor=second, transition=asked)
    case.refresh_from_db()
    assert case.status == "closed"

    journey = ["screening", "verified", "sheltered", "referred", "denied", "referred", "approved", "in_transit",
               "arrived", "settling", "closed"]
    assert [e.detail["to"] for e in CaseEvent.objects.filter(case=case, kind="status")] == journey
    assert AuditEvent.objects.filter(action="case.transition", target_id=str(case.pk)).count() == len(journey)
    assert AuditEvent.objects.filter(action="case.transition.request", target_id=str(case.pk)).count() == 2
    lines = [e for e in case_timeline_entries(case) if e.kind == "status"]
    assert lines[2].reason == "threats from the family this week" and lines[2].requested_by == "caseworker"
    assert lines[4].categories == [("Ground of the denial", "Quota or programme full")]
    assert lines[-1].actor == "coordinator2" and lines[-1].reason == "plan complete"
    assert audit_verify().ok


def _at(case, kind, when, **match):
    events = CaseEvent.objects.filter(case=case, kind=kind, **{f"detail__{k}": v for k, v in match.items()})
    events.update(at=when)


def test_the_pipeline_counts_cases_per_stage_and_measures_time_in_stage(org, coordinator):
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Тест"))
    t0 = timezone.now() - timedelta(days=30)
    first = case_open(actor=coordinator, person=person)
    second = case_open(actor=coordinator, person=person)
    third = case_open(actor=coordinator, person=person)
    _move(coordinator, first, "screening")
    _move(coordinator, second, "screening")
    _move(coordinator, first, "rejected", "outside our region")
    for case in (first, second, third):
        _at(case, "opened", t0)
    _at(first, "status", t0 + timedelta(days=2), to="screening")
    _at(first, "status", t0 + timedelta(days=5), to="rejected")
    _at(second, "status", t0 + timedelta(days=4), to="screening")
    now = t0 + timedelta(days=10)

    stages = {s.status: s for s in pipeline(coordinator, now=now)}
    assert {k: s.count for k, s in stages.items() if s.count} == {"requested": 1, "screening": 1, "rejected": 1}
    # requested: left after 2 and 4 days; screening: left after 3 days
    assert (stages["requested"].stays, stages["requested"].median_days, stages["requested"].mean_days) == (2, 3.0, 3.0)
    assert (stages["screening"].stays, stages["screening"].median_days) == (1, 3.0)
    # waiting now: the third case 10 days in requested, the second 6 days in screening
    assert stages["requested"].waiting_median_days == 10.0 and stages["screening"].waiting_median_days == 6.0
    assert stages["rejected"].waiting_median_days is None and stages["verified"].median_days is None
