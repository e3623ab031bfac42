"""Forms for the safe-house pages. Sealed text fields switch off browser autocomplete."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Stay


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


class SafeHouseForm(forms.Form):
    codename = forms.CharField(label=_("Codename"), max_length=60,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}),
                               help_text=_("What staff call the house. Never its address or its host's name."))
    area = forms.CharField(label=_("Area"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                           help_text=_("Coarse: a city or a region. Shown on the occupancy board."))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    address = forms.CharField(label=_("Address"), required=False, widget=_area(3),
                              help_text=_("Stored encrypted; shown only on request, and each request is logged."))
    contact = forms.CharField(label=_("Contact"), required=False, widget=_area(2),
                              help_text=_("The host or the way to reach the house. Stored encrypted."))
    rules = forms.CharField(label=_("House rules"), required=False, widget=_area(4),
                            help_text=_("What people staying there must know. Stored encrypted."))


class CompromiseForm(forms.Form):
    reason = forms.CharField(label=_("What happened"), widget=_area(3),
                             help_text=_("Stored encrypted. Everyone staying there gets an urgent relocation task."))
    confirm = forms.BooleanField(label=_("Yes, this house is compromised"))


class CheckOutForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the person left"), choices=Stay.END_CHOICES)


class MoveForm(forms.Form):
    house = forms.ChoiceField(label=_("Safe house"))
    reason = forms.CharField(label=_("Why this move"), required=False, widget=_area(2),
                             help_text=_("Shown to the person who confirms. Stored encrypted."))

    def __init__(self, *args, houses=(), first_move=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_move = first_move
        if first_move:
            self.fields["reason"].required = True
        self._houses = {str(h.pk): h for h in houses}
        self.fields["house"].choices = [
            (pk, f"{h.codename} · {h.area} · " + str(_("%(n)d free") % {"n": h.capacity - getattr(h, "occupied", 0)}))
            for pk, h in self._houses.items()]

    def clean_house(self):
        return self._houses[self.cleaned_data["house"]]
