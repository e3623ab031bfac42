from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case

WIDE = {"rows": 4}


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply through the help page"), max_length=5000,
                           help_text=_("Only the person with the codename can read it. Never name staff, places or routes."),
                           widget=forms.Textarea(attrs=WIDE))


class ConvertForm(forms.Form):
    """Pre-filled from the request: the worker confirms or corrects, never retypes."""

    full_name = forms.CharField(label=_("Name"), max_length=300, required=False)
    current_location = forms.CharField(label=_("Where they are"), max_length=300, required=False)
    person_notes = forms.CharField(label=_("Notes about the person"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(label=_("What is happening"), required=False, widget=forms.Textarea(attrs=WIDE))
    risk_level = forms.ChoiceField(label=_("Risk"), choices=Case.RISK_CHOICES)
    risk_reasons = forms.CharField(label=_("Why this risk"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
