"""Reading verification: a case's checklist with its results, the trusted referrers, their vouching.

Notes and referrers' names are sealed: each read is audited.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, membership, require

from .models import ChecklistItem, CheckResult, TrustedReferrer, Vouch
from .services import checklist_items


@dataclass
class ChecklistRow:
    item: object
    result: CheckResult | None


def case_checklist(actor, case) -> list[ChecklistRow]:
    require(actor, "case.verify", case)
    items = checklist_items(case.organisation)
    results = {r.item_id: r for r in CheckResult.objects.filter(case=case).select_related("checked_by")}
    return [ChecklistRow(item, results.get(item.pk)) for item in items]


@dataclass
class VouchRow:
    vouch: Vouch
    referrer_code: str


def case_vouches(actor, case) -> list[VouchRow]:
    require(actor, "case.verify", case)
    codes = {str(pk): code for pk, code in
             TrustedReferrer.objects.filter(organisation=case.organisation).values_list("pk", "code")}
    return [VouchRow(v, codes.get(v.referrer_ref, "?")) for v in case.vouches.select_related("recorded_by")]


def referrers(actor, *, active_only: bool = False) -> list[TrustedReferrer]:
    """The organisation's trusted referrers, names decrypted (coordinators only; audited)."""
    require(actor, "verification.manage")
    rows = TrustedReferrer.objects.filter(organisation_id=membership(actor).organisation_id)
    if active_only:
        rows = rows.filter(active=True)
    rows = list(rows)
    if rows:
        audit_record(actor=actor, action="verification.referrer.list", organisation=membership(actor).organisation_id,
                     referrers=[str(r.pk) for r in rows])
    return rows


def referrer_codes(actor, case) -> list[tuple[str, str]]:
    """Active referrers of the case's organisation as (id, code): enough to record a vouching, no names."""
    require(actor, "case.verify", case)
    return [(str(pk), code) for pk, code in TrustedReferrer.objects.filter(
        organisation=case.organisation, active=True).values_list("pk", "code")]


def referrer_for(actor, referrer_id) -> TrustedReferrer:
    try:
        referrer_id = uuid.UUID(str(referrer_id))
    except ValueError:
        raise Http404() from None
    member = membership(actor)
    referrer = TrustedReferrer.objects.filter(pk=referrer_id).first()
    if referrer is None or member is None or referrer.organisation_id != member.organisation_id \
            or not can(actor, "verification.manage"):
        raise Http404()
    return referrer


def cases_vouched_by(actor, referrer: TrustedReferrer) -> list:
    """The cases a referrer vouched for (when they are detained, these people are at risk).

    The link is sealed in each vouching, so this decrypts the organisation's vouchings one by one.
    """
    require(actor, "verification.manage")
    from safepassage.cases.models import Case

    vouches = Vouch.objects.filter(case__organisation_id=referrer.organisation_id).select_related("case")
    case_ids = {v.case_id for v in vouches if v.referrer_ref == str(referrer.pk)}
    audit_record(actor=actor, action="verification.referrer.cases", target=referrer, cases=len(case_ids))
    return list(Case.objects.filter(pk__in=case_ids).order_by("risk_rank", "reference"))


def vouchable_referrer(actor, case, referrer_id) -> TrustedReferrer | None:
    """An active referrer of the case's organisation, or None."""
    require(actor, "case.verify", case)
    try:
        referrer_id = uuid.UUID(str(referrer_id))
    except ValueError:
        return None
    return TrustedReferrer.objects.filter(pk=referrer_id, organisation=case.organisation, active=True).first()


def checklist_item_for(actor, item_id) -> ChecklistItem:
    require(actor, "verification.manage")
    item = ChecklistItem.objects.filter(pk=item_id, organisation_id=membership(actor).organisation_id).first()
    if item is None:
        raise Http404()
    return item
