"""Session tracking (so admins can revoke) and the mandatory second factor."""
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from .models import StaffSession
from .services import session_key_hash, session_seen, session_started

_ALLOWED_BEFORE_OTP = ("/accounts/otp/", "/accounts/enrol/", "/accounts/logout/", "/static/", "/health", "/lang/")


class SessionActivityMiddleware:
    """A revoked session is logged out on its next request; idle ones expire via SESSION_COOKIE_AGE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.session_key:
            key_hash = session_key_hash(request.session.session_key)
            session = StaffSession.objects.filter(key_hash=key_hash).first()
            if session is None:
                session = session_started(user=request.user, session_key=request.session.session_key)
            if session.revoked_at is not None or session.user_id != request.user.pk \
                    or not _still_member(request.user):
                logout(request)
                return redirect(settings.LOGIN_URL)
            session_seen(session)
        return self.get_response(request)


def _still_member(user) -> bool:
    member = getattr(user, "membership", None)
    return member is not None and member.is_active


class RequireSecondFactorMiddleware:
    """A password alone opens nothing: until the TOTP code is given, only the OTP pages answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(_ALLOWED_BEFORE_OTP):
            return redirect("accounts:otp")
        return self.get_response(request)




# Pages a throttled member still reaches: leaving, and the login pages (nothing sealed on them).
_ALARM_EXEMPT = ("/accounts/logout/", "/accounts/login/", "/accounts/otp/", "/accounts/enrol/", "/static/",
                 "/health", "/lang/", "/help/", "/api/")


class BulkViewAlarmMiddleware:
    """Throttles a member who opened far more records than their baseline (see accounts.alarms).

    The API applies the same check through its throttle class (``safepassage.api.throttling``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_ALARM_EXEMPT) and user.is_verified():
            from django.shortcuts import render

            from safepassage.policy.rules import membership

            from . import alarms

            if alarms.check(membership(user)):
                return render(request, "accounts/throttled.html", status=429)
        return self.get_response(request)
