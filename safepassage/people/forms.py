"""Forms for the person pages. Every field is optional: a person may have no phone, papers or birth date.

Free-text lists (names, phones, messengers) are one item a line, so the pages work without scripts.
Values are checked again by ``PersonData.clean`` in the service; its errors land on the same fields.
"""
from __future__ import annotations

import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Person
from .services import ATTACHMENT_MAX_BYTES, PersonData


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _text(**attrs):
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


def _area(rows: int, **attrs):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off", **attrs})


class PersonForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), required=False, widget=_text(),
                                help_text=gettext_lazy("In any script, as the person writes it."))
    other_names = forms.CharField(label=gettext_lazy("Other names"), required=False, widget=_area(3),
                                  help_text=gettext_lazy("Spellings, nicknames, patronymic forms: one per line."))
    date_of_birth = forms.CharField(label=gettext_lazy("Date of birth"), required=False, max_length=20,
                                    widget=_text(inputmode="numeric"),
                                    help_text=gettext_lazy("As much as is known: 1990, 1990-05, 1990-05-12 "
                                                           "or 12.05.1990."))
    gender = forms.ChoiceField(label=gettext_lazy("Gender"), required=False, choices=Person.GENDER_CHOICES)
    gender_self_described = forms.CharField(
        label=gettext_lazy("Gender in the person's own words"), required=False, max_length=200, widget=_text(),
        help_text=gettext_lazy("Kept when “Self-described” is chosen (or when no gender is chosen)."))
    phones = forms.CharField(label=gettext_lazy("Phone numbers"), required=False, widget=_area(2),
                             help_text=gettext_lazy("One per line, in any format."))
    messengers = forms.CharField(label=gettext_lazy("Messengers"), required=False, widget=_area(2),
                                 help_text=gettext_lazy("One per line as “App: handle”, e.g. “Signal: @name”."))
    current_location = forms.CharField(label=gettext_lazy("Current location"), required=False, max_length=300,
                                       widget=_text())
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=_area(5))

    @classmethod
    def initial_from(cls, data: PersonData) -> dict:
        return {
            "full_name": data.full_name,
            "other_names": "\n".join(data.other_names or []),
            "date_of_birth": data.date_of_birth,
            "gender": data.gender,
            "gender_self_described": data.gender_self_described,
            "phones": "\n".join(data.phones or []),
            "messengers": "\n".join(f"{m.get('app', '')}: {m.get('handle', '')}" for m in data.messengers or []),
            "current_location": data.current_location,
            "notes": data.notes,
        }

    def clean_messengers(self) -> list[dict]:
        parsed = []
        for line in _lines(self.cleaned_data.get("messengers", "")):
            app, colon, handle = line.partition(":")
            if not colon or not app.strip() or not handle.strip():
                raise forms.ValidationError(
                    _("Write each messenger on its own line as “App: handle”, e.g. “Signal: @name”."))
            parsed.append({"app": app.strip(), "handle": handle.strip()})
        return parsed

    def clean(self):
        cleaned = super().clean()
        described = (cleaned.get("gender_self_described") or "").strip()
        gender = cleaned.get("gender") or ""
        if described and gender == "":
            cleaned["gender"] = "self"
        elif described and gender != "self":
            self.add_error("gender_self_described",
                           _("Choose “Self-described” as the gender to keep these words, or clear them."))
        # The service's own checks (dates, phones), run now so every problem shows at once.
        try:
            self._data(cleaned).clean()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)
        return cleaned

    def to_data(self) -> PersonData:
        return self._data(self.cleaned_data)

    @staticmethod
    def _data(c: dict) -> PersonData:
        return PersonData(
            full_name=c.get("full_name", ""),
            other_names=_lines(c.get("other_names", "")),
            date_of_birth=c.get("date_of_birth", ""),
            gender=c.get("gender", ""),
            gender_self_described=c.get("gender_self_described", ""),
            phones=_lines(c.get("phones", "")),
            messengers=c.get("messengers", []),
            current_location=c.get("current_location", ""),
            notes=c.get("notes", ""),
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False,
                           help_text=gettext_lazy("PDF, JPEG, PNG or plain text; at most 20 MB. "
                                                  "It is stored encrypted."))

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        if self.too_large:
            raise forms.ValidationError(_("A file can be at most %(mb)s MB.") % {
                "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)})
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError(_("Choose a file to attach."))
        return upload


class SealedUploadHandler(FileUploadHandler):
    """Keeps one uploaded file in memory, never in a temporary file, and refuses more than the limit.

    Threat: Django writes uploads above 2.5 MB to a temporary file in the clear; on a seized
    server a deleted temporary file can be recovered. Here the plaintext lives only in memory
    until it is sealed; a larger file is skipped (and reported) instead of being buffered.
    """

    def __init__(self, request=None, max_bytes: int = ATTACHMENT_MAX_BYTES):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.files_seen = 0
        self.buffer = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > 1:  # one file per request: memory stays bounded
            raise SkipFile()
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.too_large = True
            self.buffer = None
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(file=self.buffer, field_name=self.field_name, name=self.file_name,
                                    content_type=self.content_type, size=file_size, charset=self.charset,
                                    content_type_extra=self.content_type_extra)


class PersonDeleteForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("To confirm, type the reference of this person"), max_length=20,
                                widget=_text())

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_reference(self):
        typed = self.cleaned_data["reference"].strip().upper()
        if typed != self.expected.upper():
            raise forms.ValidationError(_("That reference does not match. Type it as shown above."))
        return typed
