"""Forms for testimonies. Choices come from the organisation's vocabularies, labelled in the
page's language; what a form holds is handed to the services as dataclasses."""
from __future__ import annotations

import io

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext_lazy as _

from safepassage.policy.rules import membership

from . import selectors, vocabulary
from .services import IncidentData, TestimonyData, attachment_max_bytes


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TestimonyForm(forms.Form):
    interviewee_reference = forms.CharField(
        label=_("Person in the system (reference)"), required=False, max_length=20,
        help_text=_("Optional: the person's reference, e.g. P-123456. Leave empty to use a pseudonym only."))
    pseudonym = forms.CharField(label=_("Pseudonym"), required=False, max_length=120,
                                help_text=_("A made-up name used in all notes about this testimony."))
    interview_date = forms.DateField(label=_("Interview date"), widget=forms.DateInput(attrs={"type": "date"}))
    interviewer = forms.ChoiceField(label=_("Interviewer"))
    language = forms.ChoiceField(label=_("Language of the interview"))
    narrative = forms.CharField(label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    interviewer_notes = forms.CharField(label=_("Interviewer's notes"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        organisation = membership(actor).organisation
        members = organisation.memberships.filter(is_active=True).select_related("user").order_by("user__username")
        self.fields["interviewer"].choices = [(str(m.user_id), m.user.username) for m in members]
        self.fields["interviewer"].initial = str(actor.pk)
        self.fields["language"].choices = [("", "—"), *vocabulary.choices(vocabulary.INTERVIEW_LANGUAGES)]
        self.person = None

    def clean_interviewee_reference(self):
        reference = self.cleaned_data.get("interviewee_reference", "").strip()
        if reference:
            self.person = selectors.person_for_reference(self.actor, reference)
            if self.person is None:
                raise forms.ValidationError(_("No person you may see has that reference."))
        return reference

    def interviewer_user(self):
        from safepassage.accounts.models import User

        return User.objects.filter(pk=self.cleaned_data["interviewer"]).first()

    def to_data(self) -> TestimonyData:
        d = self.cleaned_data
        return TestimonyData(interviewee_person_id=str(self.person.pk) if self.person else "",
                             pseudonym=d["pseudonym"], interview_date=d["interview_date"].isoformat(),
                             language=d["language"], narrative=d["narrative"],
                             interviewer_notes=d["interviewer_notes"])


class ConsentAtInterviewForm(forms.Form):
    public_report = forms.BooleanField(label=vocabulary.pick(vocabulary.CONSENT_USES["public_report"], "en"),
                                       required=False)
    named_bodies = forms.CharField(
        label=_("Bodies it may be shared with, one a line"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. a prosecutor's office or a UN mechanism. Leave empty if the interviewee did not agree."))
    consent_note = forms.CharField(label=_("How consent was given"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_report"].label = vocabulary.pick(vocabulary.CONSENT_USES["public_report"])

    def bodies(self) -> list[str]:
        return _lines(self.cleaned_data.get("named_bodies", ""))


class IncidentForm(forms.Form):
    violation = forms.ChoiceField(label=_("Violation"))
    perpetrator = forms.ChoiceField(label=_("Perpetrator"))
    place = forms.ChoiceField(label=_("Place"))
    occurred_on = forms.CharField(label=_("When"), max_length=10,
                                  help_text=_("2017, 2017-03 or 2017-03-12: as precise as is known."))
    place_detail = forms.CharField(label=_("Exact place (sealed, never counted)"), required=False, max_length=300)
    description = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        for name, vocab in (("violation", vocabulary.VIOLATION), ("perpetrator", vocabulary.PERPETRATOR),
                            ("place", vocabulary.PLACE)):
            self.fields[name].choices = [("", "—"), *selectors.term_choices(organisation, vocab)]

    def to_data(self) -> IncidentData:
        d = self.cleaned_data
        return IncidentData(violation=d["violation"], perpetrator=d["perpetrator"], place=d["place"],
                            occurred_on=d["occurred_on"], place_detail=d["place_detail"],
                            description=d["description"])


class BaseIncidentFormSet(forms.BaseFormSet):
    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"organisation": self.organisation}

    @property
    def empty_form(self):
        return self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, organisation=self.organisation)

    def filled(self) -> list[IncidentData]:
        return [form.to_data() for form in self.forms if form.has_changed() and form.cleaned_data]


IncidentFormSet = forms.formset_factory(IncidentForm, formset=BaseIncidentFormSet, extra=3, max_num=20)


class ConsentForm(forms.Form):
    use = forms.ChoiceField(label=_("Use"))
    granted = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Consent given")), ("no", _("Consent withdrawn / refused"))])
    bodies = forms.CharField(label=_("Named bodies, one a line"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("How it was given or withdrawn"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["use"].choices = vocabulary.choices(vocabulary.CONSENT_USES)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Audio, photo or document"), required=False)

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        if self.too_large:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {
                "mb": attachment_max_bytes() // (1024 * 1024)})
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError(_("Choose a file."))
        return upload


class InMemoryUploadHandler(FileUploadHandler):
    """One uploaded file kept in memory only (never a clear temporary file on disk), size-limited."""

    def __init__(self, request=None):
        super().__init__(request)
        self.max_bytes = attachment_max_bytes()
        self.too_large = False
        self.files_seen = 0
        self.buffer = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > 1:
            raise SkipFile()
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.buffer is None or start + len(raw_data) > self.max_bytes:
            self.too_large = self.buffer is not None or self.too_large
            self.buffer = None
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(self.buffer, self.field_name, self.file_name, self.content_type, file_size,
                                    self.charset, self.content_type_extra)


class TermForm(forms.Form):
    vocabulary = forms.ChoiceField(label=_("Vocabulary"), choices=[
        (vocabulary.VIOLATION, _("Violation types")), (vocabulary.PERPETRATOR, _("Perpetrator types")),
        (vocabulary.PLACE, _("Places"))])
    label_en = forms.CharField(label=_("Label in English"), max_length=120)
    label_ru = forms.CharField(label=_("Label in Russian"), max_length=120, required=False)
    label_fr = forms.CharField(label=_("Label in French"), max_length=120, required=False)
    parent = forms.ChoiceField(label=_("Region (places only)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *vocabulary.choices(vocabulary.REGIONS)]


class DeleteForm(forms.Form):
    reference = forms.CharField(label=_("Type the testimony's reference to confirm"), max_length=20)

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip().upper()
        if value != self.expected:
            raise forms.ValidationError(_("That is not this testimony's reference."))
        return value
