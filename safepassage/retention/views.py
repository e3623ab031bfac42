"""The retention page: what the next run will shred (references only) and the organisation's period."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from safepassage.policy.rules import can, membership, require

from . import services
from .forms import RetentionForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def retention_view(request):
    require(request.user, "retention.view")
    organisation = membership(request.user).organisation
    policy = services.retention_policy_for(organisation)
    may_manage = can(request.user, "retention.manage")
    form = RetentionForm(initial={"days_after_closing": policy.days_after_closing})
    if request.method == "POST":
        require(request.user, "retention.manage")
        form = RetentionForm(request.POST)
        if form.is_valid():
            try:
                services.retention_policy_set(actor=request.user, organisation=organisation,
                                              days=form.cleaned_data["days_after_closing"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Retention saved."))
                return redirect("retention:preview")
    due = services.retention_preview(request.user)
    return render(request, "retention/preview.html", {
        "policy": policy, "form": form, "may_manage": may_manage, "due": due,
        "to_shred": [d for d in due if not d.held], "held": [d for d in due if d.held],
    }, status=400 if form.errors else 200)
