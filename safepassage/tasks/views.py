"""My work (the tasks on my plate, by risk then due date), and creating and completing tasks.

Thin: tasks come through the selectors (audited), changes through the services; authorisation is the
policy's. A task's words are sealed and never travel in a URL.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safepassage.cases.selectors import assignable_users, case_for
from safepassage.policy.rules import require

from . import selectors, services
from .forms import TaskForm


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return redirect(target)
    return redirect(default)


@never_cache
@login_required
def my_work_view(request):
    require(request.user, "task.list")
    tasks = selectors.tasks_for_user(request.user)
    return render(request, "tasks/my_work.html", {
        "tasks": tasks, "overdue": sum(1 for t in tasks if t.is_overdue),
    })


@never_cache
@login_required
@require_POST
def task_done_view(request, task_id):
    task = selectors.task_for(request.user, task_id)
    services.task_complete(actor=request.user, task=task)
    messages.success(request, _("Task done."))
    return _back(request, reverse("tasks:my_work"))


@never_cache
@login_required
@require_POST
def task_create_view(request, case_id):
    case = case_for(request.user, case_id, action="case.task")
    form = TaskForm(request.POST, users=assignable_users(case.organisation))
    if form.is_valid():
        try:
            services.task_create(actor=request.user, case=case, title=form.cleaned_data["title"],
                                 due_at=form.due_at(), assignee=form.cleaned_data["assignee"],
                                 urgent=form.cleaned_data["urgent"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Task added."))
            return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#tasks")
    return render(request, "tasks/task_form.html", {"form": form, "case": case}, status=400)
