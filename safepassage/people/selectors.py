"""Reading people: every access goes through ``person_for`` (audited) or ``person_search``."""
from __future__ import annotations

from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.core.names import name_tokens, phone_digits
from safepassage.policy.rules import can, person_scope
from safepassage.vault import services as vault

from .models import Person, PersonIndex


def person_for(actor, person_id, *, action: str = "person.view") -> Person:
    """The person if the actor may do `action` to them; the same 404 for missing and forbidden. Audited."""
    person = Person.objects.filter(pk=_uuid_or_none(person_id)).select_related("organisation").first()
    if person is None or not can(actor, action, person):
        raise Http404()
    audit_record(actor=actor, action="person.read" if action == "person.view" else f"{action}.open", target=person)
    return person


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def people_visible(actor):
    return Person.objects.filter(person_scope(actor)).distinct()


def person_ids_matching(query: str):
    """Ids of people whose every name token (or phone) in `query` matches a blind index."""
    query = (query or "").strip()
    digits = phone_digits(query)
    if digits and sum(ch.isdigit() for ch in query) >= 6:
        return PersonIndex.objects.filter(kind=PersonIndex.KIND_PHONE, digest=vault.blind_index("phone", digits)) \
            .values_list("person_id", flat=True)
    tokens = name_tokens(query)
    if not tokens:
        return None
    ids = None
    for token in tokens:
        matched = set(PersonIndex.objects.filter(kind=PersonIndex.KIND_NAME, digest=vault.blind_index("name", token))
                      .values_list("person_id", flat=True))
        ids = matched if ids is None else ids & matched
    return ids or set()


def attachments_of(person: Person) -> list:
    """The person's attachments, newest first (their names decrypt under the person's key)."""
    return list(person.attachments.select_related("uploaded_by").order_by("-uploaded_at"))


def attachment_for(person: Person, attachment_id):
    """One attachment of a person the caller already holds; the same 404 for missing and foreign."""
    attachment = person.attachments.filter(pk=_uuid_or_none(attachment_id)).first()
    if attachment is None:
        raise Http404()
    return attachment
