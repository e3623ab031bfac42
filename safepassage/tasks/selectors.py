"""Reading tasks: the actor's work queue and one case's tasks. Titles are sealed: reads are audited."""
from __future__ import annotations

from django.db.models import F, Q

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require
from safepassage.vault import services as vault

from .models import Task


def tasks_for_user(actor, *, limit: int = 500) -> list[Task]:
    """Open tasks given to the actor, on their team's cases, or unassigned on cases assigned to them.

    Sorted by the case's risk (critical first), then due date (undated last).
    """
    member = membership(actor)
    if member is None:
        return []
    team_ids = list(member.teams.values_list("pk", flat=True))
    mine = Q(assignee=actor) | Q(case__team_id__in=team_ids) | (Q(assignee__isnull=True) & Q(case__assignees=actor))
    ids = (Task.objects.filter(mine, done_at__isnull=True, case__organisation_id=member.organisation_id)
           .values_list("pk", flat=True).distinct())
    tasks = list(Task.objects.filter(pk__in=list(ids)).select_related("case", "assignee")
                 .order_by("case__risk_rank", F("due_at").asc(nulls_last=True), "created_at")[:limit])
    vault.preload_data_keys({t.data_key_id for t in tasks})
    if tasks:
        audit_record(actor=actor, action="task.list", organisation=member.organisation_id,
                     tasks=[str(t.pk) for t in tasks])
    return tasks


def tasks_of_case(actor, case) -> list[Task]:
    """The case's tasks, open ones first (by due date), then the done ones, newest first."""
    require(actor, "case.view", case)
    tasks = list(case.tasks.select_related("assignee", "done_by"))
    open_ = sorted((t for t in tasks if t.done_at is None),
                   key=lambda t: (t.due_at is None, t.due_at or t.created_at, t.created_at))
    done = sorted((t for t in tasks if t.done_at is not None), key=lambda t: t.done_at, reverse=True)
    return open_ + done


def task_for(actor, task_id) -> Task:
    """One task the actor may act on; the same 404 for missing and forbidden."""
    import uuid

    from django.http import Http404

    from .services import may_complete

    try:
        task_id = uuid.UUID(str(task_id))
    except ValueError:
        raise Http404() from None
    task = Task.objects.filter(pk=task_id).select_related("case").first()
    if task is None or not may_complete(actor, task):
        raise Http404()
    return task
