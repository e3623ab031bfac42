"""Writing verification: the organisation's checklist, a case's check results, trusted referrers and
their vouching. Each in one transaction with its audit row; results go on the case timeline."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import CaseEvent
from safepassage.policy.rules import membership, require

from .models import DEFAULT_ITEMS, ChecklistItem, CheckResult, TrustedReferrer, Vouch

# Stages in which checks and vouching are recorded: before a case is verified (or turned away).
OPEN_STAGES = ("requested", "screening")


def checklist_items(organisation, *, include_inactive: bool = False) -> list[ChecklistItem]:
    """The organisation's checklist; the four default checks are created the first time it is asked for."""
    items = ChecklistItem.objects.filter(organisation=organisation)
    if not items.exists():
        with transaction.atomic():
            for position, (code, _label) in enumerate(DEFAULT_ITEMS):
                ChecklistItem.objects.get_or_create(organisation=organisation, code=code,
                                                    defaults={"position": position})
    if not include_inactive:
        items = items.filter(active=True)
    return list(items.order_by("position", "id"))


@transaction.atomic
def checklist_item_add(*, actor, organisation, label: str, required: bool = True) -> ChecklistItem:
    require(actor, "verification.manage")
    if membership(actor).organisation_id != organisation.pk:
        raise ValidationError(_("Only your own organisation's checklist can be changed."))
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Name the check.")})
    existing = checklist_items(organisation, include_inactive=True)
    base = slugify(label)[:32] or "check"
    code, n = base, 2
    while any(i.code == code for i in existing):
        code, n = f"{base}-{n}", n + 1
    position = (max((i.position for i in existing), default=-1)) + 1
    item = ChecklistItem.objects.create(organisation=organisation, code=code, custom_label=label[:200],
                                        required=required, position=position)
    audit_record(actor=actor, action="verification.item.add", organisation=organisation, item=item.pk)
    return item


@transaction.atomic
def checklist_item_update(*, actor, item: ChecklistItem, required: bool, active: bool) -> None:
    require(actor, "verification.manage")
    if membership(actor).organisation_id != item.organisation_id:
        raise ValidationError(_("Only your own organisation's checklist can be changed."))
    item.required, item.active = required, active
    item.save(update_fields=["required", "active"])
    audit_record(actor=actor, action="verification.item.update", organisation=item.organisation_id, item=item.pk,
                 required=required, active=active)


def _check_open(case) -> None:
    if case.status not in OPEN_STAGES:
        raise ValidationError(_("Checks are recorded while a case is requested or in screening."))


@transaction.atomic
def check_record(*, actor, case, item: ChecklistItem, outcome: str, note: str = "") -> CheckResult:
    """Record (or change) one check of one case. The note is sealed under the case's key."""
    require(actor, "case.verify", case)
    _check_open(case)
    if item.organisation_id != case.organisation_id or not item.active:
        raise ValidationError(_("That check is not on this organisation's checklist."))
    if outcome not in dict(CheckResult.OUTCOMES):
        raise ValidationError({"outcome": _("Choose an outcome.")})
    result = CheckResult.objects.filter(case=case, item=item).first() or CheckResult(
        case=case, item=item, data_key_id=case.data_key_id)
    before = result.outcome if result.pk and not result._state.adding else ""
    result.outcome, result.checked_by = outcome, actor
    result.note = note.strip()
    result.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="check",
                             detail={"item": item.code, "outcome": outcome, "before": before})
    audit_record(actor=actor, action="verification.check", target=case, item=item.code, outcome=outcome)
    return result


def _new_referrer_code() -> str:
    return "R-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


@transaction.atomic
def referrer_add(*, actor, organisation, name: str, contact: str = "", note: str = "") -> TrustedReferrer:
    """A trusted referrer: the name, contact and note are sealed; the code (random) is what pages show."""
    require(actor, "verification.manage")
    if membership(actor).organisation_id != organisation.pk:
        raise ValidationError(_("Only your own organisation's referrers can be changed."))
    if not name.strip():
        raise ValidationError({"name": _("Give a name or alias.")})
    for _attempt in range(5):
        referrer = TrustedReferrer(organisation=organisation, code=_new_referrer_code(), added_by=actor)
        referrer.name, referrer.contact, referrer.note = name.strip(), contact.strip(), note.strip()
        try:
            with transaction.atomic():
                referrer.save()
            break
        except IntegrityError:
            referrer.data_key_id = None
            continue
    audit_record(actor=actor, action="verification.referrer.add", target=referrer)
    return referrer


@transaction.atomic
def referrer_set_active(*, actor, referrer: TrustedReferrer, active: bool) -> None:
    """Stop (or resume) trusting a referrer, e.g. when they are detained. Past vouching stays recorded."""
    require(actor, "verification.manage")
    if membership(actor).organisation_id != referrer.organisation_id:
        raise ValidationError(_("Only your own organisation's referrers can be changed."))
    referrer.active = active
    referrer.save(update_fields=["active"])
    audit_record(actor=actor, action="verification.referrer.active", target=referrer, active=active)


@transaction.atomic
def vouch_record(*, actor, case, referrer: TrustedReferrer, note: str = "") -> Vouch:
    """A trusted referrer vouched for the case's person: recorded, and the referrer check passes."""
    require(actor, "case.verify", case)
    _check_open(case)
    if referrer.organisation_id != case.organisation_id or not referrer.active:
        raise ValidationError({"referrer": _("Choose one of your organisation's trusted referrers.")})
    vouch = Vouch(case=case, data_key_id=case.data_key_id, recorded_by=actor)
    vouch.referrer_ref, vouch.note = str(referrer.pk), note.strip()
    vouch.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="vouch", detail={"vouch": str(vouch.pk)})
    audit_record(actor=actor, action="verification.vouch", target=case, vouch=str(vouch.pk))
    item = next((i for i in checklist_items(case.organisation) if i.code == "referrer"), None)
    if item is not None:
        check_record(actor=actor, case=case, item=item, outcome=CheckResult.PASSED,
                     note=_("Vouched for by %(code)s.") % {"code": referrer.code})
    return vouch


def verification_guard(case, data) -> list[str]:
    """Registered on "verified": every required check passed (or not applicable), none failed."""
    items = checklist_items(case.organisation)
    results = dict(CheckResult.objects.filter(case=case, item__in=items).values_list("item_id", "outcome"))
    failed = [i.label for i in items if results.get(i.pk) == CheckResult.FAILED]
    concerns = [i.label for i in items if i.required and results.get(i.pk) == CheckResult.CONCERN]
    missing = [i.label for i in items if i.required and i.pk not in results]
    errors = []
    if failed:
        errors.append(_("A check failed: %(checks)s.") % {"checks": ", ".join(failed)})
    if concerns:
        errors.append(_("Checks with a concern: %(checks)s.") % {"checks": ", ".join(concerns)})
    if missing:
        errors.append(_("Checks not done yet: %(checks)s.") % {"checks": ", ".join(missing)})
    return errors


def checklist_complete(case) -> bool:
    return not verification_guard(case, {})


__all__ = ["checklist_items", "checklist_item_add", "checklist_item_update", "check_record", "referrer_add",
           "referrer_set_active", "vouch_record", "verification_guard", "checklist_complete", "OPEN_STAGES"]
