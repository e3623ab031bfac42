"""The task form: typed words are sealed, so the browser is asked not to remember them."""
from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What needs doing"), max_length=500,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}),
                            help_text=gettext_lazy("Stored encrypted."),
                            error_messages={"required": gettext_lazy("Say what needs doing.")})
    due = forms.DateField(label=gettext_lazy("Due by"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ChoiceField(label=gettext_lazy("For"), required=False)
    urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._users = {str(u.pk): u for u in users}
        self.fields["assignee"].choices = [("", _("Nobody yet"))] + [(pk, u.username) for pk, u in self._users.items()]

    def clean_assignee(self):
        return self._users.get(self.cleaned_data.get("assignee") or "")

    def due_at(self):
        """End of the chosen day, UTC (the team works across time zones: a day's work is due by its end)."""
        day = self.cleaned_data.get("due")
        return datetime.combine(day, time(23, 59), tzinfo=UTC) if day else None
