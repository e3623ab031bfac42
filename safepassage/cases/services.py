"""Writing cases: open, assign, set risk, add notes. Each in one transaction with its audit row."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require

from .models import Case, CaseEvent, CaseNote

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
                             detail={"risk": risk_level, "assignees": [u.pk for u in assignees]})
    audit_record(actor=actor, action="case.create", target=case, person=str(person.pk))
    return case


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
