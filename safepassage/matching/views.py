"""Staff pages for duplicates: the review queue, two records side by side, merge / not / unmerge.

Thin by design: the queue shows references, scores and reasons only (no names); names appear on the
side-by-side page for one pair at a time, through an audited selector. Writes go through services.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import scoring, selectors, services
from .models import MatchSuggestion

REASON_LABELS = {
    scoring.NAME_SAME: gettext_lazy("Same name (spelling, nickname or word order aside)"),
    scoring.NAME_SIMILAR: gettext_lazy("Similar name"),
    scoring.NAME_PARTIAL: gettext_lazy("One name in common"),
    scoring.NAME_DIFFERS: gettext_lazy("Different names"),
    scoring.PATRONYMIC_SAME: gettext_lazy("Same patronymic"),
    scoring.PATRONYMIC_DIFFERS: gettext_lazy("Different patronymics"),
    scoring.DOB_SAME: gettext_lazy("Same date of birth"),
    scoring.DOB_COMPATIBLE: gettext_lazy("Dates of birth agree as far as both are known"),
    scoring.DOB_NEAR: gettext_lazy("Birth years one apart"),
    scoring.DOB_DIFFERS: gettext_lazy("Different dates of birth"),
    scoring.PHONE_SAME: gettext_lazy("Same phone number"),
    scoring.PHONE_DIFFERS: gettext_lazy("Different phone numbers"),
}
STATUSES = [code for code, _label in MatchSuggestion.STATUS_CHOICES]


def _labelled(suggestion: MatchSuggestion) -> list:
    return [REASON_LABELS.get(code, code) for code in suggestion.reasons]


@never_cache
@login_required
def queue_view(request):
    status = request.GET.get("status")
    status = status if status in STATUSES else MatchSuggestion.STATUS_OPEN
    page = Paginator(selectors.suggestions_for_review(request.user, status=status),
                     settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"suggestion": s, "reasons": _labelled(s)} for s in page]
    return render(request, "matching/queue.html", {
        "page": page, "rows": rows, "status": status, "statuses": MatchSuggestion.STATUS_CHOICES})


@never_cache
@login_required
def suggestion_view(request, suggestion_id):
    suggestion = selectors.suggestion_for(request.user, suggestion_id)
    sides = selectors.suggestion_compare(request.user, suggestion)
    merges = [side["merge"] for side in sides if side["merge"] is not None]
    return render(request, "matching/compare.html", {
        "suggestion": suggestion, "sides": sides, "reasons": _labelled(suggestion), "merges": merges,
        # the older record is kept by default: it is the one cases and staff already refer to
        "default_keep": min((s["person"] for s in sides), key=lambda p: p.created_at).pk,
    })


@login_required
@require_POST
def merge_view(request, suggestion_id):
    suggestion = selectors.suggestion_for(request.user, suggestion_id)
    people = {str(suggestion.person_a_id): suggestion.person_a, str(suggestion.person_b_id): suggestion.person_b}
    keep_id = request.POST.get("keep", "")
    if keep_id not in people or suggestion.status != MatchSuggestion.STATUS_OPEN:
        return HttpResponseBadRequest(_("Choose which record to keep."))
    keep = people.pop(keep_id)
    [merge] = people.values()
    try:
        services.person_merge(actor=request.user, keep=keep, merge=merge, suggestion=suggestion)
    except services.MergeNotAllowed:
        messages.error(request, _("These records cannot be merged now: one of them is already merged."))
    else:
        messages.success(request, _("%(merged)s is merged into %(keep)s.") % {
            "merged": merge.reference, "keep": keep.reference})
    return redirect("matching:suggestion", suggestion_id=suggestion.pk)


@login_required
@require_POST
def dismiss_view(request, suggestion_id):
    suggestion = selectors.suggestion_for(request.user, suggestion_id)
    try:
        services.suggestion_dismiss(actor=request.user, suggestion=suggestion)
    except services.MergeNotAllowed:
        messages.error(request, _("This suggestion was already decided."))
    else:
        messages.success(request, _("Marked as two different people."))
    return redirect("matching:queue")


@login_required
@require_POST
def unmerge_view(request, record_id):
    record = selectors.merge_record_for(request.user, record_id)
    try:
        services.person_unmerge(actor=request.user, merge_record=record)
    except services.MergeNotAllowed:
        messages.error(request, _("This merge cannot be undone now: undo the later merge of the kept record first."))
    else:
        messages.success(request, _("%(merged)s is a separate record again.") % {"merged": record.merged.reference})
    if record.suggestion_id:
        return redirect("matching:suggestion", suggestion_id=record.suggestion_id)
    return redirect("matching:queue")
