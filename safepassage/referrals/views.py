"""Staff pages for resettlement referrals: a case's referrals and consents, one packet, its PDF,
the liaison's inbox, and the journey figures.

Thin: records come through selectors (audited; one 404 for missing and forbidden), changes through
services; each named failure becomes a message or a form error.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases.selectors import case_for
from safepassage.cases.services import TransitionNotAllowed
from safepassage.core.forms import form_add_service_errors
from safepassage.policy.rules import can, require

from . import figures, selectors, services
from .forms import (
    ConsentForm,
    DecisionForm,
    FiguresForm,
    MemberForm,
    NewReferralForm,
    PacketForm,
    SubmitForm,
)

# --- a case's referrals -------------------------------------------------------------------------

def _case_page(request, case, *, status=200, new_form=None, consent_form=None):
    user = request.user
    programmes = selectors.programmes()
    referrals = selectors.referrals_of(case)
    return render(request, "referrals/case_referrals.html", {
        "case": case,
        "referrals": referrals,
        "consents": selectors.consents_of(case),
        "may_edit": can(user, "referral.edit", case),
        "may_consent": can(user, "referral.consent", case),
        "new_form": new_form or NewReferralForm(programmes=programmes),
        "consent_form": consent_form or ConsentForm(programmes=programmes),
    }, status=status)


@never_cache
@login_required
def case_view(request, case_id):
    case = case_for(request.user, case_id, action="referral.view")
    return _case_page(request, case)


@never_cache
@login_required
@require_POST
def create_view(request, case_id):
    case = case_for(request.user, case_id, action="referral.edit")
    form = NewReferralForm(request.POST, programmes=selectors.programmes())
    if form.is_valid():
        try:
            referral = services.referral_create(actor=request.user, case=case, programme=form.cleaned_data["programme"])
        except services.ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Packet %(ref)s started: check each field before submitting.")
                             % {"ref": referral.reference})
            return redirect("referrals:detail", referral_id=referral.pk)
    return _case_page(request, case, status=400, new_form=form)


@never_cache
@login_required
@require_POST
def consent_view(request, case_id):
    case = case_for(request.user, case_id, action="referral.consent")
    form = ConsentForm(request.POST, programmes=selectors.programmes())
    if not form.is_valid():
        return _case_page(request, case, status=400, consent_form=form)
    services.consent_record(actor=request.user, case=case, programme=form.cleaned_data["programme"],
                            note=form.cleaned_data["note"])
    messages.success(request, _("Consent recorded."))
    return redirect("referrals:case", case_id=case.pk)


@never_cache
@login_required
@require_POST
def consent_withdraw_view(request, case_id, consent_id):
    case = case_for(request.user, case_id, action="referral.consent")
    consent = selectors.consent_of(case, consent_id)
    services.consent_withdraw(actor=request.user, consent=consent)
    messages.success(request, _("Consent withdrawn."))
    return redirect("referrals:case", case_id=case.pk)


# --- one packet ---------------------------------------------------------------------------------

def _packet_initial(referral) -> dict:
    packet = referral.packet or {}
    initial = dict(packet.get("fields") or {})
    rrf = packet.get("rrf")
    if rrf is not None:
        initial.update(submission_category=rrf.get("submission_category", ""), priority=rrf.get("priority", ""),
                       linked_cases="\n".join(rrf.get("linked_cases", [])),
                       principal_confidential=rrf.get("principal_confidential", ""))
    return initial


def _detail_page(request, referral, *, status=200, packet_form=None, member_form=None, submit_form=None,
                 decision_form=None):
    user = request.user
    case = referral.case
    programme = referral.programme
    packet = referral.packet or {}
    return render(request, "referrals/referral_detail.html", {
        "referral": referral, "case": case, "programme": programme,
        "copy": selectors.packet_copy(referral),
        "members": (packet.get("rrf") or {}).get("members", []),
        "decisions": list(referral.decisions.order_by("decided_on", "recorded_at")),
        "consent": services.consent_for(case, programme),
        "may_edit": can(user, "referral.edit", case) and referral.is_editable,
        "may_decide": can(user, "referral.decide", case) and referral.status in ("submitted", "more_info"),
        "may_override": can(user, "referral.consent_override", case),
        "may_export": can(user, "referral.export", case),
        "may_withdraw": can(user, "referral.edit", case) and referral.is_open,
        "may_refer": can(user, "referral.edit", case),
        "packet_form": packet_form or PacketForm(initial=_packet_initial(referral), programme=programme),
        "member_form": member_form or MemberForm(),
        "submit_form": submit_form or SubmitForm(),
        "decision_form": decision_form or DecisionForm(),
    }, status=status)


@never_cache
@login_required
def detail_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id)
    return _detail_page(request, referral)


@never_cache
@login_required
@require_POST
def packet_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.edit")
    form = PacketForm(request.POST, programme=referral.programme)
    if form.is_valid():
        try:
            services.referral_update_packet(actor=request.user, referral=referral,
                                            fields=form.packet_fields(referral.programme), rrf=form.rrf())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except services.ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Packet saved."))
            return redirect("referrals:detail", referral_id=referral.pk)
    return _detail_page(request, referral, status=400, packet_form=form)


@never_cache
@login_required
@require_POST
def member_add_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.edit")
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.referral_member_add(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except services.ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Family member added."))
            return redirect(reverse("referrals:detail", kwargs={"referral_id": referral.pk}) + "#family")
    return _detail_page(request, referral, status=400, member_form=form)


@never_cache
@login_required
@require_POST
def member_remove_view(request, referral_id, member_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.edit")
    try:
        services.referral_member_remove(actor=request.user, referral=referral, member_id=member_id)
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Family member removed."))
    return redirect(reverse("referrals:detail", kwargs={"referral_id": referral.pk}) + "#family")


@never_cache
@login_required
@require_POST
def submit_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.edit")
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            services.referral_submit(actor=request.user, referral=referral,
                                     override_reason=form.cleaned_data["override_reason"])
        except (services.ReferralError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Packet %(ref)s submitted.") % {"ref": referral.reference})
            return redirect("referrals:detail", referral_id=referral.pk)
    return _detail_page(request, referral, status=400, submit_form=form)


def _decide(request, referral, *, back, page):
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decide(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except (services.ReferralError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(back)
    return page(form)


@never_cache
@login_required
@require_POST
def decide_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.decide")
    return _decide(request, referral, back=reverse("referrals:detail", kwargs={"referral_id": referral.pk}),
                   page=lambda form: _detail_page(request, referral, status=400, decision_form=form))


@never_cache
@login_required
@require_POST
def withdraw_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="referral.edit")
    try:
        services.referral_withdraw(actor=request.user, referral=referral)
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Referral withdrawn."))
    return redirect("referrals:case", case_id=referral.case_id)


def _pdf_response(request, referral, copy: str) -> HttpResponse:
    content = services.referral_export_pdf(actor=request.user, referral=referral, copy=copy)
    response = HttpResponse(content, content_type="application/pdf")
    # the file name carries references only, never a name
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-{copy}.pdf"'
    return response


@never_cache
@login_required
def pdf_view(request, referral_id, copy):
    referral = selectors.referral_for(request.user, referral_id, action="referral.export")
    return _pdf_response(request, referral, copy)


# --- the government liaison's side --------------------------------------------------------------

@never_cache
@login_required
def inbox_view(request):
    require(request.user, "referral.inbox")
    return render(request, "referrals/inbox.html", {"referrals": selectors.inbox(request.user)})


def _liaison_page(request, referral, *, status=200, decision_form=None):
    return render(request, "referrals/packet.html", {
        "referral": referral, "programme": referral.programme,
        "copy": selectors.packet_copy(referral),
        "decisions": list(referral.decisions.order_by("decided_on", "recorded_at")),
        "may_decide": can(request.user, "packet.decide", referral) and referral.status in ("submitted", "more_info"),
        "decision_form": decision_form or DecisionForm(),
    }, status=status)


@never_cache
@login_required
def liaison_packet_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="packet.view")
    return _liaison_page(request, referral)


@never_cache
@login_required
@require_POST
def liaison_decide_view(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id, action="packet.decide")
    return _decide(request, referral, back=reverse("referrals:packet", kwargs={"referral_id": referral.pk}),
                   page=lambda form: _liaison_page(request, referral, status=400, decision_form=form))


@never_cache
@login_required
def liaison_pdf_view(request, referral_id, copy):
    referral = selectors.referral_for(request.user, referral_id, action="packet.view")
    return _pdf_response(request, referral, copy)


# --- journey figures ----------------------------------------------------------------------------

@never_cache
@login_required
@require_http_methods(["GET"])
def figures_view(request):
    require(request.user, "journey.figures")
    form = FiguresForm(request.GET or None)
    params = form.cleaned_data if form.is_bound and form.is_valid() else {}
    report = figures.journey_figures(request.user, since=params.get("since"), days=params.get("days") or 90,
                                     then=params.get("then") or 7)
    if not form.is_bound:
        form = FiguresForm(initial={"since": report.since, "days": report.days, "then": report.then})
    return render(request, "referrals/figures.html", {"form": form, "report": report})
