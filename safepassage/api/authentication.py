"""Who is calling the API: a member's token, or a logged-in browser session that passed the second factor.

Threat: a leaked or stolen API key, a key outliving its member's place in the organisation, a key doing
more than it was made for. Keys are stored as hashes only (like sessions); a key works only while it is
not revoked or expired, its member's account and membership are active, and the membership is still in
the organisation the key was made in. A key carries the roles chosen when it was made: each request
sees the member's current roles narrowed to those, so a key never grows with its member.
"""
from __future__ import annotations

import copy

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from safepassage.accounts.services import api_token_lookup, api_token_seen
from safepassage.policy.rules import membership


class _ReadOnlyMembership:
    def save(self, *args, **kwargs):  # pragma: no cover - a guard, never reached by the code
        raise RuntimeError("a token's narrowed membership is never saved")


def narrowed(member, roles):
    """An unsaved copy of `member` holding only `roles` of its roles (what policy sees for this request)."""
    clone = copy.copy(member)
    clone.roles = [r for r in member.roles if r in set(roles)]
    clone.save = _ReadOnlyMembership().save
    return clone


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token sp_…`` (``Bearer`` is accepted too)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Token <key>”."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("That token is not valid.")) from None
        token = api_token_lookup(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("That token is not valid."))
        user = token.user
        member = membership(user)
        if member is None or member.organisation_id != token.organisation_id:
            raise exceptions.AuthenticationFailed(_("That token is not valid."))
        user.membership = narrowed(member, token.roles)
        api_token_seen(token)
        return user, token

    def authenticate_header(self, request):
        return "Token"


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts only after the second factor, with CSRF checked on writes."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        if not getattr(user, "is_verified", lambda: False)() or membership(user) is None:
            return None
        return result
