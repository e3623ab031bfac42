"""Writing tasks: create and complete. Each in one transaction with its audit row and timeline line."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, membership, require

from .kinds import CUSTOM, is_known
from .models import Task


def _timeline(case, actor, kind: str, **detail) -> None:
    from safepassage.cases.models import CaseEvent

    CaseEvent.objects.create(case=case, actor=actor, kind=kind, detail=detail)


@transaction.atomic
def task_create(*, actor, case, kind: str = CUSTOM, title: str = "", due_at=None, assignee=None,
                urgent: bool = False, stage: str = "") -> Task:
    """A task on `case`. `actor` is None for tasks the system starts (a move of the case).

    `title` is sealed under the case's key; generated tasks leave it empty and show their kind.
    """
    if actor is not None:
        require(actor, "case.task", case)
    title = (title or "").strip()
    if not title and (kind == CUSTOM or not is_known(kind)):
        raise ValidationError({"title": _("Say what needs doing.")})
    if assignee is not None:
        member = membership(assignee)
        if member is None or member.organisation_id != case.organisation_id:
            raise ValidationError({"assignee": _("Tasks can only be given to members of this organisation.")})
    task = Task(case=case, data_key_id=case.data_key_id, kind=kind, stage=stage, assignee=assignee,
                due_at=due_at, urgent=urgent, created_by=actor)
    task.title = title
    task.save()
    _timeline(case, actor, "task", task=str(task.pk), task_kind=kind,
              assignee=assignee.pk if assignee else None, due=due_at.isoformat() if due_at else None)
    audit_record(actor=actor, action="task.create", target=task, organisation=case.organisation_id,
                 case=str(case.pk), kind=kind)
    return task


def may_complete(actor, task: Task) -> bool:
    return (task.assignee_id is not None and getattr(actor, "pk", None) == task.assignee_id
            and membership(actor) is not None) or can(actor, "case.task", task.case)


@transaction.atomic
def task_complete(*, actor, task: Task) -> Task:
    """Mark done (by its assignee or anyone who works the case). Completing a done task changes nothing."""
    if not may_complete(actor, task):
        require(actor, "case.task", task.case)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return task
    task.done_at, task.done_by, task.outcome = timezone.now(), actor, Task.OUTCOME_DONE
    task.save(update_fields=["done_at", "done_by", "outcome"])
    _timeline(task.case, actor, "task_done", task=str(task.pk), task_kind=task.kind)
    audit_record(actor=actor, action="task.complete", target=task, organisation=task.case.organisation_id,
                 case=str(task.case_id))
    return task


def tasks_supersede(*, case, stage: str) -> int:
    """Close the open tasks a stage started, once the case has left it (called by the case workflow)."""
    return (Task.objects.filter(case=case, stage=stage, done_at__isnull=True)
            .update(done_at=timezone.now(), outcome=Task.OUTCOME_SUPERSEDED))
