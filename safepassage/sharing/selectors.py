"""Reading shares: one access function per side, the same 404 for missing and forbidden."""
from __future__ import annotations

import uuid

from django.http import Http404

from safepassage.accounts.models import Organisation
from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, membership, share_in_scope, share_out_scope

from . import purposes as P
from .models import CaseShare, ShareConsent


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


def share_in_for(actor, share_id, *, action: str = "share_in.view") -> CaseShare:
    """A share the actor's organisation received and the actor may open (`action`). Not audited here:
    opening its fields is (``services.share_values``)."""
    share = CaseShare.objects.filter(pk=_uuid(share_id)).select_related("sender", "recipient").first()
    if share is None or not can(actor, action, share):
        raise Http404()
    return share


def share_out_for(actor, share_id, *, action: str = "share_out.view") -> CaseShare:
    """A share the actor's organisation sent, reached through a case the actor may see (coordinators: all)."""
    share = CaseShare.objects.filter(pk=_uuid(share_id)).select_related("case", "recipient").first()
    if share is None or not can(actor, action, share):
        raise Http404()
    audit_record(actor=actor, action=f"{action}.open", target=share, organisation=share.sender_id,
                 case=share.case_reference)
    return share


def shares_received(actor) -> list[CaseShare]:
    """Live shares to the actor's organisation that the actor's roles serve, newest first."""
    if not can(actor, "share.inbox"):
        return []
    return list(CaseShare.objects.filter(share_in_scope(actor)).select_related("sender")
                .order_by("-created_at")[:500])


def shares_sent(actor) -> list[CaseShare]:
    """Shares the actor's organisation sent that the actor may see: live, ended, and transfer stubs."""
    return list(CaseShare.objects.filter(share_out_scope(actor)).select_related("recipient", "created_by")
                .order_by("-created_at")[:500])


def shares_of_case(case) -> list[CaseShare]:
    return list(CaseShare.objects.filter(case=case).select_related("recipient", "created_by")
                .order_by("-created_at"))


def consents_of_case(case) -> list[ShareConsent]:
    return list(ShareConsent.objects.filter(case=case).select_related("organisation", "recorded_by")
                .order_by("-recorded_at"))


def consent_of_case(case, consent_id) -> ShareConsent:
    consent = ShareConsent.objects.filter(pk=_uuid(consent_id), case=case).select_related("organisation").first()
    if consent is None:
        raise Http404()
    return consent


def partner_organisations(actor) -> list[Organisation]:
    """Every other organisation on this deployment, by name."""
    member = membership(actor)
    if member is None:
        return []
    return list(Organisation.objects.exclude(pk=member.organisation_id).order_by("name"))


def shown_values(share: CaseShare, values: dict) -> list[tuple[str, str, str]]:
    """(code, label, text) for each shared field, labels and choices translated, lists joined."""
    from safepassage.cases.models import Case
    from safepassage.people.models import Person

    rows = []
    for code in share.fields:
        value = values.get(code, "")
        if code == "gender":
            value = P.choice_label(Person.GENDER_CHOICES, value) if value else ""
            if values.get("gender_self_described"):
                value = f"{value}: {values['gender_self_described']}"
        elif code == "urgency":
            value = P.choice_label(Case.RISK_CHOICES, value)
        elif code == "stage":
            value = P.choice_label(Case.STATUS_CHOICES, value)
        elif code == "travel_documents":
            value = P.choice_label(P.TRAVEL_DOCUMENTS, value)
        elif code == "messengers":
            value = ", ".join(f"{m.get('app', '')}: {m.get('handle', '')}" if isinstance(m, dict) else str(m)
                              for m in value or [])
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append((code, P.field_label(code), str(value or "")))
    return rows
