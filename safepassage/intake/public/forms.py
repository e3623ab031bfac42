"""The public forms. Only "what is happening" is required: nothing asks for a phone, a document
or a real name, so no one is turned away for lacking them."""
from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.intake.choices import CONTACT_CHOICES, LANGUAGE_CHOICES, URGENCY_CHOICES

WHAT_MAX = 4000


class _SharedFields(dict):
    """A form's fields, shared by its instances instead of deep-copied for each one."""

    def __deepcopy__(self, memo):
        return dict(self)


def fields_shared(form_class):
    """Django deep-copies every field and widget for each form instance, so that an instance may
    change its own; on a visitor's submission that copy cost three times the validation. These
    public forms never change a field after the class is built (no per-request choices, attributes
    or labels), so their instances share the class's fields. Keep it that way, or drop this."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


@fields_shared
class RequestForm(forms.Form):
    what = forms.CharField(
        label=_("What is happening?"), max_length=WHAT_MAX,
        help_text=_("In your own words. No addresses, and no full names of other people unless they are needed."),
        error_messages={"required": _("Tell us in a few words what is happening.")},
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": WHAT_MAX}))
    urgency = forms.ChoiceField(label=_("How urgent is it?"), choices=URGENCY_CHOICES, required=False,
                                widget=forms.RadioSelect)
    region = forms.CharField(label=_("Where are you now?"), max_length=120, required=False,
                             help_text=_("Region or city only, never an address."),
                             widget=forms.TextInput(attrs={"maxlength": 120}))
    contact_mode = forms.ChoiceField(label=_("How can we reach you safely?"), choices=CONTACT_CHOICES,
                                     required=False, initial="here", widget=forms.RadioSelect)
    contact = forms.CharField(
        label=_("Other safe ways to reach you"), max_length=500, required=False,
        help_text=_("For example Signal or Telegram, and when it is safe to write. Leave it empty if there is none."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    language = forms.ChoiceField(label=_("Which language should we write in?"), choices=LANGUAGE_CHOICES,
                                 required=False)
    name = forms.CharField(label=_("What should we call you?"), max_length=100, required=False,
                           help_text=_("Optional. Any name, not necessarily your real one."),
                           widget=forms.TextInput(attrs={"maxlength": 100, "autocomplete": "off"}))

    def clean(self):
        data = super().clean()
        if data.get("contact_mode") == "other" and not (data.get("contact") or "").strip():
            self.add_error("contact", _("Write how we can reach you, or choose “Only through this page”."))
        return data


@fields_shared
class CodenameForm(forms.Form):
    codename = forms.CharField(
        label=_("Your codename"), max_length=300, strip=True,
        error_messages={"required": _("Type the words of your codename.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": 300}))
    text = forms.CharField(label=_("Write to us (optional)"), max_length=WHAT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": WHAT_MAX}))


@fields_shared
class FollowupForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Write to us"), max_length=WHAT_MAX,
                           error_messages={"required": _("The message is empty.")},
                           widget=forms.Textarea(attrs={"rows": 5, "maxlength": WHAT_MAX}))
