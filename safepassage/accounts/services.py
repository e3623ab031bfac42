"""Members, logins and sessions."""
from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit.services import audit_record
from safepassage.policy.roles import ROLES
from safepassage.policy.rules import require

from .models import Membership, Organisation, StaffSession

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
