"""Members, logins and sessions."""
from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit.services import audit_record
from safepassage.policy.roles import ROLES
from safepassage.policy.rules import NotAllowed, require

from .models import AccessAlert, ApiToken, Membership, Organisation, ReadAlarmSettings, StaffSession

User = get_user_model()


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


@transaction.atomic
def organisation_create(*, name: str, kind: str = Organisation.KIND_FRONTLINE, case_prefix: str = "C",
                        is_demo: bool = False) -> Organisation:
    organisation = Organisation.objects.create(name=name, kind=kind, case_prefix=case_prefix, is_demo=is_demo)
    audit_record(actor=None, action="organisation.create", organisation=organisation)
    return organisation


@transaction.atomic
def member_create(*, actor, organisation: Organisation, username: str, password: str, roles: list[str],
                  validate: bool = True) -> User:
    """A new staff account in `organisation`. `actor` is None when run from the command line."""
    if actor is not None:
        require(actor, "member.manage")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    user = User(username=username)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, roles=list(roles))
    audit_record(actor=actor, action="member.create", organisation=organisation, member=user.pk, roles=roles)
    return user


def totp_device_for(user, *, confirmed: bool | None = None):
    devices = TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)
    return next(iter(devices), None)


def session_started(*, user, session_key: str) -> StaffSession:
    return StaffSession.objects.create(user=user, key_hash=session_key_hash(session_key))


def session_seen(session: StaffSession) -> None:
    now = timezone.now()
    if (now - session.last_seen).total_seconds() > 60:
        StaffSession.objects.filter(pk=session.pk).update(last_seen=now)


@transaction.atomic
def session_revoke(*, actor, session: StaffSession) -> None:
    require(actor, "session.revoke")
    if session.revoked_at is None:
        session.revoked_at = timezone.now()
        session.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="session.revoke", member=session.user_id, session=session.pk)


@transaction.atomic
def sessions_revoke_all(*, actor, user) -> int:
    require(actor, "session.revoke")
    count = StaffSession.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="session.revoke_all", member=user.pk, sessions=count)
    return count


# --- API tokens -----------------------------------------------------------------------------------

TOKEN_PREFIX = "sp_"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str, roles: list[str] | None = None, days: int | None = 90) -> tuple[ApiToken, str]:
    """A new API key for the actor, limited to `roles` (a subset of theirs; all of them by default).

    Returns the row and the key. The key is shown once and never stored: only its hash is.
    """
    import secrets
    from datetime import timedelta

    from safepassage.policy.rules import membership

    require(actor, "api.token")
    member = membership(actor)
    held = set(member.roles)
    roles = list(roles) if roles else sorted(held)
    if not set(roles) <= held:
        raise ValidationError({"roles": _("A token can only carry roles its member holds.")})
    name = (name or "").strip()[:100] or "API"
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor, organisation=member.organisation, roles=sorted(roles), name=name, prefix=prefix,
        key_hash=token_hash(key), expires_at=timezone.now() + timedelta(days=days) if days else None)
    audit_record(actor=actor, action="api_token.create", organisation=member.organisation, token=token.pk,
                 roles=token.roles)
    return token, key


def api_token_lookup(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired), or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.filter(key_hash=token_hash(key)).select_related("user").first()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token


def api_token_seen(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    """A member revokes their own token; an admin any token of their organisation's members."""
    from safepassage.policy.rules import can, membership

    own = token.user_id == getattr(actor, "pk", None)
    if not own:
        require(actor, "session.revoke")
        if membership(actor).organisation_id != token.organisation_id:
            raise NotAllowed("session.revoke")
    elif not can(actor, "api.token"):
        raise NotAllowed("api.token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", organisation=token.organisation_id, token=token.pk,
                 member=token.user_id)


def _revoke_everything(user) -> tuple[int, int]:
    now = timezone.now()
    sessions = StaffSession.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    return sessions, tokens


def _same_organisation(actor, user) -> Membership:
    from safepassage.policy.rules import membership

    member = Membership.objects.filter(user=user).select_related("organisation").first()
    if member is None or member.organisation_id != membership(actor).organisation_id:
        raise NotAllowed("member.manage")
    return member


@transaction.atomic
def member_revoke_everything(*, actor, user) -> tuple[int, int]:
    """Every session and every API token of `user`, revoked at once (each dies on its next request)."""
    require(actor, "session.revoke")
    _same_organisation(actor, user)
    sessions, tokens = _revoke_everything(user)
    audit_record(actor=actor, action="member.revoke_everything", member=user.pk, sessions=sessions, tokens=tokens)
    return sessions, tokens


@transaction.atomic
def member_offboard(*, actor, user) -> None:
    """The member leaves the organisation: no access from this moment, through any session or token."""
    require(actor, "member.manage")
    member = _same_organisation(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("An admin cannot offboard themselves; another admin does it."))
    member.is_active, member.left_at = False, timezone.now()
    member.save(update_fields=["is_active", "left_at"])
    sessions, tokens = _revoke_everything(user)
    audit_record(actor=actor, action="member.offboard", organisation=member.organisation, member=user.pk,
                 sessions=sessions, tokens=tokens)


# --- duress ---------------------------------------------------------------------------------------

@transaction.atomic
def duress_password_set(*, actor, password: str, current_password: str) -> None:
    """Set (or replace) the actor's duress password. It must differ from the real one."""
    from django.contrib.auth.hashers import make_password

    if not actor.check_password(current_password):
        raise ValidationError({"current_password": _("Your current password is not right.")})
    if actor.check_password(password):
        raise ValidationError({"password": _("The duress password must differ from your password.")})
    validate_password(password, actor)
    actor.duress_password = make_password(password)
    actor.save(update_fields=["duress_password"])
    audit_record(actor=actor, action="member.duress_password_set", member=actor.pk)


@transaction.atomic
def duress_password_clear(*, actor, current_password: str) -> None:
    if not actor.check_password(current_password):
        raise ValidationError({"current_password": _("Your current password is not right.")})
    actor.duress_password = ""
    actor.save(update_fields=["duress_password"])
    audit_record(actor=actor, action="member.duress_password_clear", member=actor.pk)


@transaction.atomic
def duress_login(*, user) -> None:
    """Someone logged in with `user`'s duress password: seal the member's access and alert admins.

    Nothing of it shows in the response: the login goes on as usual into a workspace where policy
    reaches no record (``policy.rules`` fences every scope) until an admin restores the member.
    """
    member = Membership.objects.select_for_update().filter(user=user).first()
    if member is None:
        return
    if not member.sealed_by_duress:
        member.sealed_by_duress, member.sealed_at = True, timezone.now()
        member.save(update_fields=["sealed_by_duress", "sealed_at"])
    AccessAlert.objects.create(organisation_id=member.organisation_id, member=user, kind=AccessAlert.KIND_DURESS,
                               detail={})
    audit_record(actor=user, action="member.duress", organisation=member.organisation_id, member=user.pk)


@transaction.atomic
def member_restore(*, actor, user) -> None:
    """An admin, having checked on the member, gives them their access back after a duress login."""
    require(actor, "member.manage")
    member = _same_organisation(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise NotAllowed("member.manage")
    member.sealed_by_duress, member.sealed_at = False, None
    member.save(update_fields=["sealed_by_duress", "sealed_at"])
    audit_record(actor=actor, action="member.restore", organisation=member.organisation, member=user.pk)


# --- alerts and the bulk-view alarm -----------------------------------------------------------------

def alerts_open(actor) -> list[AccessAlert]:
    """Unresolved alerts of the admin's organisation (none for a member sealed by duress)."""
    from safepassage.policy.rules import can, membership

    member = membership(actor)
    if member is None or member.sealed_by_duress or not can(actor, "member.manage"):
        return []
    return list(AccessAlert.objects.filter(organisation_id=member.organisation_id, resolved_at__isnull=True)
                .select_related("member").order_by("-created_at")[:200])


@transaction.atomic
def alert_resolve(*, actor, alert: AccessAlert, lift_throttle: bool = False) -> None:
    from safepassage.policy.rules import membership

    require(actor, "member.manage")
    if alert.organisation_id != membership(actor).organisation_id:
        raise NotAllowed("member.manage")
    if alert.member_id == getattr(actor, "pk", None):
        raise NotAllowed("member.manage")  # nobody clears their own alarm
    alert.resolved_at, alert.resolved_by = timezone.now(), actor
    alert.save(update_fields=["resolved_at", "resolved_by"])
    if lift_throttle:
        Membership.objects.filter(user_id=alert.member_id).update(throttled_until=None)
    audit_record(actor=actor, action="alert.resolve", organisation=alert.organisation_id, alert=alert.pk,
                 member=alert.member_id, kind=alert.kind, lifted=lift_throttle)


@transaction.atomic
def member_throttle_lift(*, actor, user) -> None:
    require(actor, "member.manage")
    member = _same_organisation(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise NotAllowed("member.manage")
    member.throttled_until = None
    member.save(update_fields=["throttled_until"])
    audit_record(actor=actor, action="alarm.lift", organisation=member.organisation, member=user.pk)


@transaction.atomic
def read_alarm_set(*, actor, window_minutes: int, multiplier: float, floor: int, baseline_days: int,
                   throttle_minutes: int, enabled: bool = True) -> ReadAlarmSettings:
    from safepassage.policy.rules import membership

    require(actor, "member.manage")
    organisation = membership(actor).organisation
    errors = {}
    if not 5 <= int(window_minutes) <= 24 * 60:
        errors["window_minutes"] = _("Between 5 minutes and a day.")
    if not 1.0 <= float(multiplier) <= 50:
        errors["multiplier"] = _("Between 1 and 50.")
    if not 1 <= int(floor) <= 100000:
        errors["floor"] = _("At least 1.")
    if not 7 <= int(baseline_days) <= 365:
        errors["baseline_days"] = _("Between 7 and 365 days.")
    if not 5 <= int(throttle_minutes) <= 7 * 24 * 60:
        errors["throttle_minutes"] = _("Between 5 minutes and a week.")
    if errors:
        raise ValidationError(errors)
    settings, _created = ReadAlarmSettings.objects.update_or_create(organisation=organisation, defaults={
        "window_minutes": int(window_minutes), "multiplier": float(multiplier), "floor": int(floor),
        "baseline_days": int(baseline_days), "throttle_minutes": int(throttle_minutes), "enabled": bool(enabled)})
    audit_record(actor=actor, action="alarm.settings", organisation=organisation, window_minutes=int(window_minutes),
                 multiplier=float(multiplier), floor=int(floor), baseline_days=int(baseline_days),
                 throttle_minutes=int(throttle_minutes), enabled=bool(enabled))
    return settings


# --- reading members (admins' pages) ----------------------------------------------------------------

def members_listed(actor) -> list[Membership]:
    """The organisation's members for its admins; a member sealed by duress sees only themselves."""
    from safepassage.policy.rules import membership

    member = membership(actor)
    rows = Membership.objects.filter(organisation_id=member.organisation_id).select_related("user")
    if member.sealed_by_duress:
        rows = rows.filter(pk=member.pk)
    return list(rows.order_by("user__username"))


def member_for(actor, user_id) -> Membership:
    """A member of the admin's organisation; the same 404 for missing, foreign, and while sealed."""
    from django.http import Http404

    from safepassage.policy.rules import membership

    mine = membership(actor)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise Http404() from None
    member = (Membership.objects.filter(user_id=user_id, organisation_id=mine.organisation_id)
              .select_related("user", "organisation").first())
    if member is None or (mine.sealed_by_duress and member.pk != mine.pk):
        raise Http404()
    return member


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at")[:100])


def token_of(user, token_id) -> ApiToken:
    from django.http import Http404

    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise Http404() from None
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404()
    return token


def alert_for(actor, alert_id) -> AccessAlert:
    from django.http import Http404

    from safepassage.policy.rules import membership

    member = membership(actor)
    alert = AccessAlert.objects.filter(pk=alert_id, organisation_id=member.organisation_id).first()
    if alert is None or member.sealed_by_duress:
        raise Http404()
    return alert


def is_throttled(member: Membership) -> bool:
    from .alarms import is_throttled as throttled

    return throttled(member)
