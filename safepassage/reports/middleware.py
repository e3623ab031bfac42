"""The fence around reporting roles: a researcher sees reports, never a person, case or testimony.

Threat: an account meant for aggregates (a researcher writing the public report, perhaps outside the
organisation) reaching a single person's record — by a guessed or leaked URL, or through a page
that forgot its check. This gate runs before any view of the fenced sections, whether or not the
address names something that exists: an actor whose roles are all reporting roles
(``policy.rules.reporting_only``) gets 403 and an audit event naming the page (never the record's
content). The sections' own access functions still apply to everyone else.
"""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from safepassage.audit.services import audit_record
from safepassage.core.errors import forbidden
from safepassage.policy.rules import membership, reporting_only

# Staff sections that show one person, case, help request, match or testimony at a time.
DEFAULT_FENCED = ("/people/", "/cases/", "/testimonies/", "/intake/", "/matching/")
_LANDING = "/cases/"  # where everyone is sent after logging in


class ReportingFenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fenced = tuple(getattr(settings, "REPORTING_FENCED_PATHS", DEFAULT_FENCED))
        user = getattr(request, "user", None)
        if request.path_info.startswith(fenced) and user is not None and user.is_authenticated \
                and reporting_only(user):
            if request.path_info == _LANDING and request.method == "GET":
                return redirect("reports:index")
            try:
                match = resolve(request.path_info)
                page, record = match.view_name, next(
                    (str(v) for k, v in match.kwargs.items() if k.endswith("_id")), "")
            except Resolver404:
                page, record = "", ""
            audit_record(actor=user, action="access.denied", organisation=membership(user).organisation,
                         page=page, path_section=request.path_info.split("/")[1], record=record,
                         reason="reporting role")
            return forbidden(request)
        return self.get_response(request)
