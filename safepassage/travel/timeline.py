"""How travel lines read on the case timeline (modes, states, check-in kinds: no place, no name)."""
from django.utils.translation import gettext as _

from safepassage.cases.timeline import choice_label, register_event_kind

from .models import CheckIn, TravelLeg, TravelPlan


def _plan(detail: dict) -> str:
    status = choice_label(TravelPlan.STATUS_CHOICES, detail["status"])
    if detail.get("from"):
        return _("Travel plan: %(before)s → %(after)s.") % {
            "before": choice_label(TravelPlan.STATUS_CHOICES, detail["from"]), "after": status}
    return _("Travel plan started (%(status)s).") % {"status": status}


def _leg(detail: dict) -> str:
    if detail.get("change") == "added":
        return _("Leg added to the route: %(mode)s.") % {"mode": choice_label(TravelLeg.MODE_CHOICES, detail["mode"])}
    return _("Leg of the route: %(before)s → %(after)s.") % {
        "before": choice_label(TravelLeg.STATUS_CHOICES, detail.get("from")),
        "after": choice_label(TravelLeg.STATUS_CHOICES, detail["status"])}


def _checkin(detail: dict) -> str:
    what = choice_label(CheckIn.KIND_CHOICES, detail["kind"])
    if detail.get("late"):
        return _("Check-in received late: %(what)s.") % {"what": what}
    return _("Check-in received: %(what)s.") % {"what": what}


def _alarm(detail: dict) -> str:
    return _("ALARM: the check-in did not come (%(what)s).") % {"what": choice_label(CheckIn.KIND_CHOICES,
                                                                                     detail["kind"])}


def connect() -> None:
    register_event_kind("travel_plan", _plan)
    register_event_kind("travel_leg", _leg)
    register_event_kind("checkin", _checkin)
    register_event_kind("travel_alarm", _alarm)
