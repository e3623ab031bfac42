"""Reading cases: ``case_for`` for one (audited), ``case_page`` for the list (one audit row per page)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
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
        by_reference = cases.filter(Q(reference__iexact=q) | Q(person__reference__iexact=q))
        if by_reference.exists():
            cases = by_reference
        else:
            ids = person_ids_matching(q)
            cases = cases.filter(person_id__in=list(ids or []))
    cases = (cases.select_related("person").prefetch_related("assignees")
             .order_by("risk_rank", "-updated_at", "reference"))
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


def cases_of_person(actor, person) -> list:
    """The person's cases the actor may see (others stay invisible, not even counted)."""
    return list(cases_visible(actor).filter(person=person).prefetch_related("assignees")
                .order_by("risk_rank", "-updated_at"))


def assignable_users(organisation) -> list:
    """Active members who can carry a case: caseworkers and coordinators, by username."""
    from safepassage.accounts.models import Membership
    from safepassage.policy import roles as R

    members = (Membership.objects.filter(organisation=organisation, is_active=True, user__is_active=True)
               .select_related("user").order_by("user__username"))
    return [m.user for m in members if {R.CASEWORKER, R.COORDINATOR} & set(m.roles)]


def organisation_teams(organisation) -> list:
    return list(organisation.teams.order_by("name"))


@dataclass
class TimelineEntry:
    """One line of the case timeline, ready to show: names resolved, the note decrypted."""

    at: object
    kind: str
    actor: str = ""
    risk: str = ""
    risk_from: str = ""
    risk_to: str = ""
    assignees: list = None
    team: str = ""
    note: str = ""


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """``case_timeline`` with usernames, team names and risk labels looked up (ids stay in the rows)."""
    from django.contrib.auth import get_user_model

    events = case_timeline(case)
    user_ids = {uid for e in events for uid in (e.detail or {}).get("assignees", []) or []}
    usernames = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    team_ids = {e.detail.get("team") for e in events if (e.detail or {}).get("team")}
    teams = dict(case.organisation.teams.filter(pk__in=team_ids).values_list("pk", "name"))
    risks = dict(Case.RISK_CHOICES)
    entries = []
    for event in events:
        detail = event.detail or {}
        entries.append(TimelineEntry(
            at=event.at, kind=event.kind, actor=event.actor.username if event.actor else "",
            risk=risks.get(detail.get("risk"), ""),
            risk_from=risks.get(detail.get("from"), ""), risk_to=risks.get(detail.get("to"), ""),
            assignees=[usernames.get(uid, "?") for uid in detail.get("assignees", []) or []],
            team=teams.get(detail.get("team"), ""),
            note=event.note.body if event.note_id else "",
        ))
    return entries
