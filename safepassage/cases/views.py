"""Staff pages for cases: the list (the landing page), opening a case, the case page and its actions.

Thin by design: cases come through ``case_for``/``case_page`` (audited, one 404 for missing and
forbidden), changes through the services. Searches travel by POST only, so names never reach a
URL, a browser history or an access log. Pages are never cached by the browser.
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

from safepassage.core.forms import form_add_service_errors
from safepassage.people.selectors import person_for
from safepassage.policy.rules import NotAllowed, can, membership, require
from safepassage.tasks.forms import TaskForm
from safepassage.tasks.selectors import tasks_of_case

from . import selectors, services, workflow
from .forms import (
    AssignForm,
    CaseFilterForm,
    CaseOpenForm,
    MoveDecisionForm,
    MoveForm,
    NoteForm,
    RiskForm,
    SummaryForm,
)
from .workflow import TransitionNotAllowed

# --- the list -----------------------------------------------------------------------------------

@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_list_view(request):
    """GET: the first page, unfiltered. POST: search, filters and page, answered directly (no redirect)."""
    if not can(request.user, "case.list"):
        if can(request.user, "member.manage"):
            return redirect("accounts:members")  # an admin's work starts there; cases are not theirs
        raise NotAllowed("case.list")
    filters, page_number, form = selectors.CaseFilters(), 1, CaseFilterForm()
    if request.method == "POST":
        form = CaseFilterForm(request.POST)
        if not form.is_valid():
            return render(request, "cases/case_list.html", {"form": form, "page": None, "filters": filters},
                          status=400)
        c = form.cleaned_data
        filters = selectors.CaseFilters(q=c["q"].strip(), status=c["status"], risk=c["risk"], mine=c["mine"])
        page_number = c["page"] or 1
    page = selectors.case_page(request.user, filters, page_number)
    return render(request, "cases/case_list.html", {
        "form": form, "page": page, "filters": filters,
        "filtered": bool(filters.q or filters.status or filters.risk or filters.mine),
    })


# --- opening a case -----------------------------------------------------------------------------

@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_create_view(request):
    require(request.user, "case.create")
    person_id = request.POST.get("person") if request.method == "POST" else request.GET.get("person")
    if not person_id:
        raise Http404()
    person = person_for(request.user, person_id)
    may_assign = can(request.user, "case.assign")
    organisation = membership(request.user).organisation
    choices = {"users": selectors.assignable_users(organisation), "teams": selectors.organisation_teams(organisation)}
    # Only a submit from this form opens a case; the person page's button just brings the form up.
    submitted = request.method == "POST" and "open" in request.POST
    form = CaseOpenForm(request.POST if submitted else None, may_assign=may_assign, **choices)
    if submitted and form.is_valid():
        c = form.cleaned_data
        try:
            case = services.case_open(actor=request.user, person=person, summary=c["summary"],
                                      risk_level=c["risk_level"], risk_reasons=c["risk_reasons"],
                                      assignees=c.get("assignees") or (), team=c.get("team"))
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "person": person})


# --- one case -----------------------------------------------------------------------------------

@never_cache
@login_required
def case_detail_view(request, case_id):
    case = selectors.case_for(request.user, case_id)
    return _case_page(request, case)


def _case_page(request, case, *, status=200, move_form=None, **bound_forms):
    """The case page; a form that failed to save comes back bound, with its errors and input."""
    user = request.user
    may_assign = can(user, "case.assign", case)
    moves = []
    for t in selectors.available_moves(user, case):
        form = move_form if move_form is not None and move_form.transition.key == t.key else MoveForm(
            transition=t, case=case)
        moves.append({"transition": t, "form": form, "open": form is move_form})
    pending = selectors.pending_move(case)
    may_task = can(user, "case.task", case)
    context = {
        "moves": moves,
        "pending": pending,
        "pending_mine": pending is not None and pending.requested_by_id == user.pk,
        "may_decide": selectors.may_decide(user, pending),
        "decision_form": bound_forms.get("decision_form") or MoveDecisionForm(),
        "tasks": tasks_of_case(user, case),
        "may_task": may_task,
        "task_form": TaskForm(users=selectors.assignable_users(case.organisation)) if may_task else None,
        "verification_stage": case.status in ("requested", "screening"),
        "verified": workflow.case_is_verified(case),
        "case": case,
        "may_view_person": can(user, "person.view", case.person),
        "may_edit": can(user, "case.edit", case),
        "may_note": can(user, "case.note", case),
        "may_assign": may_assign,
        "assignees": list(case.assignees.order_by("username")),
        "timeline": selectors.case_timeline_entries(case),
        "note_form": bound_forms.get("note_form") or NoteForm(),
        "risk_form": bound_forms.get("risk_form") or RiskForm(initial={"risk_level": case.risk_level,
                                                                         "reasons": case.risk_reasons}),
        "summary_form": bound_forms.get("summary_form") or SummaryForm(initial={"summary": case.summary}),
    }
    if may_assign:
        context["assign_form"] = bound_forms.get("assign_form") or AssignForm(
            initial={"assignees": [str(u.pk) for u in context["assignees"]],
                     "team": str(case.team_id) if case.team_id else ""},
            **_assignment_choices(case))
    return render(request, "cases/case_detail.html", context, status=status)


def _assignment_choices(case) -> dict:
    return {"users": selectors.assignable_users(case.organisation),
            "teams": selectors.organisation_teams(case.organisation)}


def _done(request, case, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + anchor)


@never_cache
@login_required
@require_POST
def case_note_view(request, case_id):
    case = selectors.case_for(request.user, case_id, action="case.note")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_add_note(actor=request.user, case=case, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return _done(request, case, _("Note added."), "#timeline")
    return _case_page(request, case, status=400, note_form=form)


@never_cache
@login_required
@require_POST
def case_risk_view(request, case_id):
    case = selectors.case_for(request.user, case_id, action="case.edit")
    form = RiskForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_risk(actor=request.user, case=case, risk_level=form.cleaned_data["risk_level"],
                                   reasons=form.cleaned_data["reasons"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return _done(request, case, _("Risk updated."))
    return _case_page(request, case, status=400, risk_form=form)


@never_cache
@login_required
@require_POST
def case_summary_view(request, case_id):
    case = selectors.case_for(request.user, case_id, action="case.edit")
    form = SummaryForm(request.POST)
    if form.is_valid():
        services.case_update_summary(actor=request.user, case=case, summary=form.cleaned_data["summary"])
        return _done(request, case, _("Summary saved."))
    return _case_page(request, case, status=400, summary_form=form)


@never_cache
@login_required
@require_POST
def case_assign_view(request, case_id):
    case = selectors.case_for(request.user, case_id, action="case.assign")
    form = AssignForm(request.POST, **_assignment_choices(case))
    if form.is_valid():
        try:
            services.case_assign(actor=request.user, case=case, assignees=form.cleaned_data["assignees"],
                                 team=form.cleaned_data["team"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return _done(request, case, _("Assignment saved."))
    return _case_page(request, case, status=400, assign_form=form)


# --- moving the case along the journey ----------------------------------------------------------

@never_cache
@login_required
@require_POST
def case_move_view(request, case_id):
    """Ask for a move; applied at once, or waiting for a second person when the move needs one."""
    case = selectors.case_for(request.user, case_id, action="case.transition")
    target = request.POST.get("to", "")
    t = workflow.transition(case.status, target)
    if t is None:  # a stale page, or a crafted post: say what is possible from here
        try:
            services.case_transition(actor=request.user, case=case, to_status=target)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
        return redirect("cases:detail", case_id=case.pk)
    form = MoveForm(request.POST, transition=t, case=case)
    if form.is_valid():
        try:
            record = services.case_transition(actor=request.user, case=case, to_status=t.target,
                                              reason=form.cleaned_data["reason"], data=form.move_data())
        except TransitionNotAllowed as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            if record.pending:
                return _done(request, case, _("The move to %(to)s waits for a second person's confirmation.")
                             % {"to": t.label()})
            return _done(request, case, _("Case moved to %(to)s.") % {"to": t.label()})
    if not can(request.user, "case.view", case):
        raise Http404()
    return _case_page(request, case, status=400, move_form=form)


@never_cache
@login_required
@require_POST
def case_move_confirm_view(request, case_id, transition_id):
    case = selectors.case_for(request.user, case_id, action="case.transition")
    move = selectors.case_move_for(request.user, case, transition_id)
    try:
        services.case_transition_confirm(actor=request.user, transition=move)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", case_id=case.pk)
    return _done(request, case, _("Confirmed: case moved to %(to)s.") % {"to": workflow.status_label(move.target)})


@never_cache
@login_required
@require_POST
def case_move_reject_view(request, case_id, transition_id):
    case = selectors.case_for(request.user, case_id, action="case.transition")
    move = selectors.case_move_for(request.user, case, transition_id)
    form = MoveDecisionForm(request.POST)
    form.is_valid()
    try:
        services.case_transition_reject(actor=request.user, transition=move,
                                        reason=form.cleaned_data.get("reason", ""))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", case_id=case.pk)
    return _done(request, case, _("The move to %(to)s was turned down; the case stays where it is.")
                 % {"to": workflow.status_label(move.target)})


# --- the pipeline -------------------------------------------------------------------------------

@never_cache
@login_required
def pipeline_view(request):
    """Cases per stage and time in stage, for the cases the viewer may see: a chart and its table."""
    require(request.user, "case.pipeline")
    from .charts import pipeline_chart

    stages = selectors.pipeline(request.user)
    return render(request, "cases/pipeline.html", {
        "stages": stages, "total": sum(s.count for s in stages),
        "chart": pipeline_chart(stages),
    })
