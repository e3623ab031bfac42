"""Writing people: create, update, delete (crypto-shred), attachments. Audited in the same transaction."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.core.names import name_tokens, phone_digits
from safepassage.policy.rules import require
from safepassage.vault import files as sealed_files
from safepassage.vault import services as vault

from .models import Attachment, Person, PersonIndex

_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
GENDERS = {code for code, _label in Person.GENDER_CHOICES}
SEALED_FIELDS = ["full_name", "other_names", "date_of_birth", "gender", "gender_self_described",
                 "phones", "messengers", "current_location", "notes"]


@dataclass
class PersonData:
    """What a form, an import row or an API call provides for a person. Every field may be empty."""

    full_name: str = ""
    other_names: list[str] = field(default_factory=list)
    date_of_birth: str = ""
    gender: str = ""
    gender_self_described: str = ""
    phones: list[str] = field(default_factory=list)
    messengers: list[dict] = field(default_factory=list)
    current_location: str = ""
    notes: str = ""

    def clean(self) -> "PersonData":
        errors = {}
        self.full_name = self.full_name.strip()
        self.other_names = [n.strip() for n in self.other_names if n and n.strip()]
        self.phones = [p.strip() for p in self.phones if p and p.strip()]
        self.date_of_birth = normalise_date_of_birth(self.date_of_birth, errors)
        if self.gender not in GENDERS:
            errors["gender"] = _("Choose one of the listed genders, or “Self-described”.")
        if self.gender != "self":
            self.gender_self_described = ""
        for phone in self.phones:
            if not phone_digits(phone):
                errors["phones"] = _("“%(phone)s” does not look like a phone number.") % {"phone": phone}
        if len(self.full_name) > 300:
            errors["full_name"] = _("A name can have at most 300 characters.")
        if errors:
            raise ValidationError(errors)
        return self


def normalise_date_of_birth(value: str, errors: dict) -> str:
    """Accepts YYYY, YYYY-MM or YYYY-MM-DD (also DD.MM.YYYY and MM.YYYY); empty is fine."""
    value = (value or "").strip()
    if not value:
        return ""
    dotted = re.match(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$", value)
    if dotted:
        day, month, year = dotted.groups()
        value = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    match = _DOB.match(value)
    if not match:
        errors["date_of_birth"] = _("Write the date of birth as a year (1990), year and month (1990-05) or a full date (1990-05-12).")
        return value
    year, month, day = match.groups()
    import datetime

    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        errors["date_of_birth"] = _("That date does not exist.")
        return value
    if not 1900 <= int(year) <= datetime.date.today().year:
        errors["date_of_birth"] = _("The year of birth must be between 1900 and this year.")
    return value


def _next_reference() -> str:
    while True:
        reference = f"P-{secrets.randbelow(10**6):06d}"
        if not Person.objects.filter(reference=reference).exists():
            return reference


def _apply(person: Person, data: PersonData) -> list[str]:
    changed = []
    for name in SEALED_FIELDS:
        value = getattr(data, name)
        if person._state.adding or getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    return changed


def _reindex(person: Person, data: PersonData, *, match: bool = True) -> None:
    PersonIndex.objects.filter(person=person).delete()
    entries = [PersonIndex(person=person, kind=PersonIndex.KIND_NAME, digest=vault.blind_index("name", t))
               for t in name_tokens(data.full_name, *data.other_names)]
    entries += [PersonIndex(person=person, kind=PersonIndex.KIND_PHONE, digest=vault.blind_index("phone", d))
                for d in {phone_digits(p) for p in data.phones} if d]
    if data.date_of_birth:
        entries.append(PersonIndex(person=person, kind=PersonIndex.KIND_BIRTH_YEAR,
                                   digest=vault.blind_index("birth_year", data.date_of_birth[:4])))
    PersonIndex.objects.bulk_create(entries)
    if match:
        from safepassage.matching.services import match_keys_refresh  # matching builds on people

        match_keys_refresh(person=person, data=data)


@transaction.atomic
def person_create(*, actor, organisation, data: PersonData, audit: bool = True, match: bool = True) -> Person:
    """A new person. `match=False` leaves their duplicate-matching keys to the caller, who must run
    ``matching.services.match_keys_refresh_many`` for them (an import matches all its rows at once)."""
    require(actor, "person.create")
    data.clean()
    person = Person(organisation=organisation, created_by=actor if getattr(actor, "pk", None) else None,
                    reference=_next_reference())
    _apply(person, data)
    person.full_clean(exclude=[*SEALED_FIELDS, "data_key_id"])
    person.save()
    _reindex(person, data, match=match)
    if audit:
        audit_record(actor=actor, action="person.create", target=person)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: PersonData) -> list[str]:
    require(actor, "person.edit", person)
    data.clean()
    changed = _apply(person, data)
    if changed:
        person.save()
        _reindex(person, data)
        audit_record(actor=actor, action="person.update", target=person, fields=changed)
    return changed


def person_data(person: Person) -> PersonData:
    """A person's current sealed values (decrypts; the caller has checked access and audited)."""
    return PersonData(**{name: getattr(person, name) for name in SEALED_FIELDS})


@transaction.atomic
def person_delete(*, actor, person: Person) -> None:
    """Crypto-shred: the data keys go first, then the rows and sealed files. Nothing can bring it back."""
    require(actor, "person.delete", person)
    case_keys = list(person.cases.values_list("data_key_id", flat=True))
    stored = list(person.attachments.values_list("stored_as", flat=True))
    audit_record(actor=actor, action="person.delete", target=person, cases=len(case_keys))
    vault.shred([person.data_key_id, *case_keys])
    person.cases.all().delete()
    person.delete()
    transaction.on_commit(lambda: [sealed_files.delete(s) for s in stored])


@transaction.atomic
def attachment_add(*, actor, person: Person, filename: str, content_type: str, content: bytes) -> Attachment:
    require(actor, "person.edit", person)
    stored_as = sealed_files.store(person.data_key_id, content)
    try:
        attachment = Attachment(person=person, data_key_id=person.data_key_id, uploaded_by=actor,
                                size=len(content), stored_as=stored_as)
        attachment.filename = filename[:200]
        attachment.content_type = content_type[:100]
        attachment.save()
        audit_record(actor=actor, action="attachment.create", target=person, attachment=str(attachment.pk))
    except Exception:
        sealed_files.delete(stored_as)  # no orphan ciphertext when the row is not written
        raise
    return attachment


def attachment_read(*, actor, attachment: Attachment) -> bytes:
    require(actor, "person.view", attachment.person)
    audit_record(actor=actor, action="attachment.read", target=attachment.person, attachment=str(attachment.pk))
    return sealed_files.read(attachment.data_key_id, attachment.stored_as)


# --- uploads from the staff pages -------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = sealed_files.MAX_BYTES
ATTACHMENT_TYPES = {  # what the content really is (never the browser's claim) -> served type
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "text": "text/plain",
}


def attachment_type_of(content: bytes) -> str | None:
    """The allowed type of `content` judged by its first bytes, or None when it is none of them.

    Threat: a file that claims to be a PDF but is HTML or an executable, opened later on a staff
    laptop. The type is taken from the bytes, and only PDF, JPEG, PNG and UTF-8 text pass.
    """
    if content.startswith(b"%PDF-"):
        return ATTACHMENT_TYPES["pdf"]
    if content.startswith(b"\xff\xd8\xff"):
        return ATTACHMENT_TYPES["jpeg"]
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ATTACHMENT_TYPES["png"]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text):
        return None
    return ATTACHMENT_TYPES["text"]


def attachment_upload(*, actor, person: Person, filename: str, content: bytes) -> Attachment:
    """An uploaded document checked for size and type, then sealed (see ``attachment_add``)."""
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("A file can be at most %(mb)s MB.") % {
            "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)}})
    content_type = attachment_type_of(content)
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG, PNG and plain-text files can be attached.")})
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "attachment"
    return attachment_add(actor=actor, person=person, filename=name, content_type=content_type, content=content)
