"""Writing the intake: anonymous submissions and follow-ups, staff replies, triage, turning a
request into a person and a case. Each in one transaction with its audit row; a new request goes
through the spool (``spool.py``), which files many in one.

Threat: a seized server. The public functions need only the organisation's intake *public* key:
what a visitor sends is sealed in the request handler, before any of it reaches the database, and
the intake keeps working while the staff side is sealed. The staff functions open sealed boxes,
which needs the vault unsealed. Once a request becomes a case its words move under the case's own
data key, so shredding the person shreds the conversation too.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, CaseEvent, CaseNote
from safepassage.cases.services import case_open
from safepassage.cases.workflow import NotVerified, require_verified
from safepassage.people.services import PersonData, person_create
from safepassage.policy.rules import can, case_scope, intake_scope, require
from safepassage.vault import sealedbox
from safepassage.vault import services as vault
from safepassage.vault.errors import VaultError

from . import codenames, conf, spool
from .models import HelpRequest, IntakeKey, IntakeMessage

URGENCIES = ("now", "days", "weeks", "unsure")
URGENCY_RANK = {"now": 0, "days": 1, "weeks": 2, "unsure": 3, "": 3}
URGENCY_RISK = {"now": "critical", "days": "high", "weeks": "medium", "unsure": "medium", "": "medium"}
PREFERRED_LANGUAGES = ("ru", "ce", "en", "fr", "other")
_PAD = 512  # sealed payloads are padded to a multiple of this, so their size says little


class IntakeClosed(Exception):
    """No organisation has an intake key yet: the page cannot accept requests."""


class UnknownCodename(Exception):
    """No thread answers to these words (or the words have a typo)."""


@dataclass
class RequestPayload:
    """What the public form collects. Every field but `what` may be left empty."""

    what: str = ""
    urgency: str = ""
    region: str = ""
    contact_only_here: bool = True
    contact: str = ""
    language: str = ""
    name: str = ""
    page_language: str = ""
    v: int = 1

    def to_bytes(self) -> bytes:
        # the fields as asdict() gives them, without its deep copy of every (immutable) value
        return _pad(json.dumps({name: getattr(self, name) for name in self.__dataclass_fields__},
                               ensure_ascii=False, sort_keys=True))

    @classmethod
    def from_bytes(cls, data: bytes) -> "RequestPayload":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in json.loads(data).items() if k in known})


def _pad(text: str) -> bytes:
    raw = text.encode()
    return raw + b" " * (-len(raw) % _PAD)


def _now() -> datetime:
    return timezone.now()


# --- the key pair ---------------------------------------------------------------------------------

def public_intake_key() -> IntakeKey | None:
    """The key the public page seals to: the configured organisation's, else the first created.

    Kept in this process for a minute: it is public, it changes only when first created, and a
    flood should not cost two extra queries per submission.
    """
    now = time.monotonic()
    cached = _public_key_cache.get("key")
    if cached is not None and now - _public_key_cache.get("at", 0) < 60:
        return cached
    keys = IntakeKey.objects.select_related("organisation")
    name = conf.get("INTAKE_ORGANISATION")
    try:
        key = (keys.filter(organisation__name=name) if name else keys.order_by("created_at", "pk")).first()
    except DatabaseError:
        if cached is not None:  # the database is away for a moment: the key it gave is still the key
            return cached
        raise
    if key is not None:
        _public_key_cache.update(key=key, at=now)
    return key


_public_key_cache: dict = {}


def forget_public_key() -> None:
    _public_key_cache.clear()


@transaction.atomic
def intake_key_ensure(*, actor, organisation) -> IntakeKey:
    """The organisation's intake key pair, created on first need (the vault must be unsealed)."""
    existing = IntakeKey.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    public, wrapped = sealedbox.keypair_create()
    key = IntakeKey.objects.create(organisation=organisation, public_key=public, wrapped_private_key=wrapped)
    audit_record(actor=actor, action="intake.key_create", organisation=organisation)
    transaction.on_commit(forget_public_key)
    return key


def open_for_staff(key: IntakeKey, blob) -> bytes:
    """Open a box sealed to the intake key (vault unsealed; the caller has audited the read)."""
    return sealedbox.open_sealed(bytes(key.public_key), bytes(key.wrapped_private_key), bytes(blob))


def _org_key(organisation_id) -> IntakeKey:
    return IntakeKey.objects.get(organisation_id=organisation_id)


# --- the public side ------------------------------------------------------------------------------

def help_request_submit(*, payload: RequestPayload, key: IntakeKey | None = None) -> tuple[uuid.UUID, str]:
    """Accept a sealed request; returns its id and the codename to show the visitor once.

    Nothing readable is written: the payload is sealed to the organisation's public key here. The
    request is on disk in the spool when this returns, and filed (its row and audit event) at once
    or, on a server, within ``INTAKE_SPOOL_DELAY`` with the others that arrived meanwhile.
    """
    key = key or public_intake_key()
    if key is None:
        raise IntakeClosed()
    sealed = sealedbox.seal_to(bytes(key.public_key), payload.to_bytes())
    codename = codenames.generate("ru" if payload.page_language == "ru" else "en")
    keys = codenames.keys_for(codename)
    record = spool.Record(id=uuid.uuid4(), organisation_id=key.organisation_id, received_at=_now(),
                          codename_hash=keys.lookup, reply_public_key=keys.public_key, sealed_request=sealed)
    spool.accept(record)
    return record.id, codename


@dataclass
class VisitorLine:
    sent_at: datetime
    from_visitor: bool
    text: str = ""


@dataclass
class VisitorThread:
    request_id: str
    lines: list[VisitorLine] = field(default_factory=list)

    @property
    def has_reply(self) -> bool:
        return any(not line.from_visitor for line in self.lines)


def visitor_thread(*, codename: str) -> VisitorThread:
    """The visitor's conversation: their messages (dates only: they are sealed to us) and our
    replies, opened with the key their codename yields. Nothing is written, nothing kept."""
    lookup = codenames.keys_for(codename).lookup
    threads = HelpRequest.objects.filter(codename_hash=lookup).only("id", "received_at")
    request = threads.first()
    if request is None and spool.file_all():  # sent a moment ago, not filed yet
        request = threads.first()
    if request is None:
        raise UnknownCodename()
    messages = list(request.messages.only("sent_at", "sender", "sealed_for_visitor"))
    replies = [m for m in messages if m.sender == IntakeMessage.FROM_STAFF and m.sealed_for_visitor]
    opened = dict(zip([m.pk for m in replies],
                      codenames.open_replies(codename, [bytes(m.sealed_for_visitor) for m in replies])))
    lines = [VisitorLine(request.received_at, True)]  # the request itself
    for m in messages:
        if m.sender == IntakeMessage.FROM_VISITOR:
            lines.append(VisitorLine(m.sent_at, True))
        elif opened.get(m.pk) is not None:
            lines.append(VisitorLine(m.sent_at, False, json.loads(opened[m.pk])["text"]))
    return VisitorThread(str(request.pk), lines)


def followup_submit(*, request_id, text: str) -> IntakeMessage:
    """A visitor's follow-up, sealed to the organisation. On a thread already linked to a case it
    lands on the case timeline at once when this process holds the key, else at the next staff visit."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("The message is empty.")})
    request = HelpRequest.objects.filter(pk=request_id).defer("sealed_request").first()
    if request is None:
        raise UnknownCodename()
    key = _org_key(request.organisation_id)
    sealed = sealedbox.seal_to(bytes(key.public_key), _pad(json.dumps({"text": text}, ensure_ascii=False)))
    now = _now()
    with transaction.atomic():
        message = IntakeMessage.objects.create(request=request, sender=IntakeMessage.FROM_VISITOR, sent_at=now,
                                               sealed_for_staff=sealed)
        HelpRequest.objects.filter(pk=request.pk).update(last_visitor_at=now, awaiting_staff=True)
        if request.duplicate_of_id and not request.case_id:
            # a duplicate of a request still in triage: the earlier request comes back to the top
            HelpRequest.objects.filter(pk=request.duplicate_of_id).update(last_visitor_at=now, awaiting_staff=True)
        audit_record(actor=None, action="intake.followup", target=request, message=message.pk)
        if request.case_id and vault.is_unsealed():
            try:
                with transaction.atomic():
                    _deliver(actor=None, request=request, message=message, text=text)
            except VaultError:  # sealed meanwhile: it waits, sealed, for the next staff visit
                pass
    return message


# --- the staff side -------------------------------------------------------------------------------

def request_payload(help_request: HelpRequest, key: IntakeKey | None = None) -> RequestPayload | None:
    """The first request, opened (the caller has checked access and audited the read); None once
    its words moved onto a case."""
    if help_request.sealed_request is None:
        return None
    key = key or _org_key(help_request.organisation_id)
    return RequestPayload.from_bytes(open_for_staff(key, help_request.sealed_request))


def message_text(key: IntakeKey, message: IntakeMessage) -> str:
    """The words of one message sealed for staff (empty once they have moved to the case)."""
    if message.sealed_for_staff is None:
        return ""
    return json.loads(open_for_staff(key, message.sealed_for_staff))["text"]


@transaction.atomic
def help_request_seen(*, actor, help_request: HelpRequest) -> None:
    """A colleague has read the thread: it leaves the 'new' state."""
    require(actor, "intake.view", help_request)
    changes = {"awaiting_staff": False}
    if help_request.status == HelpRequest.NEW:
        changes["status"] = HelpRequest.OPEN
    HelpRequest.objects.filter(pk=help_request.pk).update(**changes)
    for name, value in changes.items():
        setattr(help_request, name, value)


@transaction.atomic
def help_request_reply(*, actor, help_request: HelpRequest, body: str) -> IntakeMessage:
    """Reply through the help page: sealed to the visitor's codename key (and kept for colleagues).

    The visitor sees the words only: no author, no case, no stage. Plain words may go before the
    case is verified (the first answer from triage, the screening questions, agreeing a safe channel);
    words naming a member of the organisation may not: they go through ``require_verified``.
    """
    require(actor, "intake.reply", help_request)
    if help_request.case_id:
        require(actor, "case.note", help_request.case)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("The reply is empty.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A reply can have at most 5000 characters.")})
    _require_verified_to_name_staff(help_request, body)
    raw = _pad(json.dumps({"text": body}, ensure_ascii=False))
    message = IntakeMessage(request=help_request, sender=IntakeMessage.FROM_STAFF, sent_at=_now(), author=actor,
                            sealed_for_visitor=sealedbox.seal_to(bytes(help_request.reply_public_key), raw))
    if help_request.case_id:
        message.save()
        message.case_note = _note_on_case(actor=actor, case=help_request.case, body=body, outgoing=True)
        message.save(update_fields=["case_note"])
    else:
        message.sealed_for_staff = sealedbox.seal_to(bytes(_org_key(help_request.organisation_id).public_key), raw)
        message.save()
    changes = {"awaiting_staff": False}
    if help_request.status == HelpRequest.NEW:
        changes["status"] = HelpRequest.OPEN
    HelpRequest.objects.filter(pk=help_request.pk).update(**changes)
    audit_record(actor=actor, action="intake.reply", target=help_request, message=message.pk)
    return message


_WORD = re.compile(r"\w+", re.UNICODE)


def staff_named(organisation_id, body: str) -> list[str]:
    """The organisation's members (past ones too) a reply names, by username or surname as whole
    words. First names alone are not checked: too common to tell a colleague from the requester."""
    words = " ".join(w.casefold().replace("ё", "е") for w in _WORD.findall(body))
    padded = f" {words} "
    named = []
    members = get_user_model().objects.filter(membership__organisation_id=organisation_id).values_list(
        "username", "first_name", "last_name")
    for username, first, last in members:
        terms = [username]
        if len(last.strip()) >= 3:
            terms.append(last)
        for term in terms:
            normal = " ".join(w.casefold().replace("ё", "е") for w in _WORD.findall(term))
            if normal and f" {normal} " in padded:
                named.append(" ".join(p for p in (first, last) if p) or username)
                break
    return sorted(set(named))


def _require_verified_to_name_staff(help_request: HelpRequest, body: str) -> None:
    """A staff name is sensitive (``cases.workflow.require_verified``): a reply may carry one only
    on a thread whose case is verified. A request with no case is not verified."""
    named = staff_named(help_request.organisation_id, body)
    if not named:
        return
    try:
        require_verified(help_request.case)
    except NotVerified as exc:
        raise ValidationError({"body": _("%(refusal)s This reply names a member of your organisation: %(names)s.")
                               % {"refusal": str(exc), "names": ", ".join(named)}}) from None


MARKS = (HelpRequest.SPAM, HelpRequest.DUPLICATE, HelpRequest.ENTRAPMENT, HelpRequest.OPEN)


@transaction.atomic
def help_request_mark(*, actor, help_request: HelpRequest, status: str, duplicate_of_case=None,
                      duplicate_of_request=None) -> None:
    """Spam, duplicate, entrapment suspected — or back to open. The visitor is never told.

    A duplicate names what it duplicates: a case the worker may see (``duplicate_of_case``), or an
    earlier request (``duplicate_of_request``). With a case — chosen, or the earlier request's — the
    thread joins that case as an opened request does: its words move onto the case timeline and
    later follow-ups land there. An earlier request still in triage takes the duplicate along when a
    case is opened from it.
    """
    require(actor, "intake.triage", help_request)
    if status not in MARKS:
        raise ValidationError({"status": _("Unknown status.")})
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status == HelpRequest.CONVERTED or help_request.case_id:
        raise ValidationError({"status": _("This request is already a case; change the case instead.")})
    before, detail, fields = help_request.status, {}, ["status", "triaged_by", "triaged_at", "awaiting_staff",
                                                        "duplicate_of"]
    help_request.duplicate_of = None
    if status == HelpRequest.DUPLICATE:
        case, earlier = _duplicate_target(actor, help_request, duplicate_of_case, duplicate_of_request)
        if case is not None:
            _thread_to_case(actor=actor, help_request=help_request, case=case)
            fields += ["case", "sealed_request"]
            detail["case"] = str(case.pk)
        else:
            help_request.duplicate_of = earlier
            detail["duplicate_of"] = str(earlier.pk)
    help_request.status, help_request.triaged_by, help_request.triaged_at = status, actor, timezone.now()
    help_request.awaiting_staff = False
    help_request.save(update_fields=fields)
    audit_record(actor=actor, action="intake.mark", target=help_request, before=before, after=status, **detail)


def _duplicate_target(actor, help_request: HelpRequest, case_id, request_id) -> tuple[Case | None, HelpRequest | None]:
    """(the case the duplicate joins, or None and the earlier request, still without a case, it waits on)."""
    if bool(case_id) == bool(request_id):
        raise ValidationError({"duplicate_of": _("Choose the case or the earlier request it duplicates.")})
    if case_id:
        case = Case.objects.filter(case_scope(actor), organisation_id=help_request.organisation_id,
                                   pk=case_id).first()
        if case is None or not can(actor, "case.note", case):
            raise ValidationError({"duplicate_of": _("Choose the case or the earlier request it duplicates.")})
        return case, None
    earlier = HelpRequest.objects.filter(intake_scope(actor), organisation_id=help_request.organisation_id,
                                         pk=request_id, received_at__lt=help_request.received_at).first()
    if earlier is None:
        raise ValidationError({"duplicate_of": _("Choose the case or the earlier request it duplicates.")})
    while earlier.case_id is None and earlier.duplicate_of_id is not None:  # each link is strictly earlier
        earlier = HelpRequest.objects.get(pk=earlier.duplicate_of_id)
    if earlier.case_id is not None:
        return earlier.case, None
    return None, earlier


def duplicate_choices(actor, help_request: HelpRequest, *, cases: int = 200, requests: int = 50):
    """What a request may be marked a duplicate of: (cases the worker may note on, newest activity
    first; earlier requests of the organisation that are not spam, newest first)."""
    case_rows = [c for c in Case.objects.filter(case_scope(actor), organisation_id=help_request.organisation_id)
                 .order_by("-updated_at")[:cases]]
    request_rows = list(HelpRequest.objects.filter(
        intake_scope(actor), organisation_id=help_request.organisation_id,
        received_at__lt=help_request.received_at).exclude(status=HelpRequest.SPAM).select_related("case")
        .defer("sealed_request").order_by("-received_at")[:requests])
    return case_rows, request_rows


@dataclass
class ConversionData:
    """What the worker confirms (pre-filled from the request) to open a person and a case."""

    person: PersonData
    summary: str = ""
    risk_level: str = "medium"
    risk_reasons: str = ""


def conversion_defaults(payload: RequestPayload, labels: dict) -> ConversionData:
    """The person and case fields that the request already answers, for the worker to confirm.

    `labels` turns codes into words in the worker's language (urgency, preferred language).
    """
    notes = []
    if payload.language:
        notes.append(_("Preferred language: %(language)s") % {"language": labels.get(payload.language, payload.language)})
    if payload.contact_only_here or not payload.contact.strip():
        notes.append(_("Contact: only through the help page."))
    else:
        notes.append(_("Safe ways to reach them: %(contact)s") % {"contact": payload.contact.strip()})
    urgency = labels.get(payload.urgency or "unsure", payload.urgency)
    return ConversionData(
        person=PersonData(full_name=payload.name.strip(), current_location=payload.region.strip(),
                          notes="\n".join(notes)),
        summary=payload.what.strip(),
        risk_level=URGENCY_RISK.get(payload.urgency, "medium"),
        risk_reasons=_("Urgency given in the help request: %(urgency)s") % {"urgency": urgency},
    )


@transaction.atomic
def help_request_convert(*, actor, help_request: HelpRequest, data: ConversionData) -> Case:
    """Turn a request into a person and a case; the conversation moves onto the case timeline, and
    so do the requests marked duplicates of it."""
    require(actor, "intake.triage", help_request)
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status == HelpRequest.CONVERTED or help_request.case_id:
        raise ValidationError(_("This request is already a case."))
    person = person_create(actor=actor, organisation=help_request.organisation, data=data.person)
    case = case_open(actor=actor, person=person, summary=data.summary, risk_level=data.risk_level,
                     risk_reasons=data.risk_reasons, status="screening")
    _thread_to_case(actor=actor, help_request=help_request, case=case)
    help_request.status = HelpRequest.CONVERTED
    help_request.triaged_by, help_request.triaged_at, help_request.awaiting_staff = actor, timezone.now(), False
    help_request.save(update_fields=["case", "sealed_request", "status", "triaged_by", "triaged_at", "awaiting_staff"])
    audit_record(actor=actor, action="intake.convert", target=help_request, case=str(case.pk),
                 person=str(person.pk))
    return case


def _thread_to_case(*, actor, help_request: HelpRequest, case: Case) -> None:
    """Link a thread to a case: its words move onto the case timeline under the case's key (the
    copies sealed to the intake key are erased), and so do those of the requests marked duplicates
    of it that wait for a case. The caller saves ``help_request`` (``case``, ``sealed_request``)."""
    key = _org_key(help_request.organisation_id)
    if help_request.sealed_request is not None:
        text = _request_as_text(request_payload(help_request, key))
        _note_on_case(actor=None, case=case, body=text, outgoing=False, audit_actor=actor)
        help_request.sealed_request = None  # the words now live under the case's key
    for message in help_request.messages.select_related("author"):
        _move_to_case(actor=actor, key=key, case=case, message=message)
    help_request.case = case
    for duplicate in HelpRequest.objects.select_for_update().filter(duplicate_of=help_request, case__isnull=True):
        _thread_to_case(actor=actor, help_request=duplicate, case=case)  # each one strictly later: it ends
        duplicate.save(update_fields=["case", "sealed_request"])
        audit_record(actor=actor, action="intake.link", target=duplicate, case=str(case.pk),
                     duplicate_of=str(help_request.pk))


def _move_to_case(*, actor, key: IntakeKey, case: Case, message: IntakeMessage) -> None:
    if message.case_note_id or message.sealed_for_staff is None:
        return
    note = _note_on_case(actor=message.author if message.sender == IntakeMessage.FROM_STAFF else None,
                         case=case, body=message_text(key, message),
                         outgoing=message.sender == IntakeMessage.FROM_STAFF, audit_actor=actor)
    message.case_note, message.sealed_for_staff = note, None  # the words now live under the case's key
    message.save(update_fields=["case_note", "sealed_for_staff"])


def _request_as_text(payload: RequestPayload) -> str:
    """The whole original request, so nothing the visitor said is lost when fields are edited."""
    rows = [payload.what.strip()]
    for label, value in ((_("Urgency"), payload.urgency), (_("Where"), payload.region),
                         (_("Contact"), "" if payload.contact_only_here else payload.contact),
                         (_("Preferred language"), payload.language), (_("Name"), payload.name)):
        if value and value.strip():
            rows.append(f"{label}: {value.strip()}")
    return "\n".join(r for r in rows if r)


def _deliver(*, actor, request: HelpRequest, message: IntakeMessage, text: str) -> None:
    note = _note_on_case(actor=None, case=request.case, body=text, outgoing=False, audit_actor=actor)
    message.case_note, message.sealed_for_staff = note, None
    message.save(update_fields=["case_note", "sealed_for_staff"])


def _note_on_case(*, actor, case: Case, body: str, outgoing: bool, audit_actor=None) -> CaseNote:
    """A sealed note on the case timeline, under the case's data key.

    Like ``case_add_note`` but also for words from the requester, who has no account: their
    codename was the authority. It is an ordinary note on the timeline; its detail says it came
    through the help page and which way (``direction`` "in" from the requester, "out" to them).
    """
    note = CaseNote(case=case, author=actor, data_key_id=case.data_key_id)
    note.body = body
    note.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="note", note=note,
                             detail={"via": "help_page", "direction": "out" if outgoing else "in"})
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    audit_record(actor=audit_actor if audit_actor is not None else actor, action="case.note", target=case,
                 note=str(note.pk), source="intake")
    return note


@transaction.atomic
def followups_deliver(*, actor, organisation) -> int:
    """Follow-ups that arrived while this process was sealed, moved onto their cases' timelines."""
    waiting = list(IntakeMessage.objects.filter(
        request__organisation=organisation, request__case__isnull=False, sender=IntakeMessage.FROM_VISITOR,
        case_note__isnull=True, sealed_for_staff__isnull=False).select_related("request", "request__case"))
    if not waiting:
        return 0
    key = _org_key(organisation.pk)
    for message in waiting:
        _deliver(actor=actor, request=message.request, message=message, text=message_text(key, message))
    return len(waiting)
