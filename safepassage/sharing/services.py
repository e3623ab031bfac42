"""Sharing a case with another organisation: consent, share, refresh, revoke, expire, transfer.

Threat: an organisation's people reaching another's cases, and a share that tells more, or lasts
longer, than its purpose needs. A share needs the person's recorded consent for that organisation
(or a coordinator's audited override), carries only the chosen fields, sealed for the recipient
under the share's own key, ends on a date, and is revoked by destroying that key. A transfer hands
the case over: the recipient builds its own case from the shared fields, and the sender's case is
crypto-shredded, leaving a stub (reference, recipient, date). Every step is audited with ids only.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case
from safepassage.policy.rules import membership, require
from safepassage.vault import files as sealed_files
from safepassage.vault import services as vault
from safepassage.vault import shares as share_crypto

from . import purposes as P
from .models import CaseShare, ShareConsent
from .pseudonyms import pseudonym


def _org_of(actor):
    return membership(actor).organisation


# --- consent ------------------------------------------------------------------------------------

def consent_for(case: Case, organisation) -> ShareConsent | None:
    """The person's standing consent to share with `organisation` (overrides never count as one)."""
    return (ShareConsent.objects.filter(case=case, organisation=organisation, basis=ShareConsent.BASIS_CONSENT,
                                        withdrawn_at__isnull=True).order_by("-recorded_at").first())


@transaction.atomic
def share_consent_record(*, actor, case: Case, organisation, note: str = "") -> ShareConsent:
    require(actor, "case.share_consent", case)
    if organisation.pk == case.organisation_id:
        raise ValidationError({"organisation": _("Consent is recorded for another organisation.")})
    existing = consent_for(case, organisation)
    if existing is not None:
        return existing
    consent = ShareConsent(case=case, data_key_id=case.data_key_id, organisation=organisation, recorded_by=actor)
    consent.note = (note or "").strip()[:2000]
    consent.save()
    audit_record(actor=actor, action="share.consent", target=case, consent=str(consent.pk),
                 recipient=organisation.pk)
    return consent


@transaction.atomic
def share_consent_withdraw(*, actor, consent: ShareConsent) -> int:
    """The person withdrew their consent: it ends, and so does every share that relied on it."""
    require(actor, "case.share_consent", consent.case)
    if consent.withdrawn_at is not None:
        return 0
    consent.withdrawn_at, consent.withdrawn_by = timezone.now(), actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    ended = 0
    for share in CaseShare.objects.filter(consent=consent, revoked_at__isnull=True, accepted_at__isnull=True):
        _revoke(share, actor)
        ended += 1
    audit_record(actor=actor, action="share.consent_withdraw", target=consent.case, consent=str(consent.pk),
                 shares_revoked=ended)
    return ended


# --- sharing ------------------------------------------------------------------------------------

def _snapshot(case: Case, fields: list[str], *, name: str, travel_documents: str) -> dict:
    """The values of the chosen fields now (decrypts the case and person: the caller was allowed)."""
    person = case.person
    values = {
        "pseudonym": name,
        "gender": person.gender,
        "gender_self_described": person.gender_self_described if person.gender == "self" else "",
        "urgency": case.risk_level,
        "stage": case.status,
        "travel_documents": travel_documents,
        "birth_year": (person.date_of_birth or "")[:4],
        "full_name": person.full_name,
        "other_names": list(person.other_names or []),
        "date_of_birth": person.date_of_birth,
        "phones": list(person.phones or []),
        "messengers": list(person.messengers or []),
        "current_location": person.current_location,
        "summary": case.summary,
        "risk_reasons": case.risk_reasons,
    }
    chosen = {code: values[code] for code in fields}
    if "gender" in fields and values["gender_self_described"]:
        chosen["gender_self_described"] = values["gender_self_described"]
    return chosen


def _clean_fields(purpose: str, fields) -> list[str]:
    if purpose not in P.PURPOSES:
        raise ValidationError({"purpose": _("Choose one of the listed purposes.")})
    chosen = [code for code in (fields or []) if code]
    unknown = set(chosen) - set(P.FIELDS)
    if unknown:
        raise ValidationError({"fields": _("Unknown fields cannot be shared.")})
    if not chosen:
        chosen = P.default_fields(purpose)
    chosen = ["pseudonym", *[c for c in chosen if c != "pseudonym"]]  # the recipient needs a handle
    return [code for code in P.FIELDS if code in chosen]  # catalogue order, no duplicates


@transaction.atomic
def share_create(*, actor, case: Case, recipient, purpose: str, fields=None, days: int = 30,
                 travel_documents: str = "", override_reason: str = "") -> CaseShare:
    """Share the chosen fields of `case` with `recipient` for `purpose`, for `days` days.

    A transfer (purpose ``transfer``) needs the transfer permission; the recipient takes it over with
    ``transfer_accept``. Without the person's recorded consent for the recipient, only a member holding
    the override permission may share, giving a reason (kept sealed under the case's key, audited).
    """
    is_transfer = purpose == P.TRANSFER
    require(actor, "case.transfer" if is_transfer else "case.share", case)
    if recipient is None or recipient.pk == case.organisation_id:
        raise ValidationError({"recipient": _("Choose another organisation.")})
    fields = _clean_fields(purpose, fields)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= P.MAX_DAYS:
        raise ValidationError({"days": _("A share lasts between 1 and %(max)s days.") % {"max": P.MAX_DAYS}})
    if travel_documents and travel_documents not in dict(P.TRAVEL_DOCUMENTS):
        raise ValidationError({"travel_documents": _("Choose one of the listed document states.")})
    if is_transfer:
        from safepassage.retention.hooks import is_held

        if is_held(case):
            raise ValidationError(_("This case must be kept here (a testimony's consent asks for it): "
                                    "share it instead of transferring it."))
    live = CaseShare.objects.filter(case=case, recipient=recipient, purpose=purpose, revoked_at__isnull=True,
                                    accepted_at__isnull=True, expires_at__gt=timezone.now())
    if live.exists():
        raise ValidationError(_("This case is already shared with that organisation for that purpose: "
                                "refresh or revoke that share."))
    consent = consent_for(case, recipient)
    override_reason = (override_reason or "").strip()
    if consent is None:
        if not override_reason:
            raise ValidationError({"override_reason": _(
                "The person's consent to share with this organisation is not recorded. Record it first.")})
        require(actor, "case.share_override", case)
        consent = ShareConsent(case=case, data_key_id=case.data_key_id, organisation=recipient, recorded_by=actor,
                               basis=ShareConsent.BASIS_OVERRIDE)
        consent.note = override_reason[:2000]
        consent.save()
    share = CaseShare(id=uuid.uuid4(), case=case, case_reference=case.reference, sender_id=case.organisation_id,
                      recipient=recipient, kind=CaseShare.KIND_TRANSFER if is_transfer else CaseShare.KIND_SHARE,
                      purpose=purpose, fields=fields, consent=consent, created_by=actor,
                      expires_at=timezone.now() + timedelta(days=days))
    share.data_key_id = share_crypto.share_key_create()
    share.sealed_fields = share_crypto.share_seal(
        share.data_key_id, share_id=share.id, recipient_id=recipient.pk,
        fields=_snapshot(case, fields, name=pseudonym(), travel_documents=travel_documents or "unknown"))
    share.save(force_insert=True)
    audit_record(actor=actor, action="case.transfer_offer" if is_transfer else "case.share", target=case,
                 share=str(share.pk), recipient=recipient.pk, purpose=purpose, fields=fields, days=days,
                 consent=consent.basis)
    return share


@transaction.atomic
def share_refresh(*, actor, share: CaseShare) -> CaseShare:
    """Send the chosen fields' current values (same pseudonym, same fields, same end date)."""
    require(actor, "share_out.refresh", share)
    share = CaseShare.objects.select_for_update(of=("self",)).select_related("case__person").get(pk=share.pk)
    if not share.is_live or share.case is None:
        raise ValidationError(_("Only an active share can be refreshed."))
    old = share_crypto.share_open(share.data_key_id, share_id=share.pk, reader_organisation_id=share.recipient_id,
                                  blob=share.sealed_fields)
    share.sealed_fields = share_crypto.share_seal(
        share.data_key_id, share_id=share.pk, recipient_id=share.recipient_id,
        fields=_snapshot(share.case, share.fields, name=old.get("pseudonym", pseudonym()),
                         travel_documents=old.get("travel_documents", "unknown")))
    share.refreshed_at = timezone.now()
    share.save(update_fields=["sealed_fields", "refreshed_at"])
    audit_record(actor=actor, action="share.refresh", target=share.case, share=str(share.pk))
    return share


def _revoke(share: CaseShare, actor) -> None:
    share.revoked_at, share.revoked_by, share.sealed_fields = timezone.now(), actor, None
    share.save(update_fields=["revoked_at", "revoked_by", "sealed_fields"])
    share_crypto.share_shred(share.data_key_id)


@transaction.atomic
def share_revoke(*, actor, share: CaseShare) -> None:
    """End the share now: its key is destroyed, so what was sealed for the recipient is noise."""
    require(actor, "share_out.revoke", share)
    share = CaseShare.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is not None or share.accepted_at is not None:
        return
    _revoke(share, actor)
    audit_record(actor=actor, action="share.revoke", target=share.case, organisation=share.sender_id,
                 share=str(share.pk), recipient=share.recipient_id)


def shares_expire(*, now=None) -> int:
    """Destroy the keys of shares past their end date (access already stopped at that date)."""
    now = now or timezone.now()
    count = 0
    for share in CaseShare.objects.filter(expires_at__lte=now, sealed_fields__isnull=False):
        with transaction.atomic():
            share.sealed_fields = None
            share.save(update_fields=["sealed_fields"])
            share_crypto.share_shred(share.data_key_id)
            audit_record(actor=None, action="share.expire", organisation=share.sender_id, share=str(share.pk),
                         recipient=share.recipient_id)
        count += 1
    return count


# --- reading (the recipient) ----------------------------------------------------------------------

def share_values(*, actor, share: CaseShare) -> dict:
    """The shared fields, opened for the actor's organisation (the caller checked ``share_in.view``).

    Audited as a read of shared person data (it counts towards the bulk-view alarm).
    """
    require(actor, "share_in.view", share)
    member = membership(actor)
    values = share_crypto.share_open(share.data_key_id, share_id=share.pk,
                                     reader_organisation_id=member.organisation_id, blob=share.sealed_fields)
    audit_record(actor=actor, action="share.read", target=share, organisation=member.organisation_id,
                 case=share.case_reference)
    return values


# --- transfer -----------------------------------------------------------------------------------

def _shred_sender_case(*, actor, case: Case) -> bool:
    """The sender's case goes (its key first); its person too when this was their last case."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    person = case.person
    last_case = not person.cases.exclude(pk=case.pk).exists()
    keys = [case.data_key_id]
    stored = []
    if last_case:
        keys.append(person.data_key_id)
        stored = list(person.attachments.values_list("stored_as", flat=True))
    vault.shred(keys)
    if last_case:
        person.delete()
        transaction.on_commit(lambda: [sealed_files.delete(s) for s in stored])
    else:
        case.delete()
    return last_case


@transaction.atomic
def transfer_accept(*, actor, share: CaseShare) -> Case:
    """The recipient takes the case over: a new person and case of its own from the shared fields;
    the sender keeps a stub (this row: reference, recipient, dates) and nothing else."""
    from safepassage.cases.services import case_open
    from safepassage.people.services import PersonData, person_create

    require(actor, "share_in.accept", share)
    share = CaseShare.objects.select_for_update(of=("self",)).select_related("case").get(pk=share.pk)
    if not share.is_transfer or not share.is_live or share.case is None:
        raise ValidationError(_("Only an open transfer can be taken over."))
    values = share_values(actor=actor, share=share)
    data = PersonData(
        full_name=values.get("full_name", ""), other_names=values.get("other_names", []),
        date_of_birth=values.get("date_of_birth", "") or values.get("birth_year", ""),
        gender=values.get("gender", ""), gender_self_described=values.get("gender_self_described", ""),
        phones=values.get("phones", []), messengers=values.get("messengers", []),
        current_location=values.get("current_location", ""),
        notes=_("Taken over from another organisation as %(name)s.") % {"name": values.get("pseudonym", "")})
    organisation = membership(actor).organisation
    person = person_create(actor=actor, organisation=organisation, data=data)
    risk = values.get("urgency") if values.get("urgency") in dict(Case.RISK_CHOICES) else "medium"
    stage = values.get("stage") if values.get("stage") in dict(Case.STATUS_CHOICES) else "verified"
    case = case_open(actor=actor, person=person, summary=values.get("summary", ""), risk_level=risk,
                     risk_reasons=values.get("risk_reasons", ""), status=stage)
    sender_case = share.case
    share.case = None
    share.accepted_at, share.accepted_by, share.recipient_case_reference = timezone.now(), actor, case.reference
    share.sealed_fields = None
    share.save(update_fields=["case", "accepted_at", "accepted_by", "recipient_case_reference", "sealed_fields"])
    share_crypto.share_shred(share.data_key_id)
    person_shredded = _shred_sender_case(actor=actor, case=sender_case)
    audit_record(actor=actor, action="case.transfer", target=case, share=str(share.pk),
                 sender=share.sender_id, sender_case=share.case_reference, person_shredded=person_shredded)
    return case
