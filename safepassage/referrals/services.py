"""Writing referrals: consent, building a packet, submitting it, recording decisions. Audited.

Threat: a packet sent to a body the person never agreed to, or carrying more than the programme
needs. A packet is built from the case with exactly its programme's fields; it is submitted only
with the person's recorded consent for that programme, or by a coordinator's override, which is a
separate permission and a separate audit entry with its reason sealed.
"""
from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, CaseEvent
from safepassage.cases.workflow import case_is_verified
from safepassage.policy.rules import can, require
from safepassage.safehouses import journey

from . import vocabulary as V
from .models import Decision, Programme, Referral, ReferralConsent


class ReferralError(Exception):
    message = gettext_lazy("This referral cannot do that now.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class ConsentMissing(ReferralError):
    message = gettext_lazy("The person has not consented to sharing their details with this programme. "
                           "Record their consent first.")


class NotEditable(ReferralError):
    message = gettext_lazy("Only a draft, or a packet the programme asked more about, can be changed.")


class NotVerifiedYet(ReferralError):
    message = gettext_lazy("The case is not verified yet: no packet leaves the organisation before that.")


class AlreadyReferred(ReferralError):
    message = gettext_lazy("This case already has an open referral to this programme.")


# The case workflow's denial grounds (counted on the case timeline) for each of our reason codes.
DENIAL_GROUNDS = {
    "no_reason_given": "no_reason", "security_screening": "security", "credibility": "evidence",
    "insufficient_evidence": "evidence", "not_eligible": "eligibility", "outside_country": "eligibility",
    "documents": "documents", "quota": "quota", "policy": "other", "other": "other",
}
OUTCOMES = {code for code, _l in V.OUTCOMES}
REASON_CODES = {code for code, _l in V.REASON_CODES}
CATEGORIES = {code for code, _l in V.SUBMISSION_CATEGORIES}
PRIORITIES = {code for code, _l in V.PRIORITIES}
RELATIONSHIPS = {code for code, _l in V.RELATIONSHIPS}


# --- consent ------------------------------------------------------------------------------------

def consent_for(case: Case, programme: Programme) -> ReferralConsent | None:
    return (ReferralConsent.objects.filter(case=case, programme=programme, withdrawn_at__isnull=True)
            .order_by("-recorded_at").first())


@transaction.atomic
def consent_record(*, actor, case: Case, programme: Programme, note: str = "") -> ReferralConsent:
    require(actor, "referral.consent", case)
    existing = consent_for(case, programme)
    if existing is not None:
        return existing
    consent = ReferralConsent(case=case, programme=programme, recorded_by=actor, data_key_id=case.data_key_id)
    consent.note = note.strip()
    consent.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="referral_consent",
                             detail={"programme": programme.code, "granted": True})
    audit_record(actor=actor, action="referral.consent", target=case, programme=programme.code,
                 consent=str(consent.pk))
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: ReferralConsent) -> None:
    """The person withdrew consent: no new submission to this programme without asking again."""
    require(actor, "referral.consent", consent.case)
    if consent.withdrawn_at is None:
        consent.withdrawn_at, consent.withdrawn_by = timezone.now(), actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    CaseEvent.objects.create(case=consent.case, actor=actor, kind="referral_consent",
                             detail={"programme": consent.programme.code, "granted": False})
    audit_record(actor=actor, action="referral.consent_withdraw", target=consent.case,
                 programme=consent.programme.code, consent=str(consent.pk))


# --- packets ------------------------------------------------------------------------------------

def _next_reference() -> str:
    year = timezone.now().year
    for _attempt in range(20):
        reference = f"R-{year}-{secrets.randbelow(10**6):06d}"
        if not Referral.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not draw a free referral reference")


def _from_record(case: Case, source: str) -> str:
    """A packet field's starting value, read from the person or the case."""
    if source == "entry":
        return ""
    kind, attr = source.split(".", 1)
    value = getattr(case.person if kind == "person" else case, attr, "")
    if attr == "gender":
        from safepassage.people.models import Person

        if value == "self":
            return case.person.gender_self_described
        return str(dict(Person.GENDER_CHOICES).get(value, "")) if value else ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value or "")


def packet_build(case: Case, programme: Programme) -> dict:
    """The programme's fields, filled from the case where the case knows them; nothing else."""
    fields = {code: _from_record(case, V.FIELDS[code][1]) for code in programme.fields if code in V.FIELDS}
    packet = {"fields": fields}
    if programme.uses_rrf:
        packet["rrf"] = {"submission_category": "", "priority": "normal", "linked_cases": [],
                         "principal_confidential": "", "members": []}
    return packet


@transaction.atomic
def referral_create(*, actor, case: Case, programme: Programme) -> Referral:
    require(actor, "referral.edit", case)
    if not programme.is_active:
        raise ReferralError(_("This programme is not taking referrals."))
    if Referral.objects.filter(case=case, programme=programme, status__in=Referral.OPEN).exists():
        raise AlreadyReferred()
    referral = Referral(case=case, organisation_id=case.organisation_id, programme=programme,
                        reference=_next_reference(), country=programme.country, created_by=actor,
                        data_key_id=case.data_key_id, priority="normal" if programme.uses_rrf else "")
    referral.packet = packet_build(case, programme)
    referral.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="referral",
                             detail={"referral": str(referral.pk), "programme": programme.code, "status": "draft"})
    audit_record(actor=actor, action="referral.create", target=case, referral=str(referral.pk),
                 programme=programme.code, fields=list(referral.packet["fields"]))
    return referral


def _editable(actor, referral: Referral) -> None:
    require(actor, "referral.edit", referral.case)
    if not referral.is_editable:
        raise NotEditable()


@transaction.atomic
def referral_update_packet(*, actor, referral: Referral, fields: dict, rrf: dict | None = None) -> list[str]:
    """Save the packet's fields. Keys the programme does not ask for are dropped, never stored."""
    _editable(actor, referral)
    packet = dict(referral.packet or {})
    current = dict(packet.get("fields") or {})
    allowed = [code for code in referral.programme.fields if code in V.FIELDS]
    changed = []
    for code in allowed:
        if code in fields:
            value = str(fields[code] or "").strip()
            if current.get(code, "") != value:
                changed.append(code)
            current[code] = value
    packet["fields"] = {code: current.get(code, "") for code in allowed}
    if referral.programme.uses_rrf and rrf is not None:
        changed += _update_rrf(referral, packet, rrf)
    referral.packet = packet
    referral.save()
    audit_record(actor=actor, action="referral.update", target=referral.case, referral=str(referral.pk),
                 fields=changed)
    return changed


def _update_rrf(referral: Referral, packet: dict, rrf: dict) -> list[str]:
    current = dict(packet.get("rrf") or {})
    errors = {}
    category = rrf.get("submission_category", current.get("submission_category", ""))
    if category and category not in CATEGORIES:
        errors["submission_category"] = _("Choose a submission category from the list.")
    priority = rrf.get("priority", current.get("priority", "normal")) or "normal"
    if priority not in PRIORITIES:
        errors["priority"] = _("Choose a priority from the list.")
    linked = rrf.get("linked_cases", current.get("linked_cases", []))
    if isinstance(linked, str):
        linked = [ref.strip() for ref in linked.replace(",", "\n").splitlines() if ref.strip()]
    known = set(Case.objects.filter(organisation_id=referral.organisation_id, reference__in=linked)
                .values_list("reference", flat=True))
    unknown = [ref for ref in linked if ref not in known]
    if unknown:
        errors["linked_cases"] = _("No case of this organisation has the reference %(refs)s.") % {
            "refs": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in (("submission_category", category), ("priority", priority),
                                        ("linked_cases", linked)) if current.get(name) != value]
    confidential = rrf.get("principal_confidential", current.get("principal_confidential", ""))
    if confidential.strip() != current.get("principal_confidential", ""):
        changed.append("principal_confidential")
    current.update(submission_category=category, priority=priority, linked_cases=linked,
                   principal_confidential=confidential.strip())
    current.setdefault("members", [])
    packet["rrf"] = current
    referral.priority = priority
    referral.case_size = 1 + len(current["members"])
    return changed


@transaction.atomic
def referral_member_add(*, actor, referral: Referral, name: str, relationship: str, date_of_birth: str = "",
                        confidential: str = "") -> dict:
    """A family member on an RRF packet, with their own confidential section (kept off others' copies)."""
    _editable(actor, referral)
    if not referral.programme.uses_rrf:
        raise ReferralError(_("This programme's packets have no family members section."))
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the family member's name.")
    if relationship not in RELATIONSHIPS:
        errors["relationship"] = _("Choose the relationship.")
    if errors:
        raise ValidationError(errors)
    packet = dict(referral.packet)
    rrf = dict(packet.get("rrf") or {})
    member = {"id": secrets.token_hex(6), "name": name.strip(), "relationship": relationship,
              "date_of_birth": date_of_birth.strip(), "confidential": confidential.strip()}
    rrf["members"] = [*rrf.get("members", []), member]
    packet["rrf"] = rrf
    referral.packet = packet
    referral.case_size = 1 + len(rrf["members"])
    referral.save()
    audit_record(actor=actor, action="referral.member_add", target=referral.case, referral=str(referral.pk),
                 member=member["id"])
    return member


@transaction.atomic
def referral_member_remove(*, actor, referral: Referral, member_id: str) -> None:
    _editable(actor, referral)
    packet = dict(referral.packet)
    rrf = dict(packet.get("rrf") or {})
    rrf["members"] = [m for m in rrf.get("members", []) if m.get("id") != member_id]
    packet["rrf"] = rrf
    referral.packet = packet
    referral.case_size = 1 + len(rrf["members"])
    referral.save()
    audit_record(actor=actor, action="referral.member_remove", target=referral.case, referral=str(referral.pk),
                 member=member_id)


@transaction.atomic
def referral_submit(*, actor, referral: Referral, override_reason: str = "") -> Referral:
    """Send the packet. Needs the person's consent for this programme, or a coordinator's override
    (with its reason). The case moves to "referred" when it is not there already."""
    require(actor, "referral.edit", referral.case)
    referral = Referral.objects.select_for_update().select_related("case", "programme").get(pk=referral.pk)
    if not referral.is_editable:
        raise NotEditable()
    case = referral.case
    overridden = False
    if consent_for(case, referral.programme) is None:
        if not override_reason.strip():
            raise ConsentMissing()
        require(actor, "referral.consent_override", case)
        referral.consent_overridden_by = actor
        referral.consent_override_reason = override_reason.strip()
        overridden = True
        audit_record(actor=actor, action="referral.consent_override", target=case, referral=str(referral.pk),
                     programme=referral.programme.code)
    if not case_is_verified(case):
        raise NotVerifiedYet()
    resubmission = referral.status == Referral.STATUS_MORE_INFO
    referral.status = Referral.STATUS_SUBMITTED
    if referral.submitted_at is None:
        referral.submitted_at, referral.submitted_by = timezone.now(), actor
    referral.save()
    if case.status in ("verified", "sheltered", "denied"):
        reason = "" if case.status != "denied" else _("Referred to another programme: %(programme)s") % {
            "programme": referral.programme.label()}
        journey.transition(actor=actor, case=case, to_status="referred", reason=reason,
                           data={"referral": str(referral.pk), "programme": referral.programme.code})
    CaseEvent.objects.create(case=case, actor=actor, kind="referral",
                             detail={"referral": str(referral.pk), "programme": referral.programme.code,
                                     "status": "submitted", "resubmission": resubmission,
                                     "consent_overridden": overridden})
    audit_record(actor=actor, action="referral.submit", target=case, referral=str(referral.pk),
                 programme=referral.programme.code, resubmission=resubmission, consent_overridden=overridden)
    return referral


@transaction.atomic
def referral_decide(*, actor, referral: Referral, outcome: str, decided_on: date, reason_code: str = "",
                    reason: str = "") -> Decision:
    """Record the programme's answer. A caseworker records what they were told; a government
    liaison records their own decision on a packet addressed to them. A denied case can be
    referred elsewhere at once."""
    if not (can(actor, "referral.decide", referral.case) or can(actor, "packet.decide", referral)):
        journey.refuse("referral.decide")
    referral = Referral.objects.select_for_update().select_related("case", "programme").get(pk=referral.pk)
    errors = {}
    if referral.status not in (Referral.STATUS_SUBMITTED, Referral.STATUS_MORE_INFO):
        raise ReferralError(_("Only a submitted referral gets a decision."))
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose the decision.")
    if decided_on is None:
        errors["decided_on"] = _("When was it decided?")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision date is in the future.")
    if outcome == "denied" and reason_code not in REASON_CODES:
        errors["reason_code"] = _("Choose the reason given for the denial (or “No reason given”).")
    if reason_code and reason_code not in REASON_CODES:
        errors["reason_code"] = _("Choose a reason from the list.")
    if errors:
        raise ValidationError(errors)
    decision = Decision(referral=referral, outcome=outcome, reason_code=reason_code if outcome != "approved" else "",
                        decided_on=decided_on, recorded_by=actor, data_key_id=referral.data_key_id)
    decision.reason = reason.strip()
    decision.save()
    referral.status = {"approved": Referral.STATUS_APPROVED, "denied": Referral.STATUS_DENIED,
                       "more_info": Referral.STATUS_MORE_INFO}[outcome]
    referral.decided_on = decided_on
    referral.save()
    case = referral.case
    others_open = Referral.objects.filter(case=case, status__in=[Referral.STATUS_SUBMITTED, Referral.STATUS_MORE_INFO]) \
        .exclude(pk=referral.pk).exists()
    if outcome == "approved" and case.status == "referred":
        journey.transition(actor=actor, case=case, to_status="approved", data={"referral": str(referral.pk)})
    elif outcome == "denied" and case.status == "referred" and not others_open:
        journey.transition(
            actor=actor, case=case, to_status="denied",
            reason=decision.reason or _("Denied by %(programme)s: %(reason)s") % {
                "programme": referral.programme.label(), "reason": decision.reason_label()},
            data={"referral": str(referral.pk), "denial_ground": DENIAL_GROUNDS.get(reason_code, "other")})
    CaseEvent.objects.create(case=case, actor=actor, kind="referral_decision",
                             detail={"referral": str(referral.pk), "programme": referral.programme.code,
                                     "outcome": outcome, "reason_code": decision.reason_code,
                                     "decided_on": decided_on.isoformat()})
    audit_record(actor=actor, action="referral.decide", target=case, referral=str(referral.pk), outcome=outcome,
                 reason_code=decision.reason_code, decided_on=decided_on.isoformat())
    return decision


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral) -> None:
    require(actor, "referral.edit", referral.case)
    if not referral.is_open:
        raise ReferralError(_("Only an open referral can be withdrawn."))
    referral.status = Referral.STATUS_WITHDRAWN
    referral.save(update_fields=["status"])
    CaseEvent.objects.create(case=referral.case, actor=actor, kind="referral",
                             detail={"referral": str(referral.pk), "programme": referral.programme.code,
                                     "status": "withdrawn"})
    audit_record(actor=actor, action="referral.withdraw", target=referral.case, referral=str(referral.pk))


@transaction.atomic
def referral_export_pdf(*, actor, referral: Referral, copy: str = "principal") -> bytes:
    """One applicant's copy of the packet as PDF, for the case's workers or the programme's liaison.
    Every export is audited (which copy, never its content)."""
    if not (can(actor, "referral.export", referral.case) or can(actor, "packet.view", referral)):
        journey.refuse("referral.export")
    from .exports import referral_pdf

    content = referral_pdf(referral, copy=copy)
    audit_record(actor=actor, action="referral.export", target=referral.case, referral=str(referral.pk),
                 copy=copy, format="pdf")
    return content


@transaction.atomic
def programme_set_liaison(*, actor, programme: Programme, organisation) -> None:
    """Which government or partner organisation's liaison officers receive this programme's packets."""
    require(actor, "referral.programmes")
    programme.liaison_organisation = organisation
    programme.save(update_fields=["liaison_organisation"])
    audit_record(actor=actor, action="referral.programme_liaison", programme=programme.code,
                 liaison_organisation=getattr(organisation, "pk", None))
