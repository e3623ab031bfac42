"""Forms for referrals. The packet form is built from the programme: it has exactly its fields."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import vocabulary as V


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


def _line():
    return forms.TextInput(attrs={"autocomplete": "off"})


class _ProgrammeChoice(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._programmes = {p.code: p for p in programmes}
        self.fields["programme"].choices = [(p.code, f"{p.label()} ({p.country_label()})") for p in programmes]

    def clean_programme(self):
        return self._programmes[self.cleaned_data["programme"]]


class NewReferralForm(_ProgrammeChoice):
    pass


class ConsentForm(_ProgrammeChoice):
    note = forms.CharField(label=_("How the person gave consent"), required=False, widget=_area(2),
                           help_text=_("For example: by voice on a Signal call, 12 May, with an interpreter. "
                                       "Stored encrypted."))


class PacketForm(forms.Form):
    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        for code in programme.fields:
            if code not in V.FIELDS:
                continue
            _labels, _source, widget = V.FIELDS[code]
            self.fields[code] = forms.CharField(label=V.field_label(code), required=False,
                                                widget=_area(4) if widget == "text" else _line())
        if programme.uses_rrf:
            self.fields["submission_category"] = forms.ChoiceField(
                label=_("Submission category"), required=False,
                choices=[("", "—")] + V.choices(V.SUBMISSION_CATEGORIES))
            self.fields["priority"] = forms.ChoiceField(label=_("Priority"), choices=V.choices(V.PRIORITIES))
            self.fields["linked_cases"] = forms.CharField(
                label=_("Linked cases"), required=False, widget=_area(2),
                help_text=_("References of related cases (one per line), e.g. a partner referred separately."))
            self.fields["principal_confidential"] = forms.CharField(
                label=_("Confidential section: principal applicant"), required=False, widget=_area(4),
                help_text=_("Appears only on the principal applicant's copy, never on family members' copies."))

    def packet_fields(self, programme) -> dict:
        return {code: self.cleaned_data.get(code, "") for code in programme.fields if code in self.fields}

    def rrf(self) -> dict | None:
        if "priority" not in self.fields:
            return None
        return {name: self.cleaned_data.get(name, "") for name in (
            "submission_category", "priority", "linked_cases", "principal_confidential")}


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, widget=_line())
    relationship = forms.ChoiceField(label=_("Relationship"), choices=[])
    date_of_birth = forms.CharField(label=_("Date of birth"), required=False, max_length=10, widget=_line(),
                                    help_text=_("As precise as known: 1990, 1990-05 or 1990-05-12."))
    confidential = forms.CharField(label=_("Confidential section"), required=False, widget=_area(3),
                                   help_text=_("Only on this person's own copy of the packet."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = V.choices(V.RELATIONSHIPS)


class SubmitForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Submit without recorded consent, because"), required=False, widget=_area(2),
        help_text=_("Coordinators only, when the person cannot be asked in time. Recorded in the audit log."))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=[])
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"},
                                                                              format="%Y-%m-%d"))
    reason_code = forms.ChoiceField(label=_("Reason given"), required=False, choices=[])
    reason = forms.CharField(label=_("Reason in the programme's words"), required=False, widget=_area(3),
                             help_text=_("Stored encrypted; only the reason code above is counted."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = V.choices(V.OUTCOMES)
        self.fields["reason_code"].choices = [("", "—")] + V.choices(V.REASON_CODES)


class FiguresForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(label=_("Within (days)"), required=False, min_value=1, max_value=3650, initial=90)
    then = forms.IntegerField(label=_("And the following (days)"), required=False, min_value=1, max_value=3650,
                              initial=7)
