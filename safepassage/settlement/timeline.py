"""How arrival and settlement lines read on the case timeline."""
from django.utils.translation import gettext as _

from safepassage.cases.timeline import choice_label, register_event_kind

from .models import PlanItem


def _arrival(detail: dict) -> str:
    return _("Arrived in %(country)s on %(date)s.") % {"country": detail.get("country") or "—",
                                                          "date": detail["arrived_on"]}


def _item(detail: dict) -> str:
    return _("Settlement, %(area)s: %(before)s → %(after)s.") % {
        "area": choice_label(PlanItem.AREA_CHOICES, detail["area"]),
        "before": choice_label(PlanItem.STATUS_CHOICES, detail.get("from")),
        "after": choice_label(PlanItem.STATUS_CHOICES, detail["status"])}


def connect() -> None:
    register_event_kind("arrival", _arrival)
    register_event_kind("settlement_item", _item)
    register_event_kind("settlement_checkin", _("Settlement check-in done."))
