"""The journey's moves: who may make them, what they need, four-eyes, hooks, timeline and audit."""
import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases import workflow
from safepassage.cases.models import CaseEvent, CaseTransition
from safepassage.cases.services import (TransitionNotAllowed, case_open, case_transition, case_transition_confirm,
                                        case_transition_reject)
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Зелимхан"))


@pytest.fixture
def case(coordinator, caseworker, person):
    return case_open(actor=coordinator, person=person, assignees=[caseworker])


@pytest.fixture
def second(org, unsealed_vault):
    return staff_member(org, "coordinator2", ["coordinator"])


@pytest.fixture
def hooks(workflow_hooks):
    """Registered hooks of a test are dropped afterwards (see conftest)."""
    return workflow_hooks


def _move(case, actor, to, reason="", **data):
    return case_transition(actor=actor, case=case, to_status=to, reason=reason, data=data)


def test_a_move_changes_the_stage_and_appears_on_the_timeline_and_in_the_audit_log(case, caseworker):
    record = _move(case, caseworker, "screening")
    case.refresh_from_db()
    assert case.status == "screening" and not record.pending and record.state == "applied"
    event = CaseEvent.objects.filter(case=case, kind="status").get()
    assert event.detail["from"] == "requested" and event.detail["to"] == "screening" and event.actor == caseworker
    audit = AuditEvent.objects.get(action="case.transition", target_id=str(case.pk))
    assert audit.detail["to"] == "screening" and audit.actor_id == caseworker.pk


def test_an_illegal_move_is_refused_with_the_moves_that_are_possible(case, coordinator):
    with pytest.raises(TransitionNotAllowed) as refused:
        _move(case, coordinator, "approved", "because")
    assert "cannot move from Requested to Approved" in refused.value.message
    assert "Screening" in refused.value.message
    case.refresh_from_db()
    assert case.status == "requested"


def test_a_final_stage_says_so(case, coordinator):
    _move(case, coordinator, "rejected", "not in our region")
    with pytest.raises(TransitionNotAllowed, match="Rejected is a final stage"):
        _move(case, coordinator, "screening")


def test_a_role_not_named_for_a_move_cannot_make_it(org, case, caseworker, coordinator):
    intake = staff_member(org, "intake", ["intake"])
    case.assignees.add(intake)
    _move(case, intake, "screening")
    with pytest.raises(TransitionNotAllowed, match="Your role cannot move a case from Screening to Verified"):
        _move(case, intake, "verified", "all checks passed")


def test_a_missing_reason_or_field_is_named(case, coordinator):
    _move(case, coordinator, "screening")
    with pytest.raises(TransitionNotAllowed, match="Give a reason for moving this case to Rejected"):
        _move(case, coordinator, "rejected")
    with pytest.raises(TransitionNotAllowed, match="fill in: Reference of the case it duplicates"):
        _move(case, coordinator, "duplicate", "same person as before")


def test_a_duplicate_must_name_an_existing_case_of_the_organisation(case, coordinator, person):
    other = case_open(actor=coordinator, person=person)
    with pytest.raises(TransitionNotAllowed, match="No case of this organisation has the reference C-1"):
        _move(case, coordinator, "duplicate", "same", duplicate_of="C-1")
    _move(case, coordinator, "duplicate", "same person", duplicate_of=other.reference)
    case.refresh_from_db()
    assert case.status == "duplicate"


def test_a_choice_field_accepts_only_its_choices_and_keeps_the_category_in_the_clear(case, coordinator):
    case.status = "referred"
    case.save()
    with pytest.raises(TransitionNotAllowed, match="Choose one of the offered values"):
        _move(case, coordinator, "denied", "letter received", denial_ground="they said no")
    _move(case, coordinator, "denied", "letter received", denial_ground="security")
    assert CaseEvent.objects.get(case=case, kind="status").detail["denial_ground"] == "security"


def test_the_reason_is_sealed_under_the_case_key(case, coordinator):
    record = _move(case, coordinator, "rejected", "Брат работает в полиции")
    raw = CaseTransition.objects.filter(pk=record.pk).values_list("reason", flat=True).get()
    assert "Брат".encode() not in bytes(raw)
    assert CaseTransition.objects.get(pk=record.pk).reason == "Брат работает в полиции"
    assert record.data_key_id == case.data_key_id


def test_entering_a_safe_house_waits_for_a_second_person(case, coordinator, second):
    case.status = "verified"
    case.save()
    record = _move(case, coordinator, "sheltered", "family found the flat")
    case.refresh_from_db()
    assert record.pending and case.status == "verified"
    assert CaseEvent.objects.filter(case=case, kind="status_requested").exists()
    with pytest.raises(TransitionNotAllowed, match="A second person must confirm this move: you asked for it"):
        case_transition_confirm(actor=coordinator, transition=record)
    with pytest.raises(TransitionNotAllowed, match="waiting for a second person's confirmation"):
        _move(case, coordinator, "referred")
    case_transition_confirm(actor=second, transition=record)
    case.refresh_from_db()
    record.refresh_from_db()
    assert case.status == "sheltered" and record.state == "applied" and record.decided_by == second
    event = CaseEvent.objects.get(case=case, kind="status")
    assert event.actor == second and event.detail["requested_by"] == coordinator.pk
    with pytest.raises(TransitionNotAllowed, match="already decided"):
        case_transition_confirm(actor=second, transition=record)


def test_the_confirming_person_needs_a_role_allowed_for_the_move(org, case, coordinator):
    intake = staff_member(org, "intake", ["intake"])
    case.assignees.add(intake)
    case.status = "verified"
    case.save()
    record = _move(case, coordinator, "sheltered", "needs a roof tonight")
    with pytest.raises(TransitionNotAllowed, match="Your role cannot move"):
        case_transition_confirm(actor=intake, transition=record)


def test_a_rejected_move_leaves_the_case_where_it_was(case, coordinator, second):
    case.status = "verified"
    case.save()
    record = _move(case, coordinator, "sheltered", "needs a roof")
    case_transition_reject(actor=second, transition=record, reason="the house is watched")
    case.refresh_from_db()
    record.refresh_from_db()
    assert case.status == "verified" and record.state == "rejected"
    assert record.rejection_reason == "the house is watched"
    assert CaseEvent.objects.filter(case=case, kind="status_rejected").exists()
    assert AuditEvent.objects.filter(action="case.transition.reject").exists()
    _move(case, coordinator, "referred")  # nothing is waiting any more


def test_someone_outside_the_case_cannot_move_it(case, other_org):
    from safepassage.policy.rules import NotAllowed

    stranger = staff_member(other_org, "stranger", ["coordinator"])
    with pytest.raises(NotAllowed):
        _move(case, stranger, "screening")


def test_a_guard_refuses_and_a_confirmable_guard_asks_for_a_second_person(hooks, case, coordinator, second):
    hooks.register_guard("screening", lambda case, data: ["Not today."])
    with pytest.raises(TransitionNotAllowed, match="Not today."):
        _move(case, coordinator, "screening")
    hooks._guards["screening"].clear()
    hooks.register_guard("screening", lambda case, data: ["Two plan items are open."], confirmable=True)
    record = _move(case, coordinator, "screening")
    assert record.pending and record.warnings == ["Two plan items are open."]
    case_transition_confirm(actor=second, transition=record)
    case.refresh_from_db()
    assert case.status == "screening"


def test_effects_run_when_the_move_is_applied_and_can_undo_it(hooks, case, coordinator):
    seen = []
    hooks.register_effect("screening", lambda *, actor, case, data: seen.append((actor, case.status, data)))
    _move(case, coordinator, "screening", note_for_effect="x")
    assert seen == [(coordinator, "screening", {"note_for_effect": "x"})]

    def refuse(*, actor, case, data):
        raise TransitionNotAllowed("No room.")

    hooks.register_effect("rejected", refuse)
    with pytest.raises(TransitionNotAllowed, match="No room."):
        _move(case, coordinator, "rejected", "x")
    case.refresh_from_db()
    assert case.status == "screening"
    assert not CaseEvent.objects.filter(case=case, kind="status", detail__to="rejected").exists()


def test_a_registered_field_is_required_and_offered(hooks, case, coordinator):
    hooks.register_field("screening", "house", label="Safe house", choices=lambda case: [("h1", "North")])
    t = workflow.transition("requested", "screening")
    assert [f.name for f in t.required_fields()] == ["house"]
    with pytest.raises(TransitionNotAllowed, match="fill in: Safe house"):
        _move(case, coordinator, "screening")
    _move(case, coordinator, "screening", house="h1")


def test_closing_waits_for_a_second_person(case, coordinator, second):
    case.status = "settling"
    case.save()
    record = _move(case, coordinator, "closed", "plan complete", outcome="settled")
    assert record.pending
    case_transition_confirm(actor=second, transition=record)
    case.refresh_from_db()
    assert case.status == "closed"


def test_the_requester_visible_gate_holds_until_verification(case, coordinator):
    with pytest.raises(workflow.NotVerified):
        workflow.require_verified(case)
    case.status = "verified"
    assert workflow.case_is_verified(case)
    workflow.require_verified(case)
    case.status = "entrapment_suspected"
    assert not workflow.case_is_verified(case)
