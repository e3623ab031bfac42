"""Reading cases: ``case_for`` for one (audited), ``case_page`` for the list (one audit row per page)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.people.selectors import person_ids_matching
from safepassage.policy.rules import can, case_scope
from safepassage.vault import services as vault

from .models import Case


def case_for(actor, case_id, *, action: str = "case.view") -> Case:
    """The case if the actor may do `action`; the same 404 for missing and forbidden. Audited."""
    try:
        case_id = uuid.UUID(str(case_id))
    except ValueError:
        raise Http404() from None
    case = Case.objects.filter(pk=case_id).select_related("person", "organisation", "team").first()
    if case is None or not can(actor, action, case):
        raise Http404()
    audit_record(actor=actor, action="case.read" if action == "case.view" else f"{action}.open", target=case)
    return case


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    risk: str = ""
    mine: bool = False


def cases_visible(actor):
    return Case.objects.filter(case_scope(actor)).distinct()


def case_page(actor, filters: CaseFilters, page_number=1) -> Page:
    """One page of the actor's cases, filtered; decrypts only that page's keys, in one query."""
    cases = cases_visible(actor)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.risk:
        cases = cases.filter(risk_level=filters.risk)
    if filters.mine:
        cases = cases.filter(assignees=actor)
    q = filters.q.strip()
    if q:
        by_reference = cases.filter(reference__iexact=q)
        if by_reference.exists():
            cases = by_reference
        else:
            ids = person_ids_matching(q)
            cases = cases.filter(person_id__in=list(ids or []))
    cases = cases.select_related("person").order_by("risk_rank", "-updated_at", "reference")
    page = Paginator(cases, settings.PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    vault.preload_data_keys([c.person.data_key_id for c in rows] + [c.data_key_id for c in rows])
    page.object_list = rows
    if rows:
        audit_record(actor=actor, action="case.list", cases=[str(c.pk) for c in rows])
    return page


def case_timeline(case: Case) -> list:
    """Events oldest first, notes included (decrypted: the caller has audited the case read)."""
    return list(case.events.select_related("actor", "note"))
