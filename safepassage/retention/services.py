"""Retention: ended cases are crypto-shredded once their organisation's period has passed.

Threat: a seized server or a leaked backup holding years of old cases. Keeping less is the only
protection that needs no key management: after the period, the case's data key (and, when this was
their last case, the person's) is destroyed, so every copy of their records, backups included,
becomes noise; then the rows go. Holds registered by other apps (a testimony whose consent asks to
keep it) keep a case. Each shred writes one audit event naming ids only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases import workflow
from safepassage.cases.models import Case
from safepassage.policy.rules import membership, require
from safepassage.vault import files as sealed_files
from safepassage.vault import services as vault

from .hooks import holds, is_held
from .models import MAX_DAYS, MIN_DAYS, RetentionPolicy


def retention_policy_for(organisation) -> RetentionPolicy:
    policy = RetentionPolicy.objects.filter(organisation=organisation).first()
    return policy or RetentionPolicy(organisation=organisation)


@transaction.atomic
def retention_policy_set(*, actor, organisation, days: int) -> RetentionPolicy:
    require(actor, "retention.manage")
    if membership(actor).organisation_id != organisation.pk:
        raise ValidationError(_("Only your own organisation's retention can be changed."))
    if not (MIN_DAYS <= int(days) <= MAX_DAYS):
        raise ValidationError({"days_after_closing": _("Between %(min)s and %(max)s days.")
                               % {"min": MIN_DAYS, "max": MAX_DAYS}})
    policy = retention_policy_for(organisation)
    before = policy.days_after_closing if policy.pk else None
    policy.days_after_closing, policy.updated_by = int(days), actor
    policy.save()
    audit_record(actor=actor, action="retention.policy", organisation=organisation, before=before, after=int(days))
    return policy


@dataclass
class DueCase:
    """A case past its retention period. References and dates only: nothing sealed is read."""

    case_id: object
    reference: str
    status: str
    status_label: str
    ended_at: object
    due_at: object
    held: bool = False


def retention_due(*, organisation=None, now=None) -> list[DueCase]:
    """Ended cases past their organisation's period, oldest first; `held` says a hold keeps one."""
    now = now or timezone.now()
    cases = Case.objects.filter(status__in=workflow.ENDED).select_related("organisation")
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    periods: dict[int, int] = {}
    due = []
    for case in cases.order_by("status_since", "reference").iterator(chunk_size=2000):
        if case.organisation_id not in periods:
            periods[case.organisation_id] = retention_policy_for(case.organisation).days_after_closing
        due_at = case.status_since + timedelta(days=periods[case.organisation_id])
        if due_at <= now:
            due.append(DueCase(case.pk, case.reference, case.status, workflow.status_label(case.status),
                               case.status_since, due_at, held=is_held(case)))
    return due


def retention_preview(actor, *, now=None) -> list[DueCase]:
    """What the next run would shred in the actor's organisation (references only; audited)."""
    require(actor, "retention.view")
    organisation = membership(actor).organisation
    due = retention_due(organisation=organisation, now=now)
    audit_record(actor=actor, action="retention.preview", organisation=organisation, due=len(due))
    return due


@dataclass
class RetentionReport:
    shredded: list = field(default_factory=list)  # case references
    held: list = field(default_factory=list)
    people_shredded: int = 0
    dry_run: bool = False


@transaction.atomic
def _shred_case(*, actor, case: Case) -> bool:
    """Destroy the case's key (and its person's, when this was their last case), then the rows."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    person = case.person
    last_case = not person.cases.exclude(pk=case.pk).exists()
    keys = [case.data_key_id]
    stored = []
    if last_case:
        keys.append(person.data_key_id)
        stored = list(person.attachments.values_list("stored_as", flat=True))
    audit_record(actor=actor, action="retention.shred", target=case, person=str(person.pk),
                 person_shredded=last_case, status=case.status, ended=case.status_since.isoformat())
    vault.shred(keys)
    if last_case:
        person.delete()  # its cases, notes, moves, tasks and checks go with it
        transaction.on_commit(lambda: [sealed_files.delete(s) for s in stored])
    else:
        case.delete()
    return last_case


def retention_run(*, actor=None, organisation=None, dry_run: bool = False, now=None) -> RetentionReport:
    """Shred every due case that no hold keeps (one transaction per case). `actor` None: the scheduled run."""
    if holds() and not vault.is_unsealed():
        from safepassage.vault.errors import VaultSealed

        raise VaultSealed()  # holds read sealed consents; a sealed run could shred what must be kept
    report = RetentionReport(dry_run=dry_run)
    for due in retention_due(organisation=organisation, now=now):
        if due.held:
            report.held.append(due.reference)
            continue
        report.shredded.append(due.reference)
        if not dry_run:
            case = Case.objects.filter(pk=due.case_id).first()
            if case is not None and _shred_case(actor=actor, case=case):
                report.people_shredded += 1
    if not dry_run:
        audit_record(actor=actor, action="retention.run", organisation=organisation,
                     shredded=len(report.shredded), held=len(report.held), people=report.people_shredded)
    return report
