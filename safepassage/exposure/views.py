"""Staff pages for the exposure graph and incidents. Thin: selectors read (audited, one 404 for
missing and forbidden), services write, policy decides. Every change is a POST; a person is found
by reference through a POST too, so nothing about anyone travels in a URL's query string."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.core.forms import form_add_service_errors
from safepassage.people.selectors import person_for
from safepassage.policy.rules import can, membership, require

from . import selectors, services
from . import vocabulary as V
from .forms import ConnectionForm, ExposureForm, FindPersonForm, KnowledgeForm, ResolveForm, SettingsForm

_KINDS = {"house": V.LINK_HOUSE, "plan": V.LINK_PLAN, "staff": V.LINK_STAFF}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def index_view(request):
    require(request.user, "exposure.list")
    form = FindPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = selectors.person_by_reference(request.user, form.cleaned_data["reference"])
        if person is not None:
            return redirect("exposure:person", person_id=person.pk)
        form.add_error("reference", _("None of the people you work with has this reference."))
    return render(request, "exposure/index.html", {
        "incidents": selectors.incident_list(request.user),
        "form": form,
        "may_configure": can(request.user, "exposure.settings"),
    })


@never_cache
@login_required
def incident_view(request, incident_id):
    incident = selectors.incident_for(request.user, incident_id)
    return render(request, "exposure/incident.html", {
        "page": selectors.incident_page(request.user, incident),
        "resolve_form": ResolveForm(),
    })


@never_cache
@login_required
@require_POST
def acknowledge_view(request, incident_id, item_id):
    incident = selectors.incident_for(request.user, incident_id)
    item = selectors.item_for(request.user, incident, item_id)
    services.incident_item_acknowledge(actor=request.user, item=item)
    return redirect("exposure:incident", incident_id=incident.pk)


@never_cache
@login_required
@require_POST
def resolve_view(request, incident_id, item_id):
    incident = selectors.incident_for(request.user, incident_id)
    item = selectors.item_for(request.user, incident, item_id)
    form = ResolveForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    services.incident_item_resolve(actor=request.user, item=item, resolution=resolution)
    return redirect("exposure:incident", incident_id=incident.pk)


def _person_page(request, person, *, status=200, connect_form=None, knowledge_forms=None, expose_form=None):
    user = request.user
    choices = selectors.knowledge_choices(user)
    may_connect = can(user, "person.connect", person)
    forms = knowledge_forms or {}
    if may_connect:
        for code, kind in _KINDS.items():
            if choices.get(code) and code not in forms:
                forms[code] = KnowledgeForm(kind=kind, choices=choices[code], prefix=code)
    return render(request, "exposure/person.html", {
        "person": person,
        "graph": selectors.person_graph(user, person),
        "may_connect": may_connect,
        "may_expose": can(user, "person.expose", person),
        "connect_form": connect_form or ConnectionForm(),
        "knowledge_forms": forms,
        "expose_form": expose_form or ExposureForm(),
    }, status=status)


@never_cache
@login_required
def person_view(request, person_id):
    person = person_for(request.user, person_id)
    return _person_page(request, person)


@never_cache
@login_required
@require_POST
def connect_view(request, person_id):
    person = person_for(request.user, person_id, action="person.connect")
    form = ConnectionForm(request.POST)
    if form.is_valid():
        other = selectors.person_by_reference(request.user, form.cleaned_data["other"])
        if other is None:
            form.add_error("other", _("None of the people you work with has this reference."))
        else:
            data = form.cleaned_data
            try:
                services.connection_create(actor=request.user, person=person, other=other,
                                           relationship=data["relationship"], person_knows=data["person_knows"],
                                           other_knows=data["other_knows"], details=data["details"])
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Connection recorded."))
                return redirect("exposure:person", person_id=person.pk)
    return _person_page(request, person, status=400, connect_form=form)


def _remove_from_person(request, person_id, remove, done: str):
    """Remove one of a person's graph entries (`remove(person)`); gone already is the usual 404."""
    person = person_for(request.user, person_id, action="person.connect")
    try:
        remove(person)
    except ValidationError:
        raise Http404() from None
    messages.success(request, done)
    return redirect("exposure:person", person_id=person.pk)


@never_cache
@login_required
@require_POST
def disconnect_view(request, person_id, connection_id):
    return _remove_from_person(
        request, person_id,
        lambda person: services.connection_delete(actor=request.user, person=person, connection_id=connection_id),
        _("Connection removed; what was recorded about it is destroyed."))


@never_cache
@login_required
@require_POST
def knowledge_add_view(request, person_id, kind):
    person = person_for(request.user, person_id, action="person.connect")
    if kind not in _KINDS:
        raise Http404()
    choices = selectors.knowledge_choices(request.user).get(kind) or []
    form = KnowledgeForm(request.POST, kind=_KINDS[kind], choices=choices, prefix=kind)
    if form.is_valid():
        try:
            services.knowledge_add(actor=request.user, person=person, kind=_KINDS[kind],
                                   target=form.cleaned_data["target"], basis=form.cleaned_data["basis"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("exposure:person", person_id=person.pk)
    return _person_page(request, person, status=400, knowledge_forms={kind: form})


@never_cache
@login_required
@require_POST
def knowledge_remove_view(request, person_id, link_id):
    return _remove_from_person(
        request, person_id, lambda person: services.knowledge_remove(actor=request.user, person=person, link_id=link_id),
        _("Removed."))


@never_cache
@login_required
@require_POST
def expose_view(request, person_id):
    person = person_for(request.user, person_id, action="person.expose")
    form = ExposureForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, status=400, expose_form=form)
    incident = services.exposure_record(actor=request.user, person=person, kind=form.cleaned_data["kind"],
                                        notes=form.cleaned_data["notes"])
    # counts after a colon, so the sentence needs no plural forms in any language
    messages.success(request, _("Everyone and everything this person could name has been alerted. Cases: "
                                "%(cases)d; safe houses: %(houses)d; routes: %(routes)d; staff members: %(staff)d.")
                     % {"cases": incident.case_count, "houses": incident.house_count,
                        "routes": incident.route_count, "staff": incident.staff_count})
    return redirect("exposure:incident", incident_id=incident.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    require(request.user, "exposure.settings")
    current = services.exposure_settings(membership(request.user).organisation_id)
    initial = {"depth": current.depth}
    initial.update({f"hop_{i + 1}": risk for i, risk in enumerate(current.hop_risks or current.DEFAULT_HOP_RISKS)})
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.exposure_settings_update(actor=request.user, depth=form.cleaned_data["depth"],
                                              hop_risks=form.hop_risks())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Exposure settings saved."))
            return redirect("exposure:settings")
    return render(request, "exposure/settings.html", {"form": form})
