"""Reading testimonies: ``testimony_for`` (one, audited), ``testimony_page`` (a page, one audit row).

Every read of a testimony is audited: opening one writes ``testimony.read`` before anything sealed
is shown. Missing and forbidden look the same (404).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, person_scope, testimony_scope
from safepassage.vault import services as vault

from . import vocabulary
from .models import Consent, Incident, Testimony, TestimonyAttachment
from .services import terms


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def testimony_for(actor, testimony_id, *, action: str = "testimony.view") -> Testimony:
    testimony = Testimony.objects.filter(pk=_uuid(testimony_id)).select_related("organisation", "interviewer").first()
    if testimony is None or not can(actor, action, testimony):
        raise Http404()
    audit_record(actor=actor, action="testimony.read" if action == "testimony.view" else f"{action}.open",
                 target=testimony)
    return testimony


def testimony_page(actor, page_number=1):
    """One page of the testimonies the actor may open; their keys are unwrapped in one query."""
    testimonies = Testimony.objects.filter(testimony_scope(actor)).select_related("interviewer").distinct()
    page = Paginator(testimonies, settings.PAGE_SIZE).get_page(page_number)
    vault.preload_data_keys(t.data_key_id for t in page.object_list)
    audit_record(actor=actor, action="testimony.list", page=page.number, shown=len(page.object_list))
    return page


def incidents_of(testimony: Testimony) -> list[Incident]:
    return list(testimony.incidents.all())


def incident_for(testimony: Testimony, incident_id) -> Incident:
    incident = testimony.incidents.filter(pk=_uuid(incident_id)).first()
    if incident is None:
        raise Http404()
    return incident


def consents_of(testimony: Testimony) -> list[Consent]:
    return list(testimony.consents.select_related("recorded_by"))


def attachments_of(testimony: Testimony) -> list[TestimonyAttachment]:
    return list(testimony.attachments.select_related("uploaded_by"))


def attachment_for(testimony: Testimony, attachment_id) -> TestimonyAttachment:
    attachment = testimony.attachments.filter(pk=_uuid(attachment_id)).first()
    if attachment is None:
        raise Http404()
    return attachment


def person_for_reference(actor, reference: str):
    """A person the actor may see, by their reference (P-123456); None otherwise."""
    from safepassage.people.models import Person

    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return Person.objects.filter(person_scope(actor), reference=reference).distinct().first()


def person_reference(actor, person_id: str) -> str:
    """The reference of the linked person if the actor may see them, else ""."""
    from safepassage.people.models import Person

    if not person_id:
        return ""
    return Person.objects.filter(person_scope(actor), pk=_uuid(person_id)).values_list("reference", flat=True) \
        .first() or ""


def term_choices(organisation, vocab: str, lang: str | None = None) -> list[tuple[str, str]]:
    return [(t.code, t.label(lang)) for t in terms(organisation, vocab)]


def term_labels(organisation, vocab: str, lang: str | None = None) -> dict[str, str]:
    return dict(term_choices(organisation, vocab, lang))


def organisation_terms(organisation) -> dict[str, list]:
    """Every vocabulary as the organisation sees it (for the vocabulary page)."""
    return {vocab: list(terms(organisation, vocab)) for vocab in vocabulary.VOCABULARIES}
