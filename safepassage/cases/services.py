"""Writing cases: open, move between stages, assign, set risk, add notes. Each in one transaction
with its audit row and its line on the timeline."""
from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require, roles_of
from safepassage.tasks.services import task_create, tasks_supersede

from . import workflow
from .models import Case, CaseEvent, CaseNote, CaseTransition
from .workflow import TransitionNotAllowed

__all__ = ["TransitionNotAllowed", "case_open", "case_transition", "case_transition_confirm",
           "case_transition_reject", "case_set_risk", "case_update_summary", "case_assign", "case_add_note"]

RISK_LEVELS = dict(Case.RISK_CHOICES)


def _next_reference(organisation) -> str:
    year = timezone.now().year
    prefix = f"{organisation.case_prefix}-{year}-"
    last = (Case.objects.filter(reference__startswith=prefix).order_by("-reference")
            .values_list("reference", flat=True).first())
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _check_assignees(organisation, assignees) -> list:
    assignees = list(assignees or [])
    for user in assignees:
        member = membership(user)
        if member is None or member.organisation_id != organisation.pk:
            raise ValidationError({"assignees": _("Cases can only be assigned to members of this organisation.")})
    return assignees


@transaction.atomic
def case_open(*, actor, person, summary: str = "", risk_level: str = "medium", risk_reasons: str = "",
              assignees=(), team=None, status: str = "requested") -> Case:
    require(actor, "case.create")
    if person.organisation_id != membership(actor).organisation_id:
        raise ValidationError(_("A case can only be opened for a person of your organisation."))
    if risk_level not in RISK_LEVELS:
        raise ValidationError({"risk_level": _("Unknown risk level.")})
    if status not in dict(Case.STATUS_CHOICES):
        raise ValidationError({"status": _("Unknown stage.")})
    assignees = _check_assignees(person.organisation, assignees)
    case = Case(organisation=person.organisation, person=person, reference=_next_reference(person.organisation),
                risk_level=risk_level, risk_rank=Case.RISK_ORDER[risk_level], team=team, opened_by=actor,
                status=status)
    case.summary = summary.strip()
    case.risk_reasons = risk_reasons.strip()
    case.save()
    if not assignees and "caseworker" in membership(actor).roles:
        assignees = [actor]
    case.assignees.set(assignees)
    CaseEvent.objects.create(case=case, actor=actor, kind="opened",
                             detail={"risk": risk_level, "assignees": [u.pk for u in assignees], "status": status})
    audit_record(actor=actor, action="case.create", target=case, person=str(person.pk))
    _start_tasks(case, actor, workflow.tasks_on_entering(status), status)
    return case


# --- moving a case along the journey ------------------------------------------------------------

def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _check_role(actor, t: workflow.Transition) -> None:
    if not roles_of(actor) & t.roles:
        raise TransitionNotAllowed(
            _("Your role cannot move a case from %(from)s to %(to)s.")
            % {"from": workflow.status_label(t.source), "to": t.label()})


def _the_move(case: Case, to_status: str) -> workflow.Transition:
    t = workflow.transition(case.status, to_status)
    if t is None:
        if to_status not in dict(Case.STATUS_CHOICES):
            raise TransitionNotAllowed(_("There is no stage called %(to)s.") % {"to": to_status})
        allowed = [x.label() for x in workflow.transitions_from(case.status)]
        message = _("A case cannot move from %(from)s to %(to)s.") % {
            "from": workflow.status_label(case.status), "to": workflow.status_label(to_status)}
        if allowed:
            message += " " + _("From %(from)s it can move to: %(allowed)s.") % {
                "from": workflow.status_label(case.status), "allowed": ", ".join(allowed)}
        else:
            message += " " + _("%(from)s is a final stage.") % {"from": workflow.status_label(case.status)}
        raise TransitionNotAllowed(message)
    return t


def _default_assignee(case: Case, actor):
    assignees = list(case.assignees.order_by("username"))
    if actor is not None and any(u.pk == actor.pk for u in assignees):
        return actor
    return assignees[0] if assignees else None


def _start_tasks(case: Case, actor, templates, stage: str) -> list:
    if not templates:
        return []
    now, assignee = timezone.now(), _default_assignee(case, actor)
    return [task_create(actor=None, case=case, kind=t.kind, stage=stage, assignee=assignee, urgent=t.urgent,
                        due_at=now + timedelta(hours=t.due_hours) if t.due_hours else None)
            for t in templates]


def _apply(*, actor, case: Case, record: CaseTransition, t: workflow.Transition, data: dict) -> None:
    """The move itself: stage, timeline, tasks, other apps' effects, audit. Inside the caller's transaction."""
    now = timezone.now()
    left = case.status
    case.status, case.status_since = t.target, now
    case.save(update_fields=["status", "status_since", "updated_at"])
    record.state, record.decided_by, record.decided_at = CaseTransition.APPLIED, actor, now
    record.save(update_fields=["state", "decided_by", "decided_at"])
    detail = {"from": t.source, "to": t.target, "transition": str(record.pk), **workflow.clear_values(t, data)}
    if record.requested_by_id and record.requested_by_id != getattr(actor, "pk", None):
        detail["requested_by"] = record.requested_by_id
    CaseEvent.objects.create(case=case, actor=actor, kind="status", detail=detail)
    tasks_supersede(case=case, stage=left)
    _start_tasks(case, actor, t.tasks, t.target)
    workflow.run_effects(t, actor=actor, case=case, data=data)
    audit_record(actor=actor, action="case.transition", target=case, transition=str(record.pk),
                 source=t.source, to=t.target, requested_by=record.requested_by_id)


def _check_guards(t: workflow.Transition, case: Case, data: dict) -> workflow.GuardOutcome:
    outcome = workflow.run_guards(t, case, data)
    if outcome.errors:
        raise TransitionNotAllowed(" ".join(outcome.errors), errors=outcome.errors)
    return outcome


def _duplicate_guard(case: Case, data: dict) -> list:
    reference = str(data.get("duplicate_of", "")).strip()
    if reference == case.reference:
        return [_("A case cannot duplicate itself.")]
    if not Case.objects.filter(organisation_id=case.organisation_id, reference__iexact=reference).exists():
        return [_("No case of this organisation has the reference %(ref)s.") % {"ref": reference[:24]}]
    return []



@transaction.atomic
def case_transition(*, actor, case: Case, to_status: str, reason: str = "", data: dict | None = None) -> CaseTransition:
    """Move `case` to `to_status`, or ask a second person to confirm the move (``record.pending``).

    Raises ``TransitionNotAllowed`` (a message to show) for an illegal move, a role that may not make
    it, a missing reason or field, a refusing guard, or a move already waiting for confirmation.
    """
    require(actor, "case.transition", case)
    locked = _lock(case)
    t = _the_move(locked, to_status)
    _check_role(actor, t)
    waiting = locked.transitions.filter(state=CaseTransition.PENDING).first()
    if waiting is not None:
        raise TransitionNotAllowed(
            _("A move to %(to)s is waiting for a second person's confirmation: confirm or reject it first.")
            % {"to": workflow.status_label(waiting.target)})
    reason = (reason or "").strip()
    if t.reason_required and not reason:
        raise TransitionNotAllowed(_("Give a reason for moving this case to %(to)s.") % {"to": t.label()})
    data = workflow.clean_data(t, locked, data)
    outcome = _check_guards(t, locked, data)
    record = CaseTransition(case=locked, data_key_id=locked.data_key_id, source=t.source, target=t.target,
                            requested_by=actor)
    record.reason, record.data, record.warnings = reason, data, outcome.warnings
    if t.four_eyes or outcome.warnings:
        record.save()
        CaseEvent.objects.create(case=locked, actor=actor, kind="status_requested",
                                 detail={"from": t.source, "to": t.target, "transition": str(record.pk)})
        Case.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        audit_record(actor=actor, action="case.transition.request", target=locked, transition=str(record.pk),
                     source=t.source, to=t.target)
    else:
        record.state = CaseTransition.APPLIED
        record.save()
        _apply(actor=actor, case=locked, record=record, t=t, data=data)
    case.status, case.status_since = locked.status, locked.status_since
    return record


def _lock_pending(transition: CaseTransition) -> tuple[Case, CaseTransition]:
    case = _lock(transition.case)
    record = CaseTransition.objects.select_for_update().get(pk=transition.pk)
    if record.state != CaseTransition.PENDING:
        raise TransitionNotAllowed(_("This move was already decided."))
    return case, record


@transaction.atomic
def case_transition_confirm(*, actor, transition: CaseTransition) -> CaseTransition:
    """The second person confirms a pending move: it is applied now, with them as the actor."""
    require(actor, "case.transition", transition.case)
    case, record = _lock_pending(transition)
    if record.requested_by_id == actor.pk:
        raise TransitionNotAllowed(_("A second person must confirm this move: you asked for it."))
    t = workflow.transition(record.source, record.target)
    if t is None or case.status != record.source:
        raise TransitionNotAllowed(_("The case is no longer in %(from)s: this move cannot be applied.")
                                   % {"from": workflow.status_label(record.source)})
    _check_role(actor, t)
    data = record.data or {}
    _check_guards(t, case, data)  # what a guard refuses now is refused, even if it passed when asked
    _apply(actor=actor, case=case, record=record, t=t, data=data)
    transition.state, transition.decided_by, transition.decided_at = record.state, actor, record.decided_at
    transition.case.status, transition.case.status_since = case.status, case.status_since
    return record


@transaction.atomic
def case_transition_reject(*, actor, transition: CaseTransition, reason: str = "") -> CaseTransition:
    """Turn down a pending move (or, by the person who asked, withdraw it). The case stays where it is."""
    require(actor, "case.transition", transition.case)
    case, record = _lock_pending(transition)
    t = workflow.transition(record.source, record.target)
    if record.requested_by_id != actor.pk and t is not None:
        _check_role(actor, t)
    record.state, record.decided_by, record.decided_at = CaseTransition.REJECTED, actor, timezone.now()
    record.rejection_reason = (reason or "").strip()
    record.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="status_rejected",
                             detail={"from": record.source, "to": record.target, "transition": str(record.pk)})
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    audit_record(actor=actor, action="case.transition.reject", target=case, transition=str(record.pk),
                 source=record.source, to=record.target)
    transition.state = record.state
    return record


@transaction.atomic
def case_set_risk(*, actor, case: Case, risk_level: str, reasons: str) -> None:
    require(actor, "case.edit", case)
    if risk_level not in RISK_LEVELS:
        raise ValidationError({"risk_level": _("Unknown risk level.")})
    before = case.risk_level
    case.risk_level, case.risk_rank = risk_level, Case.RISK_ORDER[risk_level]
    case.risk_reasons = reasons.strip()
    case.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="risk", detail={"from": before, "to": risk_level})
    audit_record(actor=actor, action="case.risk", target=case, before=before, after=risk_level)


@transaction.atomic
def case_update_summary(*, actor, case: Case, summary: str) -> None:
    require(actor, "case.edit", case)
    case.summary = summary.strip()
    case.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="summary")
    audit_record(actor=actor, action="case.update", target=case, fields=["summary"])


@transaction.atomic
def case_assign(*, actor, case: Case, assignees, team=None) -> None:
    require(actor, "case.assign", case)
    assignees = _check_assignees(case.organisation, assignees)
    if team is not None and team.organisation_id != case.organisation_id:
        raise ValidationError({"team": _("That team is not in this organisation.")})
    case.assignees.set(assignees)
    case.team = team
    case.save(update_fields=["team", "updated_at"])
    ids = [u.pk for u in assignees]
    CaseEvent.objects.create(case=case, actor=actor, kind="assigned", detail={"assignees": ids,
                                                                              "team": team.pk if team else None})
    audit_record(actor=actor, action="case.assign", target=case, assignees=ids)


@transaction.atomic
def case_add_note(*, actor, case: Case, body: str) -> CaseNote:
    require(actor, "case.note", case)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("The note is empty.")})
    note = CaseNote(case=case, author=actor, data_key_id=case.data_key_id)
    note.body = body
    note.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="note", note=note)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    audit_record(actor=actor, action="case.note", target=case, note=str(note.pk))
    return note
