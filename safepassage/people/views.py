"""Staff pages for people: record, read, edit, attach documents, shred.

Thin by design: access through ``person_for`` (one 404 for missing and forbidden, audited), writes
through the services. Pages are never cached by the browser: a stolen laptop keeps no copies.
"""
from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases.selectors import cases_of_person
from safepassage.core.forms import form_add_service_errors
from safepassage.policy.rules import can, membership, require

from . import selectors, services
from .forms import AttachmentForm, PersonDeleteForm, PersonForm, SealedUploadHandler
from .models import Person


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request):
    require(request.user, "person.create")
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, organisation=membership(request.user).organisation,
                                            data=form.to_data())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Person recorded as %(ref)s.") % {"ref": person.reference})
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@never_cache
@login_required
def person_detail_view(request, person_id):
    person = selectors.person_for(request.user, person_id)
    return _person_page(request, person)


def _person_page(request, person, *, upload_form=None, status=200):
    return render(request, "people/person_detail.html", {
        "person": person,
        "gender_label": dict(Person.GENDER_CHOICES).get(person.gender, ""),
        "cases": cases_of_person(request.user, person),
        "attachments": selectors.attachments_of(person),
        "upload_form": upload_form or AttachmentForm(),
        "may_edit": can(request.user, "person.edit", person),
        "may_delete": can(request.user, "person.delete", person),
        "may_open_case": can(request.user, "case.create"),
    }, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request, person_id):
    person = selectors.person_for(request.user, person_id, action="person.edit")
    form = PersonForm(request.POST if request.method == "POST" else None,
                      initial=PersonForm.initial_from(services.person_data(person)))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.person_update(actor=request.user, person=person, data=form.to_data())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@never_cache
@csrf_exempt  # the upload handler must be set before the body is read; csrf_protect runs below
@login_required
@require_POST
def attachment_upload_view(request, person_id):
    handler = SealedUploadHandler(request)
    request.upload_handlers = [handler]
    return _attachment_upload(request, person_id, handler)


@csrf_protect
def _attachment_upload(request, person_id, handler):
    person = selectors.person_for(request.user, person_id, action="person.edit")
    form = AttachmentForm(request.POST, request.FILES, too_large=handler.too_large)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_upload(actor=request.user, person=person, filename=upload.name,
                                       content=upload.read())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("The file is attached."))
            return redirect("people:detail", person_id=person.pk)
    return _person_page(request, person, upload_form=form, status=400)


@never_cache
@login_required
def attachment_download_view(request, person_id, attachment_id):
    person = selectors.person_for(request.user, person_id)
    attachment = selectors.attachment_for(person, attachment_id)
    content = services.attachment_read(actor=request.user, attachment=attachment)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type or "application/octet-stream")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_delete_view(request, person_id):
    person = selectors.person_for(request.user, person_id, action="person.delete")
    form = PersonDeleteForm(request.POST if request.method == "POST" else None, expected=person.reference)
    if request.method == "POST" and form.is_valid():
        reference = person.reference
        services.person_delete(actor=request.user, person=person)
        messages.success(request, _("%(ref)s and everything recorded about them are destroyed.") % {"ref": reference})
        return redirect("cases:list")
    return render(request, "people/person_confirm_delete.html", {
        "person": person, "form": form, "case_count": person.cases.count(),
        "attachment_count": person.attachments.count()})
