"""Forms for travel plans. Times are entered in UTC (the server's and the audit log's clock)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CheckIn, TravelLeg, TravelPlan

_WHEN = {"type": "datetime-local"}
_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


def _text():
    return forms.TextInput(attrs={"autocomplete": "off"})


def _when(label):
    return forms.DateTimeField(label=label, required=False, input_formats=_FORMATS,
                               widget=forms.DateTimeInput(attrs=_WHEN, format="%Y-%m-%dT%H:%M"))


class LegForm(forms.Form):
    mode = forms.ChoiceField(label=_("How"), choices=TravelLeg.MODE_CHOICES)
    origin = forms.CharField(label=_("From"), max_length=300, widget=_text())
    destination = forms.CharField(label=_("To"), max_length=300, widget=_text())
    departs_at = _when(_("Departs (UTC)"))
    arrives_at = _when(_("Arrives (UTC)"))
    escort = forms.CharField(label=_("Escort"), required=False, max_length=300, widget=_text(),
                             help_text=_("Stored encrypted. Only those working on this plan see it."))
    documents = forms.CharField(label=_("Documents needed"), required=False, widget=_area(2))
    notes = forms.CharField(label=_("Notes"), required=False, widget=_area(3))


class CheckInForm(forms.Form):
    kind = forms.ChoiceField(label=_("Check-in"), choices=CheckIn.KIND_CHOICES)
    expected_at = forms.DateTimeField(label=_("Expected by (UTC)"), input_formats=_FORMATS,
                                      widget=forms.DateTimeInput(attrs=_WHEN, format="%Y-%m-%dT%H:%M"))
    label = forms.CharField(label=_("What exactly (for “Other”)"), required=False, max_length=200, widget=_text())


class ReceiveForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=_text())


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Plan status"), choices=TravelPlan.STATUS_CHOICES)
    on = forms.DateField(label=_("Negotiated on"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class PlanNotesForm(forms.Form):
    notes = forms.CharField(label=_("Notes on the plan"), required=False, widget=_area(4))


class AssignForm(forms.Form):
    coordinator = forms.ChoiceField(label=_("Travel coordinator"), required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._users = {str(u.pk): u for u in users}
        self.fields["coordinator"].choices = [("", _("Nobody"))] + [(pk, u.username) for pk, u in self._users.items()]

    def clean_coordinator(self):
        return self._users.get(self.cleaned_data.get("coordinator") or "")


class SettingsForm(forms.Form):
    grace = forms.IntegerField(label=_("Minutes of silence before an alarm"), min_value=5, max_value=7 * 24 * 60,
                               help_text=_("After a check-in's expected time. The default is 120 minutes."))
