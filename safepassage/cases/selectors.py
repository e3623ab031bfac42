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

from . import timeline, workflow
from .models import Case, CaseTransition


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
    status_from: str = ""
    status_to: str = ""
    reason: str = ""
    requested_by: str = ""
    categories: list = None  # (label, value label) of a move's fields kept in the clear
    task: str = ""
    text: str = ""  # the sentence for a kind another app writes (``cases.timeline``)


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """``case_timeline`` with usernames, team names and risk labels looked up (ids stay in the rows)."""
    from django.contrib.auth import get_user_model

    events = case_timeline(case)
    user_ids = {uid for e in events for uid in (e.detail or {}).get("assignees", []) or []}
    user_ids |= {e.detail["requested_by"] for e in events if (e.detail or {}).get("requested_by")}
    moves = {str(t.pk): t for t in case.transitions.all()}
    tasks = {str(t.pk): t for t in case.tasks.all()}
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
        entry = entries[-1]
        if event.kind in ("status", "status_requested", "status_rejected"):
            move = moves.get(detail.get("transition"))
            entry.status_from = workflow.status_label(detail.get("from", ""))
            entry.status_to = workflow.status_label(detail.get("to", ""))
            entry.requested_by = usernames.get(detail.get("requested_by"), "")
            if move is not None:
                entry.reason = move.rejection_reason if event.kind == "status_rejected" else move.reason
            entry.categories = _categories(detail, detail.get("to", ""))
        elif event.kind in ("task", "task_done"):
            task = tasks.get(detail.get("task"))
            entry.task = task.display_title if task is not None else ""
        else:
            entry.text = timeline.event_text(event.kind, detail)
    return entries


def _categories(detail: dict, target: str) -> list:
    """A move's clear fields (a denial ground, a closing outcome) as (field label, value label)."""
    found = []
    for name, value in detail.items():
        field = workflow._field(name, target)
        if field.clear and not callable(field.choices):
            labels = dict(field.choices_for(None) or [])
            found.append((str(field.label), str(labels.get(value, value))))
    return found


# --- moves ---------------------------------------------------------------------------------------

def available_moves(actor, case: Case) -> list:
    """The moves from the case's stage the actor's roles allow (empty while a move waits)."""
    from safepassage.policy.rules import roles_of

    if not can(actor, "case.transition", case) or pending_move(case) is not None:
        return []
    roles = roles_of(actor)
    return [t for t in workflow.transitions_from(case.status) if roles & t.roles]


def may_decide(actor, move: CaseTransition) -> bool:
    """Whether the actor may confirm (a role the move allows, not the asker) or withdraw (the asker) it."""
    from safepassage.policy.rules import roles_of

    if move is None or not can(actor, "case.transition", move.case):
        return False
    if move.requested_by_id == getattr(actor, "pk", None):
        return True
    t = workflow.transition(move.source, move.target)
    return t is not None and bool(roles_of(actor) & t.roles)


def pending_move(case: Case) -> CaseTransition | None:
    return case.transitions.filter(state=CaseTransition.PENDING).select_related("requested_by").first()


def case_move_for(actor, case: Case, transition_id) -> CaseTransition:
    """A move of this case the actor may decide on; the same 404 for missing and forbidden."""
    try:
        transition_id = uuid.UUID(str(transition_id))
    except ValueError:
        raise Http404() from None
    move = case.transitions.filter(pk=transition_id).select_related("case", "requested_by").first()
    if move is None or not can(actor, "case.transition", case):
        raise Http404()
    return move


# --- the pipeline -------------------------------------------------------------------------------

@dataclass
class StageStats:
    """One stage of the pipeline: cases in it now, and how long cases stay in it (in days)."""

    status: str
    label: str
    count: int = 0
    stays: int = 0  # completed stays (entered and left) the times below are computed from
    median_days: float | None = None
    mean_days: float | None = None
    waiting_median_days: float | None = None  # of the cases in the stage now
    ended: bool = False


def _days(seconds: list[float]) -> tuple[float | None, float | None]:
    import statistics

    if not seconds:
        return None, None
    return round(statistics.median(seconds) / 86400, 1), round(statistics.fmean(seconds) / 86400, 1)


def pipeline(actor, *, now=None) -> list[StageStats]:
    """Counts per stage and time in stage, from the status history of the cases the actor may see.

    A case's stays are read from its timeline: opened (in its first stage), then each applied move.
    Reads no sealed field, so it decrypts nothing and needs no audit row per case.
    """
    from django.db.models import Count
    from django.utils import timezone

    from .models import CaseEvent

    now = now or timezone.now()
    visible = cases_visible(actor).values("pk")
    counts = dict(Case.objects.filter(pk__in=visible).values_list("status").annotate(n=Count("pk")).order_by())
    stays: dict[str, list[float]] = {}
    waiting: dict[str, list[float]] = {}
    current: tuple | None = None  # (case id, stage, entered at)
    events = (CaseEvent.objects.filter(case__in=visible, kind__in=("opened", "status"))
              .order_by("case_id", "at", "id").values_list("case_id", "kind", "detail", "at"))
    statuses = dict(Case.objects.filter(pk__in=visible).values_list("pk", "status"))

    def close(until=None):
        case_id, stage, since = current
        if until is not None:
            stays.setdefault(stage, []).append((until - since).total_seconds())
        elif statuses.get(case_id) == stage:
            waiting.setdefault(stage, []).append((now - since).total_seconds())

    for case_id, kind, detail, at in events.iterator(chunk_size=5000):
        detail = detail or {}
        if current is not None and current[0] != case_id:
            close()
            current = None
        if kind == "opened":
            current = (case_id, detail.get("status", "requested"), at)
        elif current is not None:
            close(at)
            current = (case_id, detail.get("to", ""), at)
        else:
            current = (case_id, detail.get("to", ""), at)
    if current is not None:
        close()
    result = []
    for status, label in Case.STATUS_CHOICES:
        ended = status in workflow.ENDED
        median, mean = _days(stays.get(status, []))
        result.append(StageStats(status=status, label=str(label), count=counts.get(status, 0),
                                 stays=len(stays.get(status, [])), median_days=median, mean_days=mean,
                                 waiting_median_days=None if ended else _days(waiting.get(status, []))[0],
                                 ended=ended))
    return result
