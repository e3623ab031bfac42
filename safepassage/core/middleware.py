"""Request gates that every staff page passes through."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from safepassage.vault import services as vault

# Paths that work while sealed: logging in (it needs no key), unsealing, and static assets.
# The API answers for itself while sealed, in JSON (503, code "vault_sealed").
_OPEN_WHILE_SEALED = ("/accounts/login/", "/accounts/otp/", "/accounts/enrol/", "/accounts/logout/", "/vault/", "/static/",
                      "/health", "/lang/", "/help/", "/api/")
# The anonymous intake keeps no session: its language choice travels in the page, never in a cookie.
_SESSIONLESS = ("/help/",)


class SealedMiddleware:
    """While the vault is sealed the staff side shows only the unseal page; nothing sealed is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not vault.is_unsealed() and not request.path.startswith(_OPEN_WHILE_SEALED):
            if request.user.is_authenticated:
                return redirect(reverse("vault:unseal"))
            return render(request, "core/sealed.html", status=503)
        return self.get_response(request)


class LanguageMiddleware:
    """Language from ?lang=, then the session, then the browser; ru, en, fr."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.GET.get("lang")
        if lang in self.codes and not request.path.startswith(_SESSIONLESS):
            request.session["lang"] = lang
        lang = request.session.get("lang") or translation.get_language_from_request(request)
        if lang not in self.codes:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        translation.deactivate()
        return response


class DomainErrorMiddleware:
    """Named domain failures become pages at the edge: NotAllowed is 403, VaultSealed goes to unseal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from safepassage.policy.rules import NotAllowed
        from safepassage.vault.errors import VaultSealed

        from .errors import forbidden

        if isinstance(exception, NotAllowed):
            return forbidden(request)
        if isinstance(exception, VaultSealed):
            return redirect(reverse("vault:unseal"))
        return None
