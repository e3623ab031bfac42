from django import forms
from django.utils.translation import gettext_lazy as _

from . import purposes as P


class FindCaseForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=24,
                                widget=forms.TextInput(attrs={"placeholder": "C-2026-00042"}))


class ConsentForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation the person agreed to share with"), coerce=int)
    note = forms.CharField(label=_("How and when the person agreed"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class ShareForm(forms.Form):
    recipient = forms.TypedChoiceField(label=_("Share with"), coerce=int)
    purpose = forms.ChoiceField(label=_("Purpose"))
    fields = forms.MultipleChoiceField(
        label=_("Fields to share"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick only what the purpose needs. Tick none to share the purpose's minimal set."))
    travel_documents = forms.ChoiceField(label=_("Travel document status"), choices=P.TRAVEL_DOCUMENTS,
                                         required=False)
    days = forms.TypedChoiceField(label=_("For"), choices=P.DAYS_CHOICES, coerce=int, initial=30)
    override_reason = forms.CharField(
        label=_("No recorded consent: why share anyway (override)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the person's consent cannot be recorded and the share protects them. Audited."))

    def __init__(self, *args, organisations=(), may_override=False, may_transfer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["purpose"].choices = [(code, label) for code, (label, _f) in P.PURPOSES.items()
                                          if may_transfer or code != P.TRANSFER]
        self.fields["fields"].choices = [(code, label) for code, label in P.FIELDS.items() if code != "pseudonym"]
        if not may_override:
            del self.fields["override_reason"]
