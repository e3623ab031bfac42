"""The public help pages at /help/: ask for help, come back with the codename, write again.

Threat: the visitor's phone may be seized and the server may be seized. These pages set no cookie
and keep no session; they carry the language in the page, are never cached, and answer every
action (a submission, a codename, a follow-up) from what the form itself carries. CSRF protection
is off here on purpose: there is no ambient authority to abuse — every action that reaches a
thread carries its own secret (the codename, or a signed short-lived token shown after it).
"""
from __future__ import annotations

import html
import logging

from django.core import signing
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from safepassage.core import formdata
from safepassage.intake import codenames, conf, ratelimit
from safepassage.intake.services import (
    IntakeClosed, RequestPayload, UnknownCodename, followup_submit, help_request_submit, public_intake_key,
    visitor_thread,
)

from .forms import CodenameForm, FollowupForm, RequestForm

LANGUAGES = [("ru", "Русский"), ("en", "English"), ("fr", "Français")]
_CODES = {code for code, _name in LANGUAGES}
_TOKEN_SALT = "safepassage.intake.followup"
log = logging.getLogger(__name__)


def _language(request) -> str:
    """From the form, then ?lang=, then the browser; kept in the page, never in a cookie."""
    for candidate in (request.POST.get("lang"), request.GET.get("lang")):
        if candidate in _CODES:
            return candidate
    browser = translation.get_language_from_request(request)
    return browser if browser in _CODES else "en"


def _page(request, template: str, context: dict, *, status: int = 200):
    """A public page. Rendered without the request on purpose: the staff context processors (the
    user, their membership, the navigation) have nothing to give a visitor, and cost more than the page."""
    return _respond(render_to_string(template, {**context, "languages": LANGUAGES}), context["lang"], status)


_codename_pages: dict = {}  # (language, number of words, bits) -> the page's pieces, a word's index between them


def _codename_page(lang: str, codename: str):
    """The page that shows the new codename. It is the same for every visitor but the words, so it is
    rendered once per language and shape, with a slot for each word, and the words (escaped) go in the
    slots: the busiest page of a crisis costs a join instead of a template."""
    words = codename.split()
    bits = int(codenames.entropy_bits("ru" if lang == "ru" else "en"))
    key = (lang, len(words), bits)
    pieces = _codename_pages.get(key)
    if pieces is None:
        slots = [f"\x00{i}\x00" for i in range(len(words))]
        page = render_to_string("intake/public/codename.html", {
            "lang": lang, "codename": " ".join(slots), "words": slots, "bits": bits, "languages": LANGUAGES})
        # "text \0 0 \0 text \0 1 \0 ...": the odd pieces name the word that goes there
        pieces = _codename_pages[key] = [int(p) if i % 2 else p for i, p in enumerate(page.split("\x00"))]
    escaped = [html.escape(word) for word in words]  # what Django's autoescape does
    return _respond("".join(escaped[p] if i % 2 else p for i, p in enumerate(pieces)), lang, 200)


# What django.views.decorators.cache.never_cache writes, but set with the page's own headers: the
# decorator parses and rebuilds Cache-Control on every response, which cost a tenth of the page.
_NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _respond(html_text: str, lang: str, status: int):
    response = HttpResponse(html_text, status=status)
    response["Content-Language"] = lang
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # these pages post nothing that needs an Origin check
    response["Expires"] = http_date()
    response["Cache-Control"] = _NEVER_CACHE
    return response


def _public(view):
    """Every public page: the visitor's language active, never cached, no CSRF cookie, bounded bodies."""

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        response = _serve(view, request, *args, **kwargs)
        if not response.has_header("Cache-Control"):  # not built by _respond: never cached all the same
            add_never_cache_headers(response)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _serve(view, request, *args, **kwargs):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    lang = request.GET.get("lang") if request.GET.get("lang") in _CODES else None
    if length > conf.get("INTAKE_MAX_BODY"):
        lang = lang or _language_from_headers(request)
        with translation.override(lang):
            return _page(request, "intake/public/too_large.html", {"lang": lang}, status=413)
    formdata.read_post(request)  # a form in Russian is mostly %-escapes: Django reads them slowly
    lang = _language(request)
    with translation.override(lang):
        request.LANGUAGE_CODE = lang
        return view(request, lang, *args, **kwargs)


def _language_from_headers(request) -> str:
    browser = translation.get_language_from_request(request)
    return browser if browser in _CODES else "en"


@_public
def request_view(request, lang):
    """The short form; on success the codename, shown once."""
    key = public_intake_key()
    if key is None:
        return _page(request, "intake/public/closed.html", {"lang": lang}, status=503)
    form = RequestForm(request.POST or None, initial={"language": lang})
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "submit"):
            return _page(request, "intake/public/request.html", {"lang": lang, "form": form, "busy": True},
                         status=429)
        data = form.cleaned_data
        payload = RequestPayload(
            what=data["what"], urgency=data["urgency"], region=data["region"],
            contact_only_here=data["contact_mode"] != "other", contact=data["contact"],
            language=data["language"], name=data["name"], page_language=lang)
        try:
            _request_id, codename = help_request_submit(payload=payload, key=key)
        except IntakeClosed:
            return _page(request, "intake/public/closed.html", {"lang": lang}, status=503)
        except OSError:  # the spool could not take it (a full disk): nothing was kept, they send again
            log.error("a help request could not be spooled")
            return _page(request, "intake/public/request.html", {"lang": lang, "form": form, "busy": True},
                         status=503)
        return _codename_page(lang, codename)
    status = 400 if request.method == "POST" else 200
    return _page(request, "intake/public/request.html", {"lang": lang, "form": form}, status=status)


@_public
def return_view(request, lang):
    """Come back with the codename: read our replies, and write again in the same step if wished."""
    form = CodenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "codename"):
            return _page(request, "intake/public/return.html", {"lang": lang, "form": form, "busy": True},
                         status=429)
        codename, text = form.cleaned_data["codename"], form.cleaned_data["text"].strip()
        try:
            thread = visitor_thread(codename=codename)
        except UnknownCodename:
            form = CodenameForm(initial={"codename": codename, "text": text})
            return _page(request, "intake/public/return.html", {
                "lang": lang, "form": form, "unknown": True, "typos": codenames.unknown_words(codename)},
                status=404)
        sent = False
        if text:
            if not ratelimit.allow_followup(thread.request_id):
                return _page(request, "intake/public/return.html", {"lang": lang, "form": form, "busy": True},
                             status=429)
            followup_submit(request_id=thread.request_id, text=text)
            thread, sent = visitor_thread(codename=codename), True
        return _thread(request, lang, thread, sent=sent)
    status = 400 if request.method == "POST" else 200
    return _page(request, "intake/public/return.html", {"lang": lang, "form": form}, status=status)


def _thread(request, lang, thread, *, sent=False):
    token = signing.dumps(thread.request_id, salt=_TOKEN_SALT)
    return _page(request, "intake/public/thread.html", {
        "lang": lang, "thread": thread, "sent": sent, "form": FollowupForm(initial={"token": token})})


@_public
def followup_view(request, lang):
    """A follow-up from the page shown after the codename (POST only)."""
    form = FollowupForm(request.POST or None)
    if request.method != "POST":
        return _page(request, "intake/public/return.html", {"lang": lang, "form": CodenameForm()})
    if not form.is_valid():
        return _page(request, "intake/public/thread.html", {"lang": lang, "form": form}, status=400)
    text = form.cleaned_data["text"]
    try:
        request_id = signing.loads(form.cleaned_data["token"], salt=_TOKEN_SALT,
                                   max_age=conf.get("INTAKE_FOLLOWUP_TOKEN_AGE"))
    except signing.BadSignature:
        # expired (or forged): ask for the codename again, keeping the words they wrote
        return _page(request, "intake/public/return.html", {
            "lang": lang, "form": CodenameForm(initial={"text": text}), "expired": True}, status=403)
    if not ratelimit.allow_followup(request_id):
        return _page(request, "intake/public/thread.html", {"lang": lang, "form": form, "busy": True}, status=429)
    try:
        followup_submit(request_id=request_id, text=text)
    except UnknownCodename:
        return _page(request, "intake/public/return.html", {
            "lang": lang, "form": CodenameForm(initial={"text": text}), "expired": True}, status=403)
    return _page(request, "intake/public/thread.html", {
        "lang": lang, "sent": True, "form": FollowupForm(initial={"token": form.cleaned_data["token"]})})
