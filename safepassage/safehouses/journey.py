"""How the journey apps (safe houses, travel, referrals, settlement) act on a case's stage and queue.

One small seam, so every stage moves a case and raises an alarm the same way: moves go through the
case workflow's ``case_transition`` (its guards, reasons and four-eyes rule); alarms through
``task_create`` and the case's risk.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, CaseEvent
from safepassage.policy.rules import NotAllowed, can
from safepassage.tasks.kinds import register_task_kind

# Alarm tasks carry no words of their own: the kind says what to do, nothing about the person.
RELOCATE = "relocate_now"
TRAVEL_ALARM = "travel_alarm"
register_task_kind(RELOCATE, _("Relocate now: the safe house is compromised"))
register_task_kind(TRAVEL_ALARM, _("Missed travel check-in: find out whether the traveller is safe"))


def refuse(action: str):
    raise NotAllowed(action)


def transition(*, actor, case, to_status: str, reason: str = "", data=None):
    """Move the case through the workflow; raises its ``TransitionNotAllowed`` with a message to show."""
    from safepassage.cases.services import case_transition

    return case_transition(actor=actor, case=case, to_status=to_status, reason=str(reason or ""), data=data or {})


def raise_alarm(*, actor, case: Case, kind: str, risk_reason, event_kind: str, event_detail: dict | None = None):
    """An urgent task on the case (it tops the coordinators' queue), risk raised to critical, a line
    on the timeline. Runs inside the caller's transaction.

    `actor` is whoever set the alarm off (None for a periodic job). The task is the system's: the
    person who marks a house compromised may not work on the cases of everyone staying there, and
    the alarm must reach those cases all the same.
    """
    from safepassage.tasks.services import task_create

    task = task_create(actor=None, case=case, kind=kind, urgent=True, stage=case.status)
    _risk_critical(actor=actor, case=case, reason=str(risk_reason))
    CaseEvent.objects.create(case=case, actor=actor, kind=event_kind, detail=dict(event_detail or {}))
    return task


def _risk_critical(*, actor, case: Case, reason: str) -> None:
    """Raise the case's risk to critical, adding `reason` to the sealed reasons.

    Through ``case_set_risk`` when the actor may edit the case; otherwise (a periodic job, a safe-house
    coordinator) as the same change made by the system: stage fields, timeline line and audit row.
    """
    reasons = "\n".join(filter(None, [case.risk_reasons, reason]))
    if actor is not None and can(actor, "case.edit", case):
        from safepassage.cases.services import case_set_risk

        case_set_risk(actor=actor, case=case, risk_level="critical", reasons=reasons)
        return
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = locked.risk_level
        locked.risk_level, locked.risk_rank = "critical", Case.RISK_ORDER["critical"]
        locked.risk_reasons = reasons
        locked.save()
        case.risk_level, case.risk_rank = locked.risk_level, locked.risk_rank
        case.risk_reasons = reasons
        CaseEvent.objects.create(case=locked, actor=actor, kind="risk", detail={"from": before, "to": "critical"})
        audit_record(actor=actor, action="case.risk", target=locked, before=before, after="critical", raised_by="alarm")
