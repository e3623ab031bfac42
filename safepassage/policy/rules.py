"""may X do Y to Z: the one place that answers it. Pages and the API both ask here.

Threat: a staff member reaching records they have no need to see. Rules are expressed once, as
query filters, so a list page and a single-record check can never disagree. Admins manage members
and settings; the admin role alone never opens a case or a person.
"""
from __future__ import annotations

from django.db.models import Q

from . import roles as R


class NotAllowed(Exception):
    """The actor may not do this. Object lookups turn it into the same 404 as "missing"."""


# Actions that need no particular record; the value lists the roles that grant them.
_ACTIONS: dict[str, set[str]] = {
    "case.list": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "case.create": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "case.assign": {R.COORDINATOR},
    "case.pipeline": {R.COORDINATOR, R.CASEWORKER},
    "task.list": {R.COORDINATOR, R.CASEWORKER, R.INTAKE, R.SAFEHOUSE, R.TRAVEL, R.SETTLEMENT},
    "verification.manage": {R.COORDINATOR},
    "retention.view": {R.COORDINATOR, R.ADMIN},
    "retention.manage": {R.ADMIN},
    "person.create": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "person.import": {R.COORDINATOR},
    "person.delete": {R.COORDINATOR},
    "member.manage": {R.ADMIN},
    "session.revoke": {R.ADMIN},
    "vault.unseal": {R.CUSTODIAN, R.ADMIN},
    "vault.seal": {R.CUSTODIAN, R.ADMIN, R.COORDINATOR},
    "audit.verify": {R.ADMIN},
    "report.view": {R.RESEARCHER, R.COORDINATOR},
    "testimony.list": {R.COORDINATOR, R.CASEWORKER},
    "testimony.create": {R.COORDINATOR, R.CASEWORKER},
    "vocabulary.manage": {R.COORDINATOR, R.ADMIN},
    "intake.triage": {R.INTAKE, R.COORDINATOR},
    "match.review": {R.COORDINATOR},
}

# Actions on one record, granted when the record is in the actor's scope and a role allows it.
_RECORD_ACTIONS: dict[str, set[str]] = {
    "case.view": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "case.edit": {R.COORDINATOR, R.CASEWORKER},
    "case.note": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "case.assign": {R.COORDINATOR},
    # moving a case: the journey's table (cases/workflow.py) narrows the roles per move
    "case.transition": {R.COORDINATOR, R.CASEWORKER, R.INTAKE, R.SAFEHOUSE, R.TRAVEL, R.SETTLEMENT, R.LIAISON},
    "case.task": {R.COORDINATOR, R.CASEWORKER, R.INTAKE, R.SAFEHOUSE, R.TRAVEL, R.SETTLEMENT},
    "case.verify": {R.COORDINATOR, R.CASEWORKER},
    "person.view": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    "person.edit": {R.COORDINATOR, R.CASEWORKER},
    "person.delete": {R.COORDINATOR},
    "testimony.view": {R.COORDINATOR, R.CASEWORKER},
    "testimony.edit": {R.COORDINATOR, R.CASEWORKER},
    "testimony.consent": {R.COORDINATOR, R.CASEWORKER},
    "testimony.delete": {R.COORDINATOR},
    "intake.view": {R.INTAKE, R.COORDINATOR},
    "intake.reply": {R.INTAKE, R.COORDINATOR},
    "intake.triage": {R.INTAKE, R.COORDINATOR},
}


def membership(actor):
    """The actor's active membership, or None (anonymous, inactive, or no organisation)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    try:
        member = actor.membership
    except Exception:
        return None
    return member if member.is_active else None


def roles_of(actor) -> set[str]:
    member = membership(actor)
    return set(member.roles) if member else set()


def can(actor, action: str, target=None) -> bool:
    member = membership(actor)
    if member is None:
        return False
    if target is None:
        return bool(_ACTIONS.get(action, set()) & set(member.roles))
    allowed_roles = _RECORD_ACTIONS.get(action)
    if not allowed_roles or not allowed_roles & set(member.roles):
        return False
    if action in _CASE_WORK_ACTIONS:
        scope = case_work_scope(actor)
    elif action.startswith("case."):
        scope = case_scope(actor)
    elif action.startswith("person."):
        scope = person_scope(actor)
    elif action.startswith("testimony."):
        scope = testimony_scope(actor)
    elif action.startswith("intake."):
        scope = intake_scope(actor)
    else:
        return False
    return type(target)._default_manager.filter(scope, pk=target.pk).exists()


def require(actor, action: str, target=None) -> None:
    if not can(actor, action, target):
        raise NotAllowed(action)


_NOTHING = Q(pk__in=[])


def case_scope(actor) -> Q:
    """Cases the actor may see: coordinators all of their organisation's; others their own or their team's."""
    member = membership(actor)
    if member is None:
        return _NOTHING
    in_org = Q(organisation_id=member.organisation_id)
    if R.COORDINATOR in member.roles:
        return in_org
    if {R.CASEWORKER, R.INTAKE} & set(member.roles):
        team_ids = list(member.teams.values_list("pk", flat=True))
        return in_org & (Q(assignees=actor) | Q(team_id__in=team_ids) | Q(opened_by=actor))
    return _NOTHING


# Moving a case and holding its tasks: the specialist roles reach the cases their journey work reaches.
_CASE_WORK_ACTIONS = ("case.transition", "case.task")


def case_work_scope(actor) -> Q:
    """Cases the actor may move along or hold tasks on: the cases they may see (the journey's
    specialist roles widen it to the cases their part of the journey reaches)."""
    return case_scope(actor)


def person_scope(actor) -> Q:
    """People the actor may see: through a case they may see, or people they recorded who have no case yet."""
    member = membership(actor)
    if member is None:
        return _NOTHING
    in_org = Q(organisation_id=member.organisation_id)
    if R.COORDINATOR in member.roles:
        return in_org
    if {R.CASEWORKER, R.INTAKE} & set(member.roles):
        team_ids = list(member.teams.values_list("pk", flat=True))
        via_case = Q(cases__assignees=actor) | Q(cases__team_id__in=team_ids) | Q(cases__opened_by=actor)
        return in_org & (via_case | Q(created_by=actor, cases__isnull=True))
    return _NOTHING


def match_scope(actor) -> Q:
    """Duplicate suggestions and merges the actor may review: a coordinator's organisation's."""
    member = membership(actor)
    if member is None or R.COORDINATOR not in member.roles:
        return _NOTHING
    return Q(organisation_id=member.organisation_id)


def intake_scope(actor) -> Q:
    """Help requests the actor may triage: intake workers and coordinators, their organisation's."""
    member = membership(actor)
    if member is None or not {R.INTAKE, R.COORDINATOR} & set(member.roles):
        return _NOTHING
    return Q(organisation_id=member.organisation_id)


def testimony_scope(actor) -> Q:
    """Testimonies the actor may open: coordinators all of their organisation's; caseworkers those they
    recorded or conducted. Reporting roles never open one (they see aggregates only)."""
    member = membership(actor)
    if member is None:
        return _NOTHING
    in_org = Q(organisation_id=member.organisation_id)
    if R.COORDINATOR in member.roles:
        return in_org
    if R.CASEWORKER in member.roles:
        return in_org & (Q(created_by=actor) | Q(interviewer=actor))
    return _NOTHING


# Roles whose work is aggregates only. A member holding nothing but these is fenced off every
# page about one person, case or testimony (403, audited) — see safepassage.reports.middleware.
REPORTING_ROLES = {R.RESEARCHER}


def reporting_only(actor) -> bool:
    """True when every role the actor holds is a reporting role: they may see reports, never a record."""
    roles = roles_of(actor)
    return bool(roles) and roles <= REPORTING_ROLES
