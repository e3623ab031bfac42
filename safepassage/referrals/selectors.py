"""Reading referrals: through a case the actor may open, or (for a government liaison) through the
packets addressed to their programme. Counting uses the clear columns only: outcome, programme,
country, reason code and dates — never a packet."""
from __future__ import annotations

import uuid

from django.db.models import Count, Exists, Min, OuterRef
from django.http import Http404
from django.utils import timezone

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, journey_scope, membership

from . import vocabulary as V
from .models import Decision, Programme, Referral, ReferralConsent


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


def programmes(*, active_only: bool = True) -> list[Programme]:
    rows = Programme.objects.all()
    if active_only:
        rows = rows.filter(is_active=True)
    return list(rows.order_by("country", "code"))


def programme_by_code(code: str) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise Http404()
    return programme


def referrals_of(case) -> list[Referral]:
    return list(Referral.objects.filter(case=case).select_related("programme")
                .prefetch_related("decisions").order_by("-created_at"))


def consents_of(case) -> list[ReferralConsent]:
    return list(ReferralConsent.objects.filter(case=case).select_related("programme", "recorded_by")
                .order_by("-recorded_at"))


def consent_of(case, consent_id) -> ReferralConsent:
    consent = (ReferralConsent.objects.filter(pk=_uuid(consent_id), case=case).select_related("programme")
               .first())
    if consent is None:
        raise Http404()
    return consent


def referral_for(actor, referral_id, *, action: str = "referral.view") -> Referral:
    """A referral through its case (`referral.*`) or, for a liaison, as a packet (`packet.*`). Audited."""
    referral = (Referral.objects.filter(pk=_uuid(referral_id))
                .select_related("case__person", "case__organisation", "programme").first())
    if referral is None:
        raise Http404()
    target = referral if action.startswith("packet.") else referral.case
    if not can(actor, action, target):
        raise Http404()
    audit_record(actor=actor, action=f"{action}.open", target=referral.case, referral=str(referral.pk))
    return referral


def inbox(actor) -> list[Referral]:
    """Packets submitted to the programmes the liaison's organisation receives, newest first."""
    if not can(actor, "referral.inbox"):
        return []
    rows = list(Referral.objects.filter(journey_scope(actor, "packet.view")).select_related("programme")
                .order_by("-submitted_at")[:500])
    member = membership(actor)
    audit_record(actor=actor, action="referral.inbox", organisation=member.organisation_id,
                 referrals=[str(r.pk) for r in rows])
    return rows


def packet_copy(referral: Referral, copy: str = "principal") -> dict:
    """What one copy of the packet shows. A family member's copy (`copy` = their id) carries their own
    confidential section only; the principal applicant's copy carries the principal's only."""
    packet = referral.packet or {}
    fields = [(code, V.field_label(code), (packet.get("fields") or {}).get(code, ""))
              for code in referral.programme.fields if code in V.FIELDS]
    rrf = packet.get("rrf")
    result = {"fields": fields, "rrf": None, "copy": copy, "copy_name": ""}
    if rrf is not None:
        members = rrf.get("members", [])
        if copy != "principal" and not any(m.get("id") == copy for m in members):
            raise Http404()
        shown = []
        for m in members:
            shown.append({**m, "relationship_label": V.choice_label(V.RELATIONSHIPS, m.get("relationship", "")),
                          "confidential": m.get("confidential", "") if m.get("id") == copy else None})
        result["rrf"] = {
            "submission_category": V.choice_label(V.SUBMISSION_CATEGORIES, rrf.get("submission_category", ""))
            if rrf.get("submission_category") else "",
            "priority": V.choice_label(V.PRIORITIES, rrf.get("priority", "")),
            "case_size": 1 + len(members),
            "linked_cases": rrf.get("linked_cases", []),
            "principal_confidential": rrf.get("principal_confidential", "") if copy == "principal" else None,
            "members": shown,
        }
        if copy != "principal":
            result["copy_name"] = next(m.get("name", "") for m in members if m.get("id") == copy)
    return result


# --- figures ------------------------------------------------------------------------------------

def referred_by_country(organisation) -> dict[str, int]:
    """Cases referred (a packet submitted) to each destination country."""
    rows = (Referral.objects.filter(organisation=organisation, submitted_at__isnull=False)
            .values("country").annotate(n=Count("case_id", distinct=True)))
    return {row["country"]: row["n"] for row in rows}


def denied_by_country(organisation) -> dict[str, int]:
    """Referrals denied by each country (each referral counted once, whatever happened after)."""
    denied = Decision.objects.filter(referral=OuterRef("pk"), outcome="denied")
    rows = (Referral.objects.filter(organisation=organisation).filter(Exists(denied))
            .values("country").annotate(n=Count("pk")))
    return {row["country"]: row["n"] for row in rows}


def denial_reasons(organisation) -> list[tuple[str, str, int]]:
    """(country, reason code, denials), most frequent first."""
    rows = (Decision.objects.filter(referral__organisation=organisation, outcome="denied")
            .values("referral__country", "reason_code").annotate(n=Count("pk"))
            .order_by("-n", "referral__country", "reason_code"))
    return [(row["referral__country"], row["reason_code"], row["n"]) for row in rows]


def rereferred_after_denial(organisation) -> int:
    """Cases that were denied somewhere and then referred to another programme."""
    denials = list(Decision.objects.filter(referral__organisation=organisation, outcome="denied")
                   .values_list("referral__case_id", "referral__programme_id", "recorded_at"))
    if not denials:
        return 0
    later = {}
    for case_id, programme_id, submitted_at in (
            Referral.objects.filter(organisation=organisation, submitted_at__isnull=False,
                                    case_id__in={d[0] for d in denials})
            .values_list("case_id", "programme_id", "created_at")):
        later.setdefault(case_id, []).append((programme_id, submitted_at))
    cases = set()
    for case_id, programme_id, denied_at in denials:
        if any(p != programme_id and created >= denied_at for p, created in later.get(case_id, [])):
            cases.add(case_id)
    return len(cases)


def decisions_by_country(organisation) -> dict[str, dict[str, int]]:
    """{country: {outcome: referrals whose last decision is that outcome}}."""
    rows = (Referral.objects.filter(organisation=organisation, status__in=["approved", "denied", "more_info"])
            .values("country", "status").annotate(n=Count("pk")))
    result: dict[str, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["country"], {})[row["status"]] = row["n"]
    return result


# --- the public report's facts (see report_figures.py) ----------------------------------------------

def referred_facts(organisation) -> list[tuple[int, str, object]]:
    """(year, country, case): each case referred (a packet submitted) to a country, once, in the year
    of its first referral there. Over all years, per country, this is ``referred_by_country``."""
    rows = (Referral.objects.filter(organisation=organisation, submitted_at__isnull=False)
            .values("case_id", "country").annotate(first=Min("submitted_at")).order_by())
    return [(timezone.localtime(row["first"]).year, row["country"], row["case_id"]) for row in rows]


def denial_facts(organisation) -> list[tuple[int, str, object]]:
    """(year, country, case): each denied referral, once, in the year it was denied (its first denial,
    were there more). Over all years, per country, this is ``denied_by_country``."""
    rows = (Decision.objects.filter(referral__organisation=organisation, outcome="denied")
            .values("referral_id", "referral__country", "referral__case_id").annotate(first=Min("decided_on"))
            .order_by())
    return [(row["first"].year, row["referral__country"], row["referral__case_id"]) for row in rows]


def programme_countries() -> list[str]:
    """Every country a programme (active or not) refers to, by code."""
    return list(Programme.objects.order_by("country").values_list("country", flat=True).distinct())
