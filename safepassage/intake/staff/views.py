"""The triage inbox for intake workers: read (audited), reply, mark, turn into a person and a case."""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.intake import choices, selectors, services
from safepassage.people.services import PersonData
from safepassage.policy.rules import can, membership, require

from .forms import ConvertForm, ReplyForm


def _deliver_waiting(user) -> None:
    """Follow-ups that arrived while sealed land on their cases now that the key is here."""
    member = membership(user)
    if member is not None:
        services.followups_deliver(actor=user, organisation=member.organisation)


def _case_url(case):
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return None


def _uuid(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.UUID(int=0)  # matches nothing: the service answers "choose the case or the earlier request"


@login_required
def inbox_view(request):
    require(request.user, "intake.triage")
    organisation = membership(request.user).organisation
    services.intake_key_ensure(actor=request.user, organisation=organisation)
    _deliver_waiting(request.user)
    box = selectors.inbox(request.user, status=request.GET.get("status", "pending"),
                          page_number=request.GET.get("page", 1))
    return render(request, "intake/staff/inbox.html", {
        "box": box, "urgency_labels": dict(choices.URGENCY_CHOICES), "statuses": [
            ("pending", _("To triage"))] + [(c, label) for c, label in services.HelpRequest.STATUS_CHOICES
                                            if c not in services.HelpRequest.PENDING]})


def _detail(request, help_request, *, reply_form=None, convert_form=None, status=200):
    payload = services.request_payload(help_request)
    if convert_form is None and payload is not None and help_request.status != help_request.CONVERTED:
        defaults = services.conversion_defaults(payload, choices.labels())
        convert_form = ConvertForm(initial={
            "full_name": defaults.person.full_name, "current_location": defaults.person.current_location,
            "person_notes": defaults.person.notes, "summary": defaults.summary,
            "risk_level": defaults.risk_level, "risk_reasons": defaults.risk_reasons})
    case = help_request.case
    dup_cases, dup_requests = ([], [])
    if help_request.status != help_request.CONVERTED and not case:
        dup_cases, dup_requests = services.duplicate_choices(request.user, help_request)
    return render(request, "intake/staff/detail.html", {
        "req": help_request, "payload": payload, "thread": selectors.staff_thread(help_request, payload),
        "duplicate_of": help_request.duplicate_of, "duplicates": list(help_request.duplicates.defer(
            "sealed_request").order_by("received_at")),
        "dup_cases": dup_cases, "dup_requests": dup_requests,
        "labels": choices.labels(), "reply_form": reply_form or ReplyForm(), "convert_form": convert_form,
        "case": case, "case_url": _case_url(case) if case else None,
        "may_reply": not case or can(request.user, "case.note", case),
        "marks": [(services.HelpRequest.SPAM, _("Spam")), (services.HelpRequest.ENTRAPMENT, _("Entrapment suspected")),
                  (services.HelpRequest.OPEN, _("Back to triage"))],
    }, status=status)


@login_required
def detail_view(request, request_id):
    _deliver_waiting(request.user)
    help_request = selectors.help_request_for(request.user, request_id)
    services.help_request_seen(actor=request.user, help_request=help_request)
    return _detail(request, help_request)


@login_required
@require_POST
def reply_view(request, request_id):
    help_request = selectors.help_request_for(request.user, request_id, action="intake.reply")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.help_request_reply(actor=request.user, help_request=help_request, body=form.cleaned_data["body"])
            messages.success(request, _("Reply sent. They will read it when they come back with their codename."))
            return redirect("intake:detail", request_id=help_request.pk)
        except ValidationError as exc:
            form.add_error("body", exc.messages[0])
    return _detail(request, help_request, reply_form=form, status=400)


@login_required
@require_POST
def mark_view(request, request_id):
    help_request = selectors.help_request_for(request.user, request_id, action="intake.triage")
    kind, _sep, target = request.POST.get("duplicate_of", "").partition(":")
    try:
        services.help_request_mark(actor=request.user, help_request=help_request, status=request.POST.get("status", ""),
                                   duplicate_of_case=_uuid(target) if kind == "case" else None,
                                   duplicate_of_request=_uuid(target) if kind == "request" else None)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("intake:detail", request_id=help_request.pk)
    messages.success(request, _("Marked. The person is not told."))
    return redirect("intake:inbox")


@login_required
@require_POST
def convert_view(request, request_id):
    help_request = selectors.help_request_for(request.user, request_id, action="intake.triage")
    form = ConvertForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        conversion = services.ConversionData(
            person=PersonData(full_name=data["full_name"], current_location=data["current_location"],
                              notes=data["person_notes"]),
            summary=data["summary"], risk_level=data["risk_level"], risk_reasons=data["risk_reasons"])
        try:
            case = services.help_request_convert(actor=request.user, help_request=help_request, data=conversion)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Case %(reference)s opened from the request.") % {"reference": case.reference})
            return redirect(_case_url(case) or reverse("intake:detail", args=[help_request.pk]))
    return _detail(request, help_request, convert_form=form, status=400)
