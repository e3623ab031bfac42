"""Forms for the exposure pages. Free text is sealed; nothing typed here travels in a URL."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case

from . import vocabulary as V
from .models import ExposureSettings


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


class FindPersonForm(forms.Form):
    reference = forms.CharField(label=_("Person reference"), max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "P-000123"}))


class ConnectionForm(forms.Form):
    other = forms.CharField(label=_("The other person's reference"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "P-000123"}))
    relationship = forms.ChoiceField(label=_("How they know each other"), choices=V.RELATIONSHIPS)
    person_knows = forms.MultipleChoiceField(label=_("What this person knows about the other"), required=False,
                                             choices=V.PERSON_KNOWLEDGE_CHOICES, widget=forms.CheckboxSelectMultiple)
    other_knows = forms.MultipleChoiceField(label=_("What the other person knows about this one"), required=False,
                                            choices=V.PERSON_KNOWLEDGE_CHOICES, widget=forms.CheckboxSelectMultiple)
    details = forms.CharField(label=_("Details"), required=False, widget=_area(2),
                              help_text=_("Stored encrypted, like everything about a connection."))


class KnowledgeForm(forms.Form):
    """What a person knows of a house, a route or a staff member. One choice list per kind."""

    target = forms.ChoiceField(label=_("What"))
    basis = forms.TypedChoiceField(label=_("How the person knows it"), coerce=int)

    def __init__(self, *args, kind: int, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["target"].choices = choices
        self.fields["target"].label = str(V.LINK_KINDS[kind]).capitalize()
        self.fields["basis"].choices = [(b, str(V.BASES[b]).capitalize()) for b in V.BASES_FOR[kind]]


class ExposureForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=V.EVENTS)
    notes = forms.CharField(label=_("What is known"), required=False, widget=_area(3),
                            help_text=_("Stored encrypted. Visible only to those who may see this person."))
    confirm = forms.BooleanField(label=_("Alert everyone this person could name, now"))


class SettingsForm(forms.Form):
    depth = forms.IntegerField(label=_("How many hops an exposure reaches"), min_value=1,
                               max_value=ExposureSettings.MAX_DEPTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for hop in range(1, ExposureSettings.MAX_DEPTH + 1):
            self.fields[f"hop_{hop}"] = forms.ChoiceField(
                label=_("Risk for people %(n)d hop(s) away") % {"n": hop}, choices=Case.RISK_CHOICES)

    def hop_risks(self) -> list[str]:
        return [self.cleaned_data[f"hop_{hop}"] for hop in range(1, ExposureSettings.MAX_DEPTH + 1)]


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), required=False, widget=_area(2),
                                 help_text=_("Stored encrypted."))
