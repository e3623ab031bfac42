"""Forms for the case pages. Free text fields switch off browser autocomplete: a browser's form
history on a lost laptop must not hold names or searches."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Case

_ANY = [("", gettext_lazy("Any"))]


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


class _AssignmentFields(forms.Form):
    """Assignees and team, offered from the organisation's members and teams only."""

    assignees = forms.MultipleChoiceField(label=gettext_lazy("Assigned to"), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=gettext_lazy("Caseworkers and coordinators of your organisation."))
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)

    def __init__(self, *args, users=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._users = {str(u.pk): u for u in users}
        self._teams = {str(t.pk): t for t in teams}
        self.fields["assignees"].choices = [(pk, u.username) for pk, u in self._users.items()]
        self.fields["team"].choices = [("", _("No team"))] + [(pk, t.name) for pk, t in self._teams.items()]

    def clean_assignees(self) -> list:
        return [self._users[pk] for pk in self.cleaned_data.get("assignees", [])]

    def clean_team(self):
        return self._teams.get(self.cleaned_data.get("team") or "")


class CaseOpenForm(_AssignmentFields):
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, widget=_area(5),
                              help_text=gettext_lazy("What happened and what the person needs. Stored encrypted."))
    risk_level = forms.ChoiceField(label=gettext_lazy("Risk"), choices=Case.RISK_CHOICES, initial="medium")
    risk_reasons = forms.CharField(label=gettext_lazy("Why this risk"), required=False, widget=_area(3))

    field_order = ["summary", "risk_level", "risk_reasons", "assignees", "team"]

    def __init__(self, *args, may_assign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_assign:  # a caseworker's case is assigned to themselves by the service
            del self.fields["assignees"]
            del self.fields["team"]


class AssignForm(_AssignmentFields):
    pass


class CaseFilterForm(forms.Form):
    """Search and filters, always sent by POST: what is searched for never lands in a URL or a log."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
                        help_text=gettext_lazy("A case or person reference, any name (Cyrillic or Latin) or a phone."))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=_ANY + Case.STATUS_CHOICES)
    risk = forms.ChoiceField(label=gettext_lazy("Risk"), required=False, choices=_ANY + Case.RISK_CHOICES)
    mine = forms.BooleanField(label=gettext_lazy("Assigned to me"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("New note"), widget=_area(4),
                           error_messages={"required": gettext_lazy("The note is empty.")})


class RiskForm(forms.Form):
    risk_level = forms.ChoiceField(label=gettext_lazy("Risk"), choices=Case.RISK_CHOICES)
    reasons = forms.CharField(label=gettext_lazy("Why this risk"), required=False, widget=_area(3))


class SummaryForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, widget=_area(6))


class MoveForm(forms.Form):
    """One move of the case: its fields and reason, built from the workflow's table. Each move has its
    own prefix, so the page can offer several forms at once (the stage to move to travels as ``to``)."""

    def __init__(self, *args, transition, case, **kwargs):
        kwargs.setdefault("prefix", f"move-{transition.target}")
        super().__init__(*args, **kwargs)
        self.transition = transition
        for f in transition.required_fields():
            choices = f.choices_for(case)
            if choices is not None:
                self.fields[f.name] = forms.ChoiceField(label=f.label, help_text=f.help_text,
                                                        choices=[("", "—")] + list(choices))
            else:
                self.fields[f.name] = forms.CharField(label=f.label, help_text=f.help_text, max_length=200,
                                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
        self.fields["reason"] = forms.CharField(
            label=gettext_lazy("Reason"), required=transition.reason_required, widget=_area(3),
            help_text=gettext_lazy("Stored encrypted; shown on the case timeline."))

    def move_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class MoveDecisionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why not (optional)"), required=False, widget=_area(2))
