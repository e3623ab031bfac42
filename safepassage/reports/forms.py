from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ReportForm(forms.Form):
    """The only choices a report offers: a period on the coarse lattice (one year or all) and the
    language. No free filters: see suppression.py for why."""

    year = forms.TypedChoiceField(label=_("Period"), required=False, coerce=int, empty_value=None)
    lang = forms.ChoiceField(label=_("Language of the report"), required=False, choices=settings.LANGUAGES)

    def __init__(self, *args, years, all_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", all_label), *[(str(y), str(y)) for y in years]]
