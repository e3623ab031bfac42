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
