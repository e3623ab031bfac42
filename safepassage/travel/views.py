"""Staff pages for a case's travel plan, its legs and check-ins, and the alarm's grace period.

Thin: the case comes through ``case_for`` with a travel action (audited, one 404 for missing and
forbidden), changes through the services; failures come back as messages or form errors.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases.selectors import case_for
from safepassage.cases.services import TransitionNotAllowed
from safepassage.policy.rules import can, membership, require

from . import selectors, services
from .forms import AssignForm, CheckInForm, LegForm, PlanNotesForm, PlanStatusForm, ReceiveForm, SettingsForm


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _back(case, anchor: str = ""):
    return redirect(reverse("travel:case", kwargs={"case_id": case.pk}) + anchor)


def _page(request, case, *, status=200, leg_form=None, checkin_forms=None):
    user = request.user
    plan = selectors.plan_of(case)
    legs = selectors.legs_of(plan)
    for leg in legs:  # each leg carries its own "expect a check-in" form (bound if it just failed)
        leg.checkin_form = (checkin_forms or {}).get(leg.pk) or CheckInForm(prefix=f"leg-{leg.pk}")
    context = {
        "case": case, "plan": plan, "legs": legs,
        "may_edit": can(user, "travel.edit", case),
        "may_checkin": can(user, "travel.checkin", case),
        "may_assign": can(user, "travel.assign", case),
        "leg_form": leg_form or LegForm(),
        "receive_form": ReceiveForm(),
        "grace": services.grace_minutes(case.organisation),
    }
    if plan is not None:
        context["status_form"] = PlanStatusForm(initial={"status": plan.status, "on": plan.negotiated_on})
        context["notes_form"] = PlanNotesForm(initial={"notes": plan.notes})
        if context["may_assign"]:
            context["assign_form"] = AssignForm(
                initial={"coordinator": str(plan.coordinator_id or "")},
                users=selectors.travel_coordinators(case.organisation))
    return render(request, "travel/case_travel.html", context, status=status)


@never_cache
@login_required
def case_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.view")
    return _page(request, case)


@never_cache
@login_required
@require_POST
def start_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.edit")
    try:
        services.travel_plan_start(actor=request.user, case=case)
    except services.TravelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Travel plan started."))
    return _back(case)


def _plan_or_404(case):
    from django.http import Http404

    plan = selectors.plan_of(case)
    if plan is None:
        raise Http404()
    return plan


@never_cache
@login_required
@require_POST
def status_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.edit")
    plan = _plan_or_404(case)
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        try:
            services.travel_plan_set_status(actor=request.user, plan=plan, status=form.cleaned_data["status"],
                                            on=form.cleaned_data["on"])
        except (services.TravelError, TransitionNotAllowed, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Travel plan updated."))
    return _back(case)


@never_cache
@login_required
@require_POST
def notes_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.edit")
    plan = _plan_or_404(case)
    form = PlanNotesForm(request.POST)
    if form.is_valid():
        services.travel_plan_update_notes(actor=request.user, plan=plan, notes=form.cleaned_data["notes"])
        messages.success(request, _("Notes saved."))
    return _back(case)


@never_cache
@login_required
@require_POST
def assign_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.assign")
    plan = _plan_or_404(case)
    form = AssignForm(request.POST, users=selectors.travel_coordinators(case.organisation))
    if form.is_valid():
        try:
            services.travel_plan_assign(actor=request.user, plan=plan, coordinator=form.cleaned_data["coordinator"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Travel coordinator saved."))
    return _back(case)


def _leg_data(cleaned) -> services.LegData:
    return services.LegData(**{name: cleaned[name] for name in (
        "mode", "origin", "destination", "departs_at", "arrives_at", "escort", "documents", "notes")})


@never_cache
@login_required
@require_POST
def leg_add_view(request, case_id):
    case = case_for(request.user, case_id, action="travel.edit")
    plan = _plan_or_404(case)
    form = LegForm(request.POST)
    if form.is_valid():
        try:
            services.travel_leg_add(actor=request.user, plan=plan, data=_leg_data(form.cleaned_data))
        except ValidationError as exc:
            _form_errors(form, exc)
        except services.TravelError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Leg added."))
            return _back(case, "#legs")
    return _page(request, case, status=400, leg_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def leg_edit_view(request, leg_id):
    leg = selectors.leg_for(request.user, leg_id)
    case = leg.plan.case
    if request.method == "POST":
        form = LegForm(request.POST)
        if form.is_valid():
            try:
                services.travel_leg_update(actor=request.user, leg=leg, data=_leg_data(form.cleaned_data))
            except ValidationError as exc:
                _form_errors(form, exc)
            except services.TravelError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Leg saved."))
                return _back(case, "#legs")
    else:
        form = LegForm(initial={name: getattr(leg, name) for name in (
            "mode", "origin", "destination", "departs_at", "arrives_at", "escort", "documents", "notes")})
    return render(request, "travel/leg_form.html", {"form": form, "leg": leg, "case": case})


@never_cache
@login_required
@require_POST
def leg_status_view(request, leg_id):
    leg = selectors.leg_for(request.user, leg_id)
    try:
        services.travel_leg_set_status(actor=request.user, leg=leg, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Leg updated."))
    return _back(leg.plan.case, "#legs")


@never_cache
@login_required
@require_POST
def checkin_add_view(request, leg_id):
    leg = selectors.leg_for(request.user, leg_id)
    case = leg.plan.case
    form = CheckInForm(request.POST, prefix=f"leg-{leg.pk}")
    if form.is_valid():
        try:
            services.checkin_expect(actor=request.user, leg=leg, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except services.TravelError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Check-in expected."))
            return _back(case, "#legs")
    return _page(request, case, status=400, checkin_forms={leg.pk: form})


@never_cache
@login_required
@require_POST
def checkin_receive_view(request, checkin_id):
    checkin = selectors.checkin_for(request.user, checkin_id)
    form = ReceiveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.checkin_receive(actor=request.user, checkin=checkin, note=note)
    except services.TravelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Check-in received."))
    return _back(checkin.leg.plan.case, "#legs")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    require(request.user, "travel.settings")
    organisation = membership(request.user).organisation
    form = SettingsForm(request.POST or None, initial={"grace": services.grace_minutes(organisation)})
    if request.method == "POST" and form.is_valid():
        try:
            services.travel_settings_update(actor=request.user, grace=form.cleaned_data["grace"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("travel:settings")
    return render(request, "travel/settings.html", {"form": form})
