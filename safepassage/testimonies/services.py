"""Writing testimonies: record, edit, incidents, consent, attachments, shred; extend a vocabulary.

Every write runs in one transaction with its audit row. Audit details carry ids, codes and field
names, never what a survivor said. Incidents are re-projected into ``CountedIncident`` whenever they
or the public-report consent change, in the same transaction: the report can never count a
testimony whose consent was withdrawn, nor miss one whose consent was given.
"""
from __future__ import annotations

import datetime
import re
import secrets
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require
from safepassage.vault import files as sealed_files
from safepassage.vault import services as vault

from . import vocabulary
from .models import Consent, CountedIncident, Incident, Term, Testimony, TestimonyAttachment

TESTIMONY_SEALED = ["interviewee_person_id", "pseudonym", "interview_date", "language", "narrative",
                    "interviewer_notes"]
INCIDENT_SEALED = ["violation", "perpetrator", "place", "occurred_on", "precision", "place_detail", "description"]


# --- vocabularies -------------------------------------------------------------------------------

def terms(organisation, vocab: str):
    """The active terms of a vocabulary an organisation may use: shipped ones and its own."""
    from django.db.models import Q

    org_id = getattr(organisation, "pk", organisation)
    return Term.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=org_id),
                               vocabulary=vocab, is_active=True)


def terms_sync() -> int:
    """Load the shipped vocabularies (idempotent; labels are refreshed, codes never change)."""
    count = 0
    for vocab, entries in vocabulary.SHIPPED.items():
        for position, (code, labels, parent) in enumerate(entries):
            Term.objects.update_or_create(vocabulary=vocab, code=code, organisation=None,
                                          defaults={"labels": labels, "parent": parent, "position": position})
            count += 1
    return count


@transaction.atomic
def term_add(*, actor, vocab: str, labels: dict[str, str], parent: str = "") -> Term:
    """An organisation's own term (e.g. a village the gazetteer lacks). English label required."""
    require(actor, "vocabulary.manage")
    organisation = membership(actor).organisation
    if vocab not in vocabulary.VOCABULARIES:
        raise ValidationError({"vocabulary": _("Unknown vocabulary.")})
    labels = {lang: (labels.get(lang) or "").strip()[:120] for lang in vocabulary.LANGUAGE_CODES}
    if not labels["en"]:
        raise ValidationError({"label_en": _("Give at least the English label.")})
    if vocab == vocabulary.PLACE and parent not in vocabulary.REGIONS:
        raise ValidationError({"parent": _("Choose the region this place is in.")})
    base = slugify(labels["en"]).replace("-", "_")[:50] or "term"
    code = f"{base}_{organisation.pk}"
    while terms(organisation, vocab).filter(code=code).exists():
        code = f"{base}_{organisation.pk}_{secrets.randbelow(10**4)}"
    position = 1000 + Term.objects.filter(vocabulary=vocab, organisation=organisation).count()
    term = Term.objects.create(vocabulary=vocab, code=code, organisation=organisation, labels=labels,
                               parent=parent if vocab == vocabulary.PLACE else "", position=position)
    audit_record(actor=actor, action="vocabulary.add", organisation=organisation, vocabulary=vocab, code=code)
    return term


# --- data carried from forms --------------------------------------------------------------------

@dataclass
class TestimonyData:
    interviewee_person_id: str = ""
    pseudonym: str = ""
    interview_date: str = ""
    language: str = ""
    narrative: str = ""
    interviewer_notes: str = ""

    def clean(self) -> "TestimonyData":
        errors = {}
        self.pseudonym = self.pseudonym.strip()[:120]
        self.narrative = self.narrative.strip()
        self.interviewer_notes = self.interviewer_notes.strip()
        if self.interviewee_person_id:
            try:
                self.interviewee_person_id = str(uuid.UUID(str(self.interviewee_person_id)))
            except ValueError:
                errors["interviewee"] = _("Unknown person.")
        if not self.interviewee_person_id and not self.pseudonym:
            errors["pseudonym"] = _("Give a pseudonym, or link the testimony to a person in the system.")
        try:
            day = datetime.date.fromisoformat(self.interview_date)
        except (TypeError, ValueError):
            errors["interview_date"] = _("Write the interview date as YYYY-MM-DD.")
        else:
            if day > datetime.date.today():
                errors["interview_date"] = _("The interview date is in the future.")
            self.interview_date = day.isoformat()
        if self.language not in vocabulary.INTERVIEW_LANGUAGES:
            errors["language"] = _("Choose the language of the interview.")
        if errors:
            raise ValidationError(errors)
        return self


_DATE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{1,2})\.(\d{4})$"), ("m", "y")),
    (re.compile(r"^(\d{4})$"), ("y",)),
]


def parse_incident_date(value: str) -> tuple[str, str]:
    """("2017-03-12", "day"), ("2017-03", "month") or ("2017", "year") from what a person typed."""
    value = (value or "").strip()
    for pattern, parts in _DATE_FORMS:
        match = pattern.match(value)
        if not match:
            continue
        got = dict(zip(parts, (int(g) for g in match.groups())))
        year, month, day = got["y"], got.get("m", 1), got.get("d", 1)
        try:
            when = datetime.date(year, month, day)
        except ValueError:
            break
        if not 1990 <= year or when > datetime.date.today():
            break
        if "d" in got:
            return when.isoformat(), "day"
        if "m" in got:
            return f"{year:04d}-{month:02d}", "month"
        return f"{year:04d}", "year"
    raise ValidationError({"occurred_on": _("Write when it happened as a year (2017), a month (2017-03) or a day "
                                            "(2017-03-12), not in the future.")})


@dataclass
class IncidentData:
    violation: str = ""
    perpetrator: str = ""
    place: str = ""
    occurred_on: str = ""
    place_detail: str = ""
    description: str = ""
    precision: str = field(default="", init=False)

    def clean(self, organisation) -> "IncidentData":
        errors = {}
        for name, vocab in (("violation", vocabulary.VIOLATION), ("perpetrator", vocabulary.PERPETRATOR),
                            ("place", vocabulary.PLACE)):
            if not terms(organisation, vocab).filter(code=getattr(self, name)).exists():
                errors[name] = _("Choose one of the listed values.")
        try:
            self.occurred_on, self.precision = parse_incident_date(self.occurred_on)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        self.place_detail = self.place_detail.strip()[:300]
        self.description = self.description.strip()
        if errors:
            raise ValidationError(errors)
        return self


# --- testimonies --------------------------------------------------------------------------------

def _next_reference() -> str:
    while True:
        reference = f"T-{secrets.randbelow(10**6):06d}"
        if not Testimony.objects.filter(reference=reference).exists():
            return reference


def _apply(testimony: Testimony, data: TestimonyData) -> list[str]:
    changed = []
    for name in TESTIMONY_SEALED:
        value = getattr(data, name)
        if testimony._state.adding or getattr(testimony, name) != value:
            setattr(testimony, name, value)
            changed.append(name)
    return changed


def _check_person(actor, person_id: str) -> None:
    if not person_id:
        return
    from safepassage.people.models import Person
    from safepassage.policy.rules import can

    person = Person.objects.filter(pk=person_id).first()
    if person is None or not can(actor, "person.view", person):
        raise ValidationError({"interviewee": _("Unknown person.")})


def _check_interviewer(organisation, interviewer) -> None:
    if interviewer is None:
        return
    member = membership(interviewer)
    if member is None or member.organisation_id != organisation.pk:
        raise ValidationError({"interviewer": _("The interviewer must be a member of this organisation.")})


@transaction.atomic
def testimony_create(*, actor, data: TestimonyData, interviewer=None, incidents=(),
                     public_report: bool = False, named_bodies: list[str] | None = None,
                     consent_note: str = "") -> Testimony:
    """Record a testimony with its incidents and the consent given at the interview."""
    require(actor, "testimony.create")
    organisation = membership(actor).organisation
    data.clean()
    _check_person(actor, data.interviewee_person_id)
    interviewer = interviewer or actor
    _check_interviewer(organisation, interviewer)
    cleaned = [incident.clean(organisation) for incident in incidents]
    testimony = Testimony(organisation=organisation, reference=_next_reference(), interviewer=interviewer,
                          created_by=actor)
    _apply(testimony, data)
    testimony.save()
    for position, incident in enumerate(cleaned):
        _incident_save(testimony, incident, position)
    audit_record(actor=actor, action="testimony.create", target=testimony, incidents=len(cleaned))
    _consent_save(actor, testimony, "internal", True, [], consent_note)
    _consent_save(actor, testimony, "public_report", public_report, [], "")
    _consent_save(actor, testimony, "named_bodies", bool(named_bodies), list(named_bodies or []), "")
    _project(testimony)
    return testimony


@transaction.atomic
def testimony_update(*, actor, testimony: Testimony, data: TestimonyData, interviewer=None) -> list[str]:
    require(actor, "testimony.edit", testimony)
    data.clean()
    _check_person(actor, data.interviewee_person_id)
    changed = _apply(testimony, data)
    if interviewer is not None and interviewer.pk != testimony.interviewer_id:
        _check_interviewer(testimony.organisation, interviewer)
        testimony.interviewer = interviewer
        changed.append("interviewer")
    if changed:
        testimony.save()
        audit_record(actor=actor, action="testimony.update", target=testimony, fields=changed)
    return changed


@transaction.atomic
def testimony_delete(*, actor, testimony: Testimony) -> None:
    """Crypto-shred: the data key goes first, then the rows and sealed files."""
    require(actor, "testimony.delete", testimony)
    stored = list(testimony.attachments.values_list("stored_as", flat=True))
    audit_record(actor=actor, action="testimony.delete", target=testimony)
    vault.shred([testimony.data_key_id])
    testimony.delete()
    transaction.on_commit(lambda: [sealed_files.delete(s) for s in stored])


# --- incidents ----------------------------------------------------------------------------------

def _incident_save(testimony: Testimony, data: IncidentData, position: int) -> Incident:
    incident = Incident(testimony=testimony, data_key_id=testimony.data_key_id, position=position)
    for name in INCIDENT_SEALED:
        setattr(incident, name, getattr(data, name))
    incident.save()
    return incident


@transaction.atomic
def incident_add(*, actor, testimony: Testimony, data: IncidentData) -> Incident:
    require(actor, "testimony.edit", testimony)
    data.clean(testimony.organisation)
    position = (testimony.incidents.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    incident = _incident_save(testimony, data, position)
    audit_record(actor=actor, action="testimony.incident.add", target=testimony, incident=str(incident.pk),
                 violation=data.violation)
    _project(testimony)
    return incident


@transaction.atomic
def incident_remove(*, actor, incident: Incident) -> None:
    testimony = incident.testimony
    require(actor, "testimony.edit", testimony)
    audit_record(actor=actor, action="testimony.incident.remove", target=testimony, incident=str(incident.pk))
    incident.delete()
    _project(testimony)


def _project(testimony: Testimony) -> int:
    """Rewrite the testimony's clear-text counted incidents from its sealed ones (or remove them)."""
    CountedIncident.objects.filter(testimony=testimony).delete()
    if not testimony.consent_public_report:
        return 0
    regions = dict(terms(testimony.organisation_id, vocabulary.PLACE).values_list("code", "parent"))
    rows = []
    for incident in Incident.objects.filter(testimony=testimony):
        year = int(incident.occurred_on[:4])
        month = int(incident.occurred_on[5:7]) if incident.precision in ("day", "month") else None
        rows.append(CountedIncident(organisation_id=testimony.organisation_id, testimony=testimony,
                                    violation=incident.violation, perpetrator=incident.perpetrator,
                                    place=incident.place, region=regions.get(incident.place, "unknown"),
                                    year=year, month=month))
    CountedIncident.objects.bulk_create(rows)
    return len(rows)


# --- consent ------------------------------------------------------------------------------------

def _consent_save(actor, testimony: Testimony, use: str, granted: bool, bodies: list[str], note: str) -> Consent:
    consent = Consent(testimony=testimony, data_key_id=testimony.data_key_id, use=use, granted=granted,
                      recorded_by=actor if getattr(actor, "pk", None) else None)
    consent.bodies = [b.strip()[:200] for b in bodies if b and b.strip()]
    consent.note = note.strip()
    consent.save()
    setattr(testimony, f"consent_{use}", granted)
    Testimony.objects.filter(pk=testimony.pk).update(**{f"consent_{use}": granted})
    audit_record(actor=actor, action="testimony.consent", target=testimony, use=use, granted=granted)
    return consent


@transaction.atomic
def consent_record(*, actor, testimony: Testimony, use: str, granted: bool, bodies=(), note: str = "") -> Consent:
    """Record a consent decision (or its withdrawal) for one use. Takes effect in the next report."""
    require(actor, "testimony.consent", testimony)
    if use not in vocabulary.CONSENT_USES:
        raise ValidationError({"use": _("Unknown use.")})
    bodies = [b for b in bodies if b and b.strip()]
    if use == "named_bodies" and granted and not bodies:
        raise ValidationError({"bodies": _("Name the bodies the testimony may be shared with.")})
    consent = _consent_save(actor, testimony, use, granted, list(bodies), note)
    if use == "public_report":
        _project(testimony)
    return consent


# --- attachments --------------------------------------------------------------------------------

# What a file must start with to be accepted as its kind: the type is checked on the bytes, never
# trusted from the browser's word or the file name.
_SIGNATURES = [
    ("photo", "image/jpeg", lambda b: b[:3] == b"\xff\xd8\xff"),
    ("photo", "image/png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    ("photo", "image/webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("photo", "image/heic", lambda b: b[4:8] == b"ftyp" and b[8:12] in (b"heic", b"heix", b"mif1")),
    ("audio", "audio/mpeg", lambda b: b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and b[1] & 0xE0 == 0xE0)),
    ("audio", "audio/ogg", lambda b: b[:4] == b"OggS"),
    ("audio", "audio/wav", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE"),
    ("audio", "audio/mp4", lambda b: b[4:8] == b"ftyp" and b[8:11] in (b"M4A", b"mp4", b"iso")),
    ("audio", "audio/webm", lambda b: b[:4] == b"\x1aE\xdf\xa3"),
    ("document", "application/pdf", lambda b: b[:5] == b"%PDF-"),
]


def attachment_max_bytes() -> int:
    return min(getattr(settings, "TESTIMONY_ATTACHMENT_MAX_BYTES", sealed_files.MAX_BYTES), sealed_files.MAX_BYTES)


def sniff(content: bytes) -> tuple[str, str] | None:
    """(kind, content type) recognised from the first bytes, or None."""
    head = content[:16]
    for kind, content_type, test in _SIGNATURES:
        if test(head):
            return kind, content_type
    return None


@transaction.atomic
def testimony_attachment_add(*, actor, testimony: Testimony, filename: str, content: bytes) -> TestimonyAttachment:
    require(actor, "testimony.edit", testimony)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > attachment_max_bytes():
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {
            "mb": attachment_max_bytes() // (1024 * 1024)}})
    recognised = sniff(content)
    if recognised is None:
        raise ValidationError({"file": _("Only audio recordings (MP3, OGG, WAV, M4A, WebM), photos (JPEG, PNG, "
                                         "WebP, HEIC) and PDF documents can be attached.")})
    kind, content_type = recognised
    stored_as = sealed_files.store(testimony.data_key_id, content)
    try:
        attachment = TestimonyAttachment(testimony=testimony, data_key_id=testimony.data_key_id, uploaded_by=actor,
                                         size=len(content), stored_as=stored_as)
        attachment.kind = kind
        attachment.filename = (filename or "file")[:200]
        attachment.content_type = content_type
        attachment.save()
        audit_record(actor=actor, action="testimony.attachment.add", target=testimony,
                     attachment=str(attachment.pk), kind=kind)
    except Exception:
        sealed_files.delete(stored_as)
        raise
    return attachment


def testimony_attachment_read(*, actor, attachment: TestimonyAttachment) -> bytes:
    require(actor, "testimony.view", attachment.testimony)
    audit_record(actor=actor, action="testimony.attachment.read", target=attachment.testimony,
                 attachment=str(attachment.pk))
    return sealed_files.read(attachment.data_key_id, attachment.stored_as)
