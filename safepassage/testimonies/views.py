"""Staff pages for testimonies. Thin: access through ``testimony_for`` (404 for missing and
forbidden, audited), writes through the services. Never cached by the browser."""
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

from safepassage.core.forms import form_add_service_errors
from safepassage.policy.rules import can, membership, require

from . import selectors, services, vocabulary
from .forms import (
    AttachmentForm,
    ConsentAtInterviewForm,
    ConsentForm,
    DeleteForm,
    IncidentForm,
    IncidentFormSet,
    InMemoryUploadHandler,
    TermForm,
    TestimonyForm,
)


@never_cache
@login_required
def testimony_list_view(request):
    require(request.user, "testimony.list")
    page = selectors.testimony_page(request.user, request.GET.get("page"))
    return render(request, "testimonies/testimony_list.html", {
        "page": page, "may_create": can(request.user, "testimony.create"),
        "may_manage_terms": can(request.user, "vocabulary.manage")})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def testimony_create_view(request):
    require(request.user, "testimony.create")
    organisation = membership(request.user).organisation
    data = request.POST or None
    form = TestimonyForm(data, actor=request.user)
    consent_form = ConsentAtInterviewForm(data)
    incidents = IncidentFormSet(data, organisation=organisation, prefix="incident")
    if request.method == "POST" and form.is_valid() and consent_form.is_valid() and incidents.is_valid():
        try:
            testimony = services.testimony_create(
                actor=request.user, data=form.to_data(), interviewer=form.interviewer_user(),
                incidents=incidents.filled(), public_report=consent_form.cleaned_data["public_report"],
                named_bodies=consent_form.bodies(), consent_note=consent_form.cleaned_data["consent_note"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Testimony recorded as %(ref)s.") % {"ref": testimony.reference})
            return redirect("testimonies:detail", testimony_id=testimony.pk)
    return render(request, "testimonies/testimony_form.html", {
        "form": form, "consent_form": consent_form, "incidents": incidents, "testimony": None})


def _labels(testimony) -> dict:
    org = testimony.organisation_id
    return {
        "violation": selectors.term_labels(org, vocabulary.VIOLATION),
        "perpetrator": selectors.term_labels(org, vocabulary.PERPETRATOR),
        "place": selectors.term_labels(org, vocabulary.PLACE),
        "precision": dict(vocabulary.choices(vocabulary.DATE_PRECISIONS)),
        "use": dict(vocabulary.choices(vocabulary.CONSENT_USES)),
        "language": dict(vocabulary.choices(vocabulary.INTERVIEW_LANGUAGES)),
        "kind": dict(vocabulary.choices(vocabulary.ATTACHMENT_KINDS)),
    }


def _detail(request, testimony, *, incident_form=None, consent_form=None, upload_form=None, status=200):
    labels = _labels(testimony)
    incidents = [{
        "obj": i, "violation": labels["violation"].get(i.violation, i.violation),
        "perpetrator": labels["perpetrator"].get(i.perpetrator, i.perpetrator),
        "place": labels["place"].get(i.place, i.place), "precision": labels["precision"].get(i.precision, ""),
    } for i in selectors.incidents_of(testimony)]
    consents = selectors.consents_of(testimony)
    current = [{"use": code, "label": label, "granted": getattr(testimony, f"consent_{code}")}
               for code, label in labels["use"].items()]
    attachments = [{"obj": a, "kind": labels["kind"].get(a.kind, a.kind)} for a in selectors.attachments_of(testimony)]
    may_edit = can(request.user, "testimony.edit", testimony)
    return render(request, "testimonies/testimony_detail.html", {
        "testimony": testimony, "incidents": incidents, "consents": consents, "current_consent": current,
        "use_labels": labels["use"], "language_label": labels["language"].get(testimony.language, ""),
        "attachments": attachments,
        "person_reference": selectors.person_reference(request.user, testimony.interviewee_person_id),
        "incident_form": incident_form or IncidentForm(organisation=testimony.organisation_id),
        "consent_form": consent_form or ConsentForm(), "upload_form": upload_form or AttachmentForm(),
        "may_edit": may_edit, "may_consent": can(request.user, "testimony.consent", testimony),
        "may_delete": can(request.user, "testimony.delete", testimony),
    }, status=status)


@never_cache
@login_required
def testimony_detail_view(request, testimony_id):
    testimony = selectors.testimony_for(request.user, testimony_id)
    return _detail(request, testimony)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def testimony_edit_view(request, testimony_id):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.edit")
    initial = {"interviewee_reference": selectors.person_reference(request.user, testimony.interviewee_person_id),
               "pseudonym": testimony.pseudonym, "interview_date": testimony.interview_date,
               "interviewer": str(testimony.interviewer_id or ""), "language": testimony.language,
               "narrative": testimony.narrative, "interviewer_notes": testimony.interviewer_notes}
    form = TestimonyForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.testimony_update(actor=request.user, testimony=testimony, data=form.to_data(),
                                      interviewer=form.interviewer_user())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("testimonies:detail", testimony_id=testimony.pk)
    return render(request, "testimonies/testimony_form.html", {"form": form, "testimony": testimony})


@never_cache
@login_required
@require_POST
def incident_add_view(request, testimony_id):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.edit")
    form = IncidentForm(request.POST, organisation=testimony.organisation_id)
    if form.is_valid():
        try:
            services.incident_add(actor=request.user, testimony=testimony, data=form.to_data())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Incident added."))
            return redirect("testimonies:detail", testimony_id=testimony.pk)
    return _detail(request, testimony, incident_form=form, status=400)


@never_cache
@login_required
@require_POST
def incident_remove_view(request, testimony_id, incident_id):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.edit")
    services.incident_remove(actor=request.user, incident=selectors.incident_for(testimony, incident_id))
    messages.success(request, _("Incident removed."))
    return redirect("testimonies:detail", testimony_id=testimony.pk)


@never_cache
@login_required
@require_POST
def consent_view(request, testimony_id):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.consent")
    form = ConsentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.consent_record(actor=request.user, testimony=testimony, use=d["use"], granted=d["granted"],
                                    bodies=[b.strip() for b in d["bodies"].splitlines()], note=d["note"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded. It applies from the next report on."))
            return redirect("testimonies:detail", testimony_id=testimony.pk)
    return _detail(request, testimony, consent_form=form, status=400)


@csrf_exempt  # the token is checked below, once the upload handler is in place
@never_cache
@login_required
@require_POST
def attachment_upload_view(request, testimony_id):
    handler = InMemoryUploadHandler(request)
    request.upload_handlers = [handler]
    return _attachment_upload(request, testimony_id, handler)


@csrf_protect
def _attachment_upload(request, testimony_id, handler):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.edit")
    form = AttachmentForm(request.POST, request.FILES, too_large=handler.too_large)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.testimony_attachment_add(actor=request.user, testimony=testimony, filename=upload.name,
                                              content=upload.read())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("The file is attached."))
            return redirect("testimonies:detail", testimony_id=testimony.pk)
    return _detail(request, testimony, upload_form=form, status=400)


@never_cache
@login_required
def attachment_download_view(request, testimony_id, attachment_id):
    testimony = selectors.testimony_for(request.user, testimony_id)
    attachment = selectors.attachment_for(testimony, attachment_id)
    content = services.testimony_attachment_read(actor=request.user, attachment=attachment)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type or "application/octet-stream")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def testimony_delete_view(request, testimony_id):
    testimony = selectors.testimony_for(request.user, testimony_id, action="testimony.delete")
    form = DeleteForm(request.POST or None, expected=testimony.reference)
    if request.method == "POST" and form.is_valid():
        services.testimony_delete(actor=request.user, testimony=testimony)
        messages.success(request, _("The testimony was destroyed."))
        return redirect("testimonies:list")
    return render(request, "testimonies/testimony_delete.html", {"testimony": testimony, "form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vocabulary_view(request):
    require(request.user, "vocabulary.manage")
    organisation = membership(request.user).organisation
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.term_add(actor=request.user, vocab=d["vocabulary"], parent=d["parent"],
                              labels={"en": d["label_en"], "ru": d["label_ru"], "fr": d["label_fr"]})
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Term added."))
            return redirect("testimonies:vocabulary")
    return render(request, "testimonies/vocabulary.html", {
        "form": form, "vocabularies": selectors.organisation_terms(organisation),
        "regions": dict(vocabulary.choices(vocabulary.REGIONS))})
