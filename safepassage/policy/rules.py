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
    "match.review": {R.COORDINATOR},
    "report.view": {R.RESEARCHER, R.COORDINATOR},
    "testimony.list": {R.COORDINATOR, R.CASEWORKER},
    "testimony.create": {R.COORDINATOR, R.CASEWORKER},
    "vocabulary.manage": {R.COORDINATOR, R.ADMIN},
    "intake.triage": {R.INTAKE, R.COORDINATOR},
    "safehouse.list": {R.COORDINATOR, R.SAFEHOUSE},
    "safehouse.create": {R.COORDINATOR, R.SAFEHOUSE},
    "travel.settings": {R.COORDINATOR, R.ADMIN},
    "referral.inbox": {R.LIAISON},
    "referral.programmes": {R.ADMIN},
    "journey.figures": {R.COORDINATOR},
    # the exposure graph and its incidents (what each incident shows is filtered by the scopes below)
    "exposure.list": {R.COORDINATOR, R.CASEWORKER, R.INTAKE, R.SAFEHOUSE, R.TRAVEL},
    "exposure.settings": {R.COORDINATOR, R.ADMIN},
    "exposure.staff": {R.COORDINATOR, R.ADMIN},  # incidents naming a staff member who could be identified
    # listing people (the API; pages reach people through cases): the roles that see people
    "person.list": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},
    # sharing between organisations: the shares received by the member's organisation
    "share.inbox": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL, R.SETTLEMENT},
    # the member's own keys to the REST API (the key custodian holds a share, nothing else)
    "api.token": {R.ADMIN, R.COORDINATOR, R.CASEWORKER, R.INTAKE, R.SAFEHOUSE, R.TRAVEL, R.SETTLEMENT, R.LIAISON,
                  R.RESEARCHER},
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
    "person.connect": {R.COORDINATOR, R.CASEWORKER},  # who they know, and which houses, routes, staff
    "person.expose": {R.COORDINATOR, R.CASEWORKER, R.INTAKE},  # record a detention, a seized phone...
    "testimony.view": {R.COORDINATOR, R.CASEWORKER},
    "testimony.edit": {R.COORDINATOR, R.CASEWORKER},
    "testimony.consent": {R.COORDINATOR, R.CASEWORKER},
    "testimony.delete": {R.COORDINATOR},
    "intake.view": {R.INTAKE, R.COORDINATOR},
    "intake.reply": {R.INTAKE, R.COORDINATOR},
    "intake.triage": {R.INTAKE, R.COORDINATOR},
    # a safe house (target: SafeHouse)
    "safehouse.view": {R.COORDINATOR, R.SAFEHOUSE},
    "safehouse.edit": {R.COORDINATOR, R.SAFEHOUSE},
    "safehouse.reveal": {R.COORDINATOR, R.SAFEHOUSE},
    "safehouse.compromise": {R.COORDINATOR, R.SAFEHOUSE},
    "safehouse.checkout": {R.COORDINATOR, R.SAFEHOUSE},
    # where a case is sheltered (target: Case)
    "shelter.view": {R.COORDINATOR, R.CASEWORKER, R.SAFEHOUSE},
    "shelter.move": {R.COORDINATOR, R.CASEWORKER, R.SAFEHOUSE},
    "shelter.confirm": {R.COORDINATOR, R.CASEWORKER, R.SAFEHOUSE},
    # a case's travel plan (target: Case)
    "travel.view": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL},
    "travel.edit": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL},
    "travel.checkin": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL},
    "travel.assign": {R.COORDINATOR},
    # a case's resettlement referrals (target: Case)
    "referral.view": {R.COORDINATOR, R.CASEWORKER},
    "referral.edit": {R.COORDINATOR, R.CASEWORKER},
    "referral.consent": {R.COORDINATOR, R.CASEWORKER},
    "referral.consent_override": {R.COORDINATOR},
    "referral.decide": {R.COORDINATOR, R.CASEWORKER},
    "referral.export": {R.COORDINATOR, R.CASEWORKER},
    # a packet addressed to the liaison's programme (target: Referral)
    "packet.view": {R.LIAISON},
    "packet.decide": {R.LIAISON},
    # a case's arrival and settlement (target: Case)
    "settlement.view": {R.COORDINATOR, R.CASEWORKER, R.SETTLEMENT},
    "settlement.edit": {R.COORDINATOR, R.CASEWORKER, R.SETTLEMENT},
    "settlement.assign": {R.COORDINATOR},
    # sharing a case with another organisation (target: Case)
    "case.share": {R.COORDINATOR, R.CASEWORKER},
    "case.share_consent": {R.COORDINATOR, R.CASEWORKER},
    "case.share_override": {R.COORDINATOR},  # share without the person's recorded consent: audited
    "case.transfer": {R.COORDINATOR},
    # a share the actor's organisation received (target: CaseShare); purposes narrow the roles
    "share_in.view": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL, R.SETTLEMENT},
    "share_in.accept": {R.COORDINATOR},
    # a share the actor's organisation sent (target: CaseShare)
    "share_out.view": {R.COORDINATOR, R.CASEWORKER},
    "share_out.revoke": {R.COORDINATOR, R.CASEWORKER},
    "share_out.refresh": {R.COORDINATOR, R.CASEWORKER},
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
    elif action.startswith(_JOURNEY_PREFIXES):
        scope = journey_scope(actor, action)
    elif action.startswith("share_in."):
        scope = share_in_scope(actor)
    elif action.startswith("share_out."):
        scope = share_out_scope(actor)
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
    """Cases the actor may move along or hold tasks on: the cases they may see, and for a safe-house,
    travel or settlement coordinator the cases their part of the journey reaches (see journey_scope)."""
    member = membership(actor)
    if member is None:
        return _NOTHING
    scope = case_scope(actor)
    roles = set(member.roles)
    for role, prefix in ((R.SAFEHOUSE, "shelter."), (R.TRAVEL, "travel."), (R.SETTLEMENT, "settlement."),
                         (R.LIAISON, "liaison.")):
        if role in roles:
            scope = scope | journey_scope(actor, prefix)
    return scope


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


def match_scope(actor) -> Q:
    """Duplicate suggestions and merges the actor may review: a coordinator's organisation's."""
    member = membership(actor)
    if member is None or R.COORDINATOR not in member.roles:
        return _NOTHING
    return Q(organisation_id=member.organisation_id)


# --- the journey after verification: safe houses, travel, referrals, settlement -------------------

_JOURNEY_PREFIXES = ("safehouse.", "shelter.", "travel.", "referral.", "packet.", "settlement.")
# Stages in which a safe-house coordinator may look at where a case is sheltered (never its content).
SHELTER_STATUSES = ("verified", "sheltered", "referred", "approved", "denied", "in_transit")


def journey_scope(actor, action: str) -> Q:
    """Records reached through the journey actions, by the action's prefix.

    Coordinators: their organisation's. Caseworkers: the cases they may see. Each specialist role
    only what it works on: a safe-house coordinator the houses and the cases in shelter stages; a
    travel coordinator the plans they were put on; a settlement worker the plans they carry; a
    government liaison only packets submitted to a programme their organisation receives.
    """
    member = membership(actor)
    if member is None:
        return _NOTHING
    roles = set(member.roles)
    org = member.organisation_id
    if action.startswith("safehouse."):
        return Q(organisation_id=org) if {R.COORDINATOR, R.SAFEHOUSE} & roles else _NOTHING
    if action.startswith("packet."):
        if R.LIAISON not in roles:
            return _NOTHING
        return Q(programme__liaison_organisation_id=org, submitted_at__isnull=False)
    if action.startswith("liaison."):  # cases (of any organisation) with a packet submitted to them
        if R.LIAISON not in roles:
            return _NOTHING
        return Q(referrals__programme__liaison_organisation_id=org, referrals__submitted_at__isnull=False)
    scope = _NOTHING
    if {R.COORDINATOR, R.CASEWORKER} & roles:
        scope = case_scope(actor)
    if action.startswith("shelter.") and R.SAFEHOUSE in roles:
        scope = scope | (Q(organisation_id=org) & Q(status__in=SHELTER_STATUSES))
    if action.startswith("travel.") and R.TRAVEL in roles:
        scope = scope | (Q(organisation_id=org) & Q(travel_plan__coordinator=actor))
    if action.startswith("settlement.") and R.SETTLEMENT in roles:
        scope = scope | (Q(organisation_id=org) & Q(settlement_plan__worker=actor))
    return scope


# --- sharing between organisations -------------------------------------------------------------

# Who in the receiving organisation may open a share, by the purpose it was made for. The labels and
# default field sets of the purposes live in safepassage/sharing/purposes.py (a test keeps them equal).
SHARE_PURPOSE_ROLES: dict[str, set[str]] = {
    "relocation_planning": {R.COORDINATOR, R.CASEWORKER, R.TRAVEL},
    "travel": {R.COORDINATOR, R.TRAVEL},
    "settlement": {R.COORDINATOR, R.CASEWORKER, R.SETTLEMENT},
    "transfer": {R.COORDINATOR},
}


def share_in_scope(actor) -> Q:
    """Shares the actor's organisation received and may still open: not revoked, not expired, not yet
    taken over (a transfer), made for a purpose one of the actor's roles serves."""
    from django.utils import timezone

    member = membership(actor)
    if member is None:
        return _NOTHING
    roles = set(member.roles)
    purposes = [p for p, allowed in SHARE_PURPOSE_ROLES.items() if allowed & roles]
    if not purposes:
        return _NOTHING
    return Q(recipient_id=member.organisation_id, purpose__in=purposes, revoked_at__isnull=True,
             accepted_at__isnull=True, expires_at__gt=timezone.now())


def _prefixed(q: Q, prefix: str) -> Q:
    """The same filter applied through a relation (``case_scope`` on ``share.case``)."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [_prefixed(c, prefix) if isinstance(c, Q) else (f"{prefix}__{c[0]}", c[1])
                      for c in q.children]
    return clone


def share_out_scope(actor) -> Q:
    """Shares the actor's organisation sent: a coordinator all of them (transfer stubs included),
    others those of the cases they may see."""
    member = membership(actor)
    if member is None:
        return _NOTHING
    sent = Q(sender_id=member.organisation_id)
    if R.COORDINATOR in member.roles:
        return sent
    if R.CASEWORKER in member.roles:
        return sent & _prefixed(case_scope(actor), "case")
    return _NOTHING


# --- duress --------------------------------------------------------------------------------------

def _fenced_by_duress(scope):
    """A member who logged in with their duress password reaches no record through any scope, until
    an admin restores them; pages still answer as usual, only empty (see accounts/backends.py)."""
    import functools

    @functools.wraps(scope)
    def fenced(actor, *args, **kwargs):
        member = membership(actor)
        if member is not None and member.sealed_by_duress:
            return _NOTHING
        return scope(actor, *args, **kwargs)

    fenced.duress_fenced = True
    return fenced


# Every ``*_scope`` of this module, written above or added later, is fenced the same way.
for _name, _fn in list(globals().items()):
    if _name.endswith("_scope") and callable(_fn) and not getattr(_fn, "duress_fenced", False):
        globals()[_name] = _fenced_by_duress(_fn)
