from django import forms
from django.utils.translation import gettext_lazy

from .models import MAX_DAYS, MIN_DAYS


class RetentionForm(forms.Form):
    days_after_closing = forms.IntegerField(
        label=gettext_lazy("Days to keep a case after it ended"), min_value=MIN_DAYS, max_value=MAX_DAYS,
        help_text=gettext_lazy("Then the case is shredded: its encrypted data cannot be recovered, backups included."))
