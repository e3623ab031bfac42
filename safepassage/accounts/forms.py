from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.policy.roles import ROLE_CHOICES


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Six-digit code from your authenticator app"), max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True, "pattern": "[0-9 ]*"}))

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."))
        return token


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput,
                               help_text=_("At least 12 characters. The member changes it after the first login."))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class DuressForm(forms.Form):
    current_password = forms.CharField(label=_("Your current password"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    password = forms.CharField(
        label=_("Duress password"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("If you are ever forced to log in, type this instead of your password. You will see an "
                    "ordinary, empty workspace; your access is sealed and your organisation's admins are alerted. "
                    "Leave empty and press “Remove” to remove it."))


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)
    roles = forms.MultipleChoiceField(label=_("Roles it carries"), required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Tick none to carry all of your roles."))
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int, initial=90,
                                  choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")),
                                           (365, _("a year"))])

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ROLE_CHOICES)
        self.fields["roles"].choices = [(r, labels.get(r, r)) for r in roles]


class ReadAlarmForm(forms.Form):
    enabled = forms.BooleanField(label=_("Alarm on"), required=False)
    window_minutes = forms.IntegerField(label=_("Window (minutes)"), min_value=5, max_value=24 * 60)
    multiplier = forms.FloatField(label=_("Times the member's usual day"), min_value=1, max_value=50)
    floor = forms.IntegerField(label=_("Never below (records)"), min_value=1)
    baseline_days = forms.IntegerField(label=_("Usual day measured over (days)"), min_value=7, max_value=365)
    throttle_minutes = forms.IntegerField(label=_("Throttle for (minutes)"), min_value=5, max_value=7 * 24 * 60)
