"""Staff pages for a case's arrival and settlement plan.

Thin: the case comes through ``case_for`` with a settlement action (audited, one 404 for missing
and forbidden), changes through the services.
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
from django.views.decorators.http import require_POST

from safepassage.cases.selectors import case_for
from safepassage.cases.services import TransitionNotAllowed
from safepassage.core.forms import form_add_service_errors
from safepassage.policy.rules import can

from . import selectors, services
from .forms import (
    ArrivalForm,
    CheckInDoneForm,
    CheckInScheduleForm,
    ItemForm,
    ItemUpdateForm,
    PaymentForm,
    WorkerForm,
)


def _page(request, case, *, status=200, **forms):
    user = request.user
    plan = selectors.plan_of(case)
    context = {
        "case": case, "plan": plan,
        "may_edit": can(user, "settlement.edit", case),
        "may_assign": can(user, "settlement.assign", case),
        "arrival_form": forms.get("arrival_form") or ArrivalForm(),
        "item_form": forms.get("item_form") or ItemForm(),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "schedule_form": forms.get("schedule_form") or CheckInScheduleForm(),
        "item_states": ItemUpdateForm.base_fields["status"].choices,
    }
    if plan is not None:
        context.update(
            items=list(plan.items.order_by("position")),
            payments=list(plan.payments.select_related("recorded_by").order_by("paid_on", "recorded_at")),
            totals=selectors.payment_totals(plan),
            checkins=list(plan.checkins.order_by("scheduled_on")),
            open_items=selectors.open_items(case),
        )
        if context["may_assign"]:
            context["worker_form"] = WorkerForm(initial={"worker": str(plan.worker_id or "")},
                                                users=selectors.settlement_workers(case.organisation))
    return render(request, "settlement/case_settlement.html", context, status=status)


def _back(case, anchor=""):
    return redirect(reverse("settlement:case", kwargs={"case_id": case.pk}) + anchor)


def _plan(case):
    plan = selectors.plan_of(case)
    if plan is None:
        raise Http404()
    return plan


@never_cache
@login_required
def case_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.view")
    return _page(request, case)


@never_cache
@login_required
@require_POST
def arrival_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.edit")
    form = ArrivalForm(request.POST)
    if form.is_valid():
        try:
            services.arrival_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except (services.SettlementError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Arrival recorded. The settlement plan is ready."))
            return _back(case)
    return _page(request, case, status=400, arrival_form=form)


@never_cache
@login_required
@require_POST
def begin_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.edit")
    try:
        services.settlement_begin(actor=request.user, case=case)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The case is now settling."))
    return _back(case)


@never_cache
@login_required
@require_POST
def assign_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.assign")
    plan = _plan(case)
    form = WorkerForm(request.POST, users=selectors.settlement_workers(case.organisation))
    if form.is_valid():
        try:
            services.settlement_assign(actor=request.user, plan=plan, worker=form.cleaned_data["worker"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Settlement worker saved."))
    return _back(case)


@never_cache
@login_required
@require_POST
def item_add_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.edit")
    plan = _plan(case)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.plan_item_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Item added."))
            return _back(case, "#plan")
    return _page(request, case, status=400, item_form=form)


@never_cache
@login_required
@require_POST
def item_update_view(request, item_id):
    item = selectors.item_for(request.user, item_id)
    form = ItemUpdateForm(request.POST)
    if form.is_valid():
        services.plan_item_update(actor=request.user, item=item, status=form.cleaned_data["status"],
                                  description=form.cleaned_data["description"])
        messages.success(request, _("Item saved."))
    else:
        messages.error(request, _("Choose a state."))
    return _back(item.plan.case, "#plan")


@never_cache
@login_required
@require_POST
def payment_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.edit")
    plan = _plan(case)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded."))
            return _back(case, "#payments")
    return _page(request, case, status=400, payment_form=form)


@never_cache
@login_required
@require_POST
def schedule_view(request, case_id):
    case = case_for(request.user, case_id, action="settlement.edit")
    plan = _plan(case)
    form = CheckInScheduleForm(request.POST)
    if form.is_valid():
        services.checkin_schedule(actor=request.user, plan=plan, scheduled_on=form.cleaned_data["scheduled_on"])
        messages.success(request, _("Check-in scheduled."))
        return _back(case, "#checkins")
    return _page(request, case, status=400, schedule_form=form)


@never_cache
@login_required
@require_POST
def checkin_done_view(request, checkin_id):
    checkin = selectors.checkin_for(request.user, checkin_id)
    form = CheckInDoneForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        services.checkin_done(actor=request.user, checkin=checkin, notes=notes)
    except services.SettlementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Check-in recorded."))
    return _back(checkin.plan.case, "#checkins")
