"""Verification pages: a case's checklist and vouching; the organisation's checklist and referrers.

Thin: records come through the selectors and access functions (one 404 for missing and
forbidden), changes through the services.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases import workflow
from safepassage.cases.forms import MoveForm
from safepassage.cases.selectors import available_moves, case_for
from safepassage.core.forms import form_add_service_errors
from safepassage.policy.rules import membership, require

from . import selectors, services
from .forms import CheckForm, ChecklistItemForm, ReferrerForm, VouchForm


def _case_page(request, case, *, status=200, check_forms=None, vouch_form=None):
    rows = selectors.case_checklist(request.user, case)
    check_forms = check_forms or {}
    for row in rows:
        row.form = check_forms.get(row.item.pk) or CheckForm(
            prefix=f"check-{row.item.pk}",
            initial={"outcome": row.result.outcome, "note": row.result.note} if row.result else None)
    entrapment = next((t for t in available_moves(request.user, case) if t.target == "entrapment_suspected"), None)
    return render(request, "verification/case.html", {
        "case": case, "rows": rows, "vouches": selectors.case_vouches(request.user, case),
        "open": case.status in services.OPEN_STAGES,
        "complete": services.checklist_complete(case),
        "verified": workflow.case_is_verified(case),
        "vouch_form": vouch_form or VouchForm(codes=selectors.referrer_codes(request.user, case)),
        "entrapment_form": MoveForm(transition=entrapment, case=case) if entrapment else None,
    }, status=status)


@never_cache
@login_required
def case_checklist_view(request, case_id):
    case = case_for(request.user, case_id, action="case.verify")
    return _case_page(request, case)


@never_cache
@login_required
@require_POST
def check_record_view(request, case_id, item_id):
    case = case_for(request.user, case_id, action="case.verify")
    item = next((i for i in services.checklist_items(case.organisation) if i.pk == item_id), None)
    if item is None:
        raise Http404()
    form = CheckForm(request.POST, prefix=f"check-{item.pk}")
    if form.is_valid():
        try:
            services.check_record(actor=request.user, case=case, item=item, outcome=form.cleaned_data["outcome"],
                                  note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Check recorded."))
            return redirect("verification:case", case_id=case.pk)
    return _case_page(request, case, status=400, check_forms={item.pk: form})


@never_cache
@login_required
@require_POST
def vouch_record_view(request, case_id):
    case = case_for(request.user, case_id, action="case.verify")
    form = VouchForm(request.POST, codes=selectors.referrer_codes(request.user, case))
    if form.is_valid():
        referrer = selectors.vouchable_referrer(request.user, case, form.cleaned_data["referrer"])
        try:
            if referrer is None:
                raise ValidationError({"referrer": _("Choose one of your organisation's trusted referrers.")})
            services.vouch_record(actor=request.user, case=case, referrer=referrer, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Vouching recorded."))
            return redirect("verification:case", case_id=case.pk)
    return _case_page(request, case, status=400, vouch_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def checklist_view(request):
    require(request.user, "verification.manage")
    organisation = membership(request.user).organisation
    form = ChecklistItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_add(actor=request.user, organisation=organisation,
                                        label=form.cleaned_data["label"], required=form.cleaned_data["required"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Check added."))
            return redirect("verification:checklist")
    items = services.checklist_items(organisation, include_inactive=True)
    return render(request, "verification/checklist.html", {"items": items, "form": form},
                  status=400 if form.errors else 200)


@never_cache
@login_required
@require_POST
def checklist_item_view(request, item_id):
    require(request.user, "verification.manage")
    item = selectors.checklist_item_for(request.user, item_id)
    services.checklist_item_update(actor=request.user, item=item, required=request.POST.get("required") == "1",
                                   active=request.POST.get("active") == "1")
    messages.success(request, _("Checklist saved."))
    return redirect("verification:checklist")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def referrers_view(request):
    require(request.user, "verification.manage")
    form = ReferrerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referrer = services.referrer_add(actor=request.user, organisation=membership(request.user).organisation,
                                             **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Referrer %(code)s added.") % {"code": referrer.code})
            return redirect("verification:referrers")
    return render(request, "verification/referrers.html", {"referrers": selectors.referrers(request.user), "form": form},
                  status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def referrer_view(request, referrer_id):
    """One referrer: the cases they vouched for (who is at risk if they are taken), trust on or off."""
    referrer = selectors.referrer_for(request.user, referrer_id)
    if request.method == "POST":
        services.referrer_set_active(actor=request.user, referrer=referrer, active=request.POST.get("active") == "1")
        messages.success(request, _("Saved."))
        return redirect(reverse("verification:referrer", kwargs={"referrer_id": referrer.pk}))
    return render(request, "verification/referrer.html", {
        "referrer": referrer, "cases": selectors.cases_vouched_by(request.user, referrer)})
