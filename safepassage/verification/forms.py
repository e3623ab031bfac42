from django import forms
from django.utils.translation import gettext_lazy

from .models import CheckResult


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


class CheckForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=CheckResult.OUTCOMES)
    note = forms.CharField(label=gettext_lazy("How it was checked"), required=False, widget=_area(2),
                           help_text=gettext_lazy("Stored encrypted."))


class VouchForm(forms.Form):
    referrer = forms.ChoiceField(label=gettext_lazy("Trusted referrer"))
    note = forms.CharField(label=gettext_lazy("What they said"), required=False, widget=_area(2),
                           help_text=gettext_lazy("Stored encrypted."))

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer"].choices = [("", "—")] + list(codes)


class ChecklistItemForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("New check"), max_length=200,
                            help_text=gettext_lazy("Name the check, never a person."))
    required = forms.BooleanField(label=gettext_lazy("Required before verifying"), required=False, initial=True)


class ReferrerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name or alias"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    contact = forms.CharField(label=gettext_lazy("How to reach them"), required=False, widget=_area(2))
    note = forms.CharField(label=gettext_lazy("Why they are trusted"), required=False, widget=_area(2))
