"""Password login that also knows the duress password, with the same work either way.

Threat: a staff member forced, under threat, to log in in front of their captors. They type their
duress password instead of their real one: the login looks and feels exactly like a real one
(the same pages, the same second factor, an ordinary empty workspace), while their access is
silently sealed and the organisation's admins are alerted (``services.duress_login``).

Timing must not tell the two apart, so every attempt verifies the password against both hashes
(a decoy hash when no duress password is set, as Django does for unknown usernames). Whether the
duress password was used is passed to the login view on the request, never stored in the session.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password

_decoy: dict[str, str] = {}


def _decoy_hash() -> str:
    """A hash of a random value with the current hasher (made once per process)."""
    if "hash" not in _decoy:
        import secrets

        _decoy["hash"] = make_password(secrets.token_urlsafe(24))
    return _decoy["hash"]


class PasswordOrDuressBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            check_password(password, _decoy_hash())
            check_password(password, _decoy_hash())
            return None
        real = check_password(password, user.password)
        duress = check_password(password, user.duress_password or _decoy_hash()) and bool(user.duress_password)
        if not self.user_can_authenticate(user):
            return None
        if real:
            return user
        if duress:
            if request is not None:
                request.duress_login = True
            return user
        return None
