"""How safe-house lines read on the case timeline. Which house is not said: the house page says it
to those who may know it."""
from django.utils.translation import gettext_lazy as _

from safepassage.cases.timeline import register_event_kind


def _moved_in(detail: dict) -> str:
    return str(_("Moved to another safe house.") if detail.get("relocated_from") else _("Moved into a safe house."))


def connect() -> None:
    register_event_kind("stay_in", _moved_in)
    register_event_kind("stay_proposed", _("A move into a safe house was proposed."))
    register_event_kind("stay_cancelled", _("A proposed move into a safe house was cancelled."))
    register_event_kind("stay_out", _("Left the safe house."))
    register_event_kind("safehouse_compromised",
                        _("ALARM: the safe house where this person stays was compromised; relocate them."))
