"""Staff pages for safe houses: the occupancy board, one house, and where one case is sheltered.

Thin: records come through the selectors (audited, one 404 for missing and forbidden), changes
through the services, and each named failure becomes a message on the page. An address is shown
only in the answer to an explicit POST: never in a URL, a flash message or a cached page.
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
from safepassage.cases.services import TransitionNotAllowed, case_transition_confirm
from safepassage.policy.rules import SHELTER_STATUSES, can, require

from . import selectors, services
from .forms import CheckOutForm, CompromiseForm, MoveForm, SafeHouseForm
from .models import SafeHouse, Stay


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@never_cache
@login_required
def board_view(request):
    require(request.user, "safehouse.list")
    return render(request, "safehouses/board.html", {
        "rows": selectors.occupancy_board(request.user),
        "may_create": can(request.user, "safehouse.create"),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    require(request.user, "safehouse.create")
    form = SafeHouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            house = services.safehouse_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Safe house %(codename)s added.") % {"codename": house.codename})
            return redirect("safehouses:detail", house_id=house.pk)
    return render(request, "safehouses/house_form.html", {"form": form, "house": None})


def _house_page(request, house, *, status=200, secrets=None, compromise_form=None):
    user = request.user
    return render(request, "safehouses/house_detail.html", {
        "house": house,
        "stays": selectors.house_stays(house),
        "secrets": secrets,
        "may_edit": can(user, "safehouse.edit", house),
        "may_reveal": can(user, "safehouse.reveal", house),
        "may_compromise": can(user, "safehouse.compromise", house) and house.status != SafeHouse.STATUS_RETIRED,
        "may_checkout": can(user, "safehouse.checkout", house),
        "compromise_form": compromise_form or CompromiseForm(),
        "checkout_form": CheckOutForm(),
    }, status=status)


@never_cache
@login_required
def detail_view(request, house_id):
    house = selectors.safehouse_for(request.user, house_id)
    return _house_page(request, house)


@never_cache
@login_required
@require_POST
def reveal_view(request, house_id):
    house = selectors.safehouse_for(request.user, house_id, action="safehouse.reveal")
    return _house_page(request, house, secrets=selectors.safehouse_secrets(request.user, house))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, house_id):
    house = selectors.safehouse_for(request.user, house_id, action="safehouse.edit")
    if request.method == "POST":
        form = SafeHouseForm(request.POST)
        if form.is_valid():
            try:
                services.safehouse_update(actor=request.user, house=house, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Safe house saved."))
                return redirect("safehouses:detail", house_id=house.pk)
    else:
        secrets = selectors.safehouse_secrets(request.user, house)  # the form shows them: logged as a reveal
        form = SafeHouseForm(initial={"codename": house.codename, "area": house.area, "capacity": house.capacity,
                                      "rules": house.rules, **secrets})
    return render(request, "safehouses/house_form.html", {"form": form, "house": house})


@never_cache
@login_required
@require_POST
def compromise_view(request, house_id):
    house = selectors.safehouse_for(request.user, house_id, action="safehouse.compromise")
    form = CompromiseForm(request.POST)
    if not form.is_valid():
        return _house_page(request, house, status=400, compromise_form=form)
    cases = services.safehouse_mark_compromised(actor=request.user, house=house, reason=form.cleaned_data["reason"])
    messages.success(request, _("The house is marked compromised. %(n)d people need relocating now: each case "
                                "has an urgent task.") % {"n": len(cases)})
    return redirect("safehouses:detail", house_id=house.pk)


@never_cache
@login_required
@require_POST
def retire_view(request, house_id):
    house = selectors.safehouse_for(request.user, house_id, action="safehouse.edit")
    try:
        services.safehouse_retire(actor=request.user, house=house)
    except services.ShelterError as exc:
        messages.error(request, str(exc))
        return redirect("safehouses:detail", house_id=house.pk)
    messages.success(request, _("The house is retired; its address and contact are destroyed."))
    return redirect("safehouses:board")


@never_cache
@login_required
@require_POST
def checkout_view(request, stay_id):
    via_case = request.POST.get("via") == "case"  # from the case's shelter page rather than the house's
    stay = selectors.stay_for(request.user, stay_id, action="shelter.move" if via_case else "safehouse.checkout")
    form = CheckOutForm(request.POST)
    back = (reverse("safehouses:case", kwargs={"case_id": stay.case_id}) if via_case
            else reverse("safehouses:detail", kwargs={"house_id": stay.house_id}))
    if not form.is_valid():
        messages.error(request, _("Choose why the person left."))
        return redirect(back)
    try:
        services.stay_check_out(actor=request.user, stay=stay, reason=form.cleaned_data["reason"])
    except services.ShelterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Checked out of %(codename)s.") % {"codename": stay.house.codename})
    return redirect(back)


# --- one case's shelter -------------------------------------------------------------------------

def _case_page(request, case, *, status=200, move_form=None):
    user = request.user
    houses = selectors.houses_with_room(case.organisation, for_case=case)
    stays = selectors.stays_of_case(case)
    current = next((s for s in stays if s.state == Stay.STATE_CURRENT), None)
    first_move = case.status == "verified" and current is None
    return render(request, "safehouses/case_shelter.html", {
        "case": case,
        "stays": stays,
        "current": current,
        "proposed": [s for s in stays if s.state == Stay.STATE_PROPOSED],
        "pending": selectors.pending_shelter(case),
        "first_move": first_move,
        "may_move": can(user, "shelter.move", case) and case.status in SHELTER_STATUSES,
        "may_confirm": can(user, "shelter.confirm", case),
        "move_form": move_form or MoveForm(houses=houses, first_move=first_move),
        "has_houses": bool(houses),
        "checkout_form": CheckOutForm(),
    }, status=status)


@never_cache
@login_required
def case_view(request, case_id):
    case = case_for(request.user, case_id, action="shelter.view")
    return _case_page(request, case)


@never_cache
@login_required
@require_POST
def move_view(request, case_id):
    case = case_for(request.user, case_id, action="shelter.move")
    houses = selectors.houses_with_room(case.organisation, for_case=case)
    first_move = case.status == "verified" and selectors.current_stay(case) is None
    form = MoveForm(request.POST, houses=houses, first_move=first_move)
    if not form.is_valid():
        return _case_page(request, case, status=400, move_form=form)
    house = form.cleaned_data["house"]
    try:
        if first_move:
            services.shelter_request(actor=request.user, case=case, house=house, reason=form.cleaned_data["reason"])
        else:
            services.stay_propose(actor=request.user, case=case, house=house)
    except (services.ShelterError, TransitionNotAllowed) as exc:
        form.add_error(None, str(exc))
        return _case_page(request, case, status=400, move_form=form)
    messages.success(request, _("Move into %(codename)s proposed: a second person must confirm it.")
                     % {"codename": house.codename})
    return redirect("safehouses:case", case_id=case.pk)


@never_cache
@login_required
@require_POST
def shelter_confirm_view(request, case_id):
    """The second person confirms the case's first move into a safe house (the workflow's four eyes)."""
    case = case_for(request.user, case_id, action="shelter.confirm")
    pending = selectors.pending_shelter(case)
    if pending is None:
        messages.error(request, _("There is no move waiting for confirmation."))
        return redirect("safehouses:case", case_id=case.pk)
    try:
        case_transition_confirm(actor=request.user, transition=pending)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Checked in to %(codename)s.") % {
            "codename": pending.house.codename if pending.house else "—"})
    return redirect("safehouses:case", case_id=case.pk)


@never_cache
@login_required
@require_POST
def stay_confirm_view(request, stay_id):
    stay = selectors.stay_for(request.user, stay_id, action="shelter.confirm")
    try:
        services.stay_confirm(actor=request.user, stay=stay)
    except services.ShelterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Checked in to %(codename)s.") % {"codename": stay.house.codename})
    return redirect("safehouses:case", case_id=stay.case_id)


@never_cache
@login_required
@require_POST
def stay_cancel_view(request, stay_id):
    stay = selectors.stay_for(request.user, stay_id, action="shelter.move")
    try:
        services.stay_cancel(actor=request.user, stay=stay)
    except services.ShelterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The proposed move is cancelled."))
    return redirect("safehouses:case", case_id=stay.case_id)
