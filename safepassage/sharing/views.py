"""Staff pages for sharing: a case's consents and shares (sender), and shares received (recipient).

Thin: cases come through ``case_for``, shares through ``share_in_for``/``share_out_for`` (one 404
for missing and forbidden), changes through the services. Messages never carry names.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.accounts.models import Organisation
from safepassage.cases.selectors import case_for, cases_visible
from safepassage.policy.rules import NotAllowed, can

from . import purposes as P
from . import selectors, services
from .forms import ConsentForm, FindCaseForm, ShareForm


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _organisation(actor, pk) -> Organisation | None:
    return next((o for o in selectors.partner_organisations(actor) if o.pk == pk), None)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def index_view(request):
    """Shares received by the organisation, shares it sent, and a way to a case's sharing page."""
    user = request.user
    may_share = can(user, "case.list")
    if not (may_share or can(user, "share.inbox")):
        raise NotAllowed("share.inbox")
    find = FindCaseForm(request.POST or None) if may_share else None
    if request.method == "POST":
        if find is not None and find.is_valid():
            case = cases_visible(user).filter(reference__iexact=find.cleaned_data["reference"].strip()).first()
            if case is not None and can(user, "case.share", case):
                return redirect("sharing:case", case_id=case.pk)
            find.add_error("reference", _("No case you may share has that reference."))
        status = 400
    else:
        status = 200
    return render(request, "sharing/index.html", {
        "received": selectors.shares_received(user), "sent": selectors.shares_sent(user), "find": find,
        "may_receive": can(user, "share.inbox"),
    }, status=status)


def _case_page(request, case, *, status=200, consent_form=None, share_form=None):
    user = request.user
    partners = selectors.partner_organisations(user)
    may_override = can(user, "case.share_override", case)
    may_transfer = can(user, "case.transfer", case)
    return render(request, "sharing/case.html", {
        "case": case,
        "consents": selectors.consents_of_case(case),
        "shares": selectors.shares_of_case(case),
        "consent_form": consent_form or ConsentForm(organisations=partners),
        "share_form": share_form or ShareForm(organisations=partners, may_override=may_override,
                                              may_transfer=may_transfer),
        "purposes": [(label, [P.field_label(f) for f in fields]) for _code, (label, fields) in P.PURPOSES.items()],
        "sensitive": [P.field_label(f) for f in P.FIELDS if f in P.SENSITIVE],
    }, status=status)


@never_cache
@login_required
def case_view(request, case_id):
    case = case_for(request.user, case_id, action="case.share")
    return _case_page(request, case)


@never_cache
@login_required
@require_POST
def consent_view(request, case_id):
    case = case_for(request.user, case_id, action="case.share_consent")
    form = ConsentForm(request.POST, organisations=selectors.partner_organisations(request.user))
    if form.is_valid():
        try:
            services.share_consent_record(actor=request.user, case=case,
                                          organisation=_organisation(request.user, form.cleaned_data["organisation"]),
                                          note=form.cleaned_data["note"])
            messages.success(request, _("Consent recorded."))
            return redirect("sharing:case", case_id=case.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return _case_page(request, case, status=400, consent_form=form)


@never_cache
@login_required
@require_POST
def consent_withdraw_view(request, case_id, consent_id):
    case = case_for(request.user, case_id, action="case.share_consent")
    consent = selectors.consent_of_case(case, consent_id)
    ended = services.share_consent_withdraw(actor=request.user, consent=consent)
    messages.success(request, _("Consent withdrawn; %(n)s share(s) that relied on it ended.") % {"n": ended})
    return redirect("sharing:case", case_id=case.pk)


@never_cache
@login_required
@require_POST
def create_view(request, case_id):
    user = request.user
    case = case_for(user, case_id, action="case.share")
    partners = selectors.partner_organisations(user)
    form = ShareForm(request.POST, organisations=partners, may_override=can(user, "case.share_override", case),
                     may_transfer=can(user, "case.transfer", case))
    if form.is_valid():
        c = form.cleaned_data
        try:
            services.share_create(actor=user, case=case, recipient=_organisation(user, c["recipient"]),
                                  purpose=c["purpose"], fields=c["fields"], days=c["days"],
                                  travel_documents=c["travel_documents"],
                                  override_reason=c.get("override_reason", ""))
            messages.success(request, _("Shared. The other organisation sees only the fields listed."))
            return redirect("sharing:case", case_id=case.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return _case_page(request, case, status=400, share_form=form)


@never_cache
@login_required
def sent_view(request, share_id):
    share = selectors.share_out_for(request.user, share_id)
    return render(request, "sharing/sent.html", {
        "share": share, "may_revoke": can(request.user, "share_out.revoke", share) and share.is_live,
        "may_refresh": can(request.user, "share_out.refresh", share) and share.is_live and share.case_id,
    })


@never_cache
@login_required
@require_POST
def refresh_view(request, share_id):
    share = selectors.share_out_for(request.user, share_id, action="share_out.refresh")
    try:
        services.share_refresh(actor=request.user, share=share)
        messages.success(request, _("The share now carries the current values."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("sharing:sent", share_id=share.pk)


@never_cache
@login_required
@require_POST
def revoke_view(request, share_id):
    share = selectors.share_out_for(request.user, share_id, action="share_out.revoke")
    services.share_revoke(actor=request.user, share=share)
    messages.success(request, _("Share revoked: the other organisation can no longer open it."))
    return redirect("sharing:sent", share_id=share.pk)


@never_cache
@login_required
def received_view(request, share_id):
    share = selectors.share_in_for(request.user, share_id)
    values = services.share_values(actor=request.user, share=share)
    return render(request, "sharing/received.html", {
        "share": share, "rows": selectors.shown_values(share, values),
        "pseudonym": values.get("pseudonym", ""),
        "may_accept": share.is_transfer and can(request.user, "share_in.accept", share),
    })


@never_cache
@login_required
@require_POST
def accept_view(request, share_id):
    share = selectors.share_in_for(request.user, share_id, action="share_in.accept")
    try:
        case = services.transfer_accept(actor=request.user, share=share)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sharing:index")
    messages.success(request, _("The case is now yours."))
    return redirect("cases:detail", case_id=case.pk)
