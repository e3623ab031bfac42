"""Forms for arrival and settlement."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PlanItem, SupportPayment


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


def _date(label, required=True):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ArrivalForm(forms.Form):
    arrived_on = _date(_("Arrived on"))
    country = forms.CharField(label=_("Country (two-letter code)"), max_length=2, min_length=2,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "size": 3}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=_area(3),
                            help_text=_("Stored encrypted."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"arrived_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ItemForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=PlanItem.AREA_CHOICES)
    description = forms.CharField(label=_("What is needed"), required=False, widget=_area(2),
                                  help_text=_("Stored encrypted."))
    due_on = _date(_("Due by"), required=False)


class ItemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("State"), choices=PlanItem.STATUS_CHOICES)
    description = forms.CharField(label=_("What is needed"), required=False, widget=_area(2))


class PaymentForm(forms.Form):
    paid_on = _date(_("Paid on"))
    amount = forms.CharField(label=_("Amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}))
    purpose = forms.ChoiceField(label=_("For"), choices=SupportPayment.PURPOSE_CHOICES)
    recipient = forms.CharField(label=_("Paid to"), required=False, max_length=300,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                help_text=_("Stored encrypted."))
    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CheckInScheduleForm(forms.Form):
    scheduled_on = _date(_("Check-in on"))


class CheckInDoneForm(forms.Form):
    notes = forms.CharField(label=_("How the person is doing"), required=False, widget=_area(2),
                            help_text=_("Stored encrypted."))


class WorkerForm(forms.Form):
    worker = forms.ChoiceField(label=_("Settlement worker"), required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._users = {str(u.pk): u for u in users}
        self.fields["worker"].choices = [("", _("Nobody"))] + [(pk, u.username) for pk, u in self._users.items()]

    def clean_worker(self):
        return self._users.get(self.cleaned_data.get("worker") or "")
