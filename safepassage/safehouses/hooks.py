"""The safe-house side of the case workflow.

A move to "sheltered" names the house (a field of the move, offered from the houses with room); the
house must still take the person when the second person confirms; the stay starts on confirmation.
When the case sets off ("in transit") the person has left the house.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _house_in(case, data):
    from .models import SafeHouse

    house_id = (data or {}).get("house")
    if not house_id:
        return None
    return SafeHouse.objects.filter(pk=house_id, organisation_id=case.organisation_id).first()


def house_choices(case) -> list[tuple[str, str]]:
    from .selectors import houses_with_room

    return [(str(h.pk), f"{h.codename} · {h.area}") for h in houses_with_room(case.organisation, for_case=case)]


def shelter_guard(case, data) -> list[str]:
    from .models import SafeHouse, Stay

    house = _house_in(case, data)
    if house is None:
        return [_("Choose the safe house.")]
    if house.status != SafeHouse.STATUS_ACTIVE:
        return [_("This house is not taking anyone: it is compromised or retired.")]
    if house.stays.filter(state=Stay.STATE_CURRENT).exclude(case=case).count() >= house.capacity:
        return [_("This house has no free place.")]
    return []


def shelter_effect(*, actor, case, data) -> None:
    """The confirmed move: the stay starts now, proposed by whoever asked for the move."""
    from .services import stay_start

    record = case.transitions.filter(target="sheltered").order_by("-requested_at").first()
    stay_start(actor=actor, case=case, house=_house_in(case, data),
               proposed_by=record.requested_by if record else None)


def departure_effect(*, actor, case, data) -> None:
    """On the road: whoever was staying in a safe house has left it."""
    from .models import Stay
    from .services import stay_end

    for stay in Stay.objects.filter(case=case, state=Stay.STATE_CURRENT):
        stay_end(actor=actor, stay=stay, reason=Stay.END_MOVED_ON)


def connect() -> None:
    from safepassage.cases import workflow

    workflow.register_field("sheltered", "house", label=gettext_lazy("Safe house"), choices=house_choices)
    workflow.register_guard("sheltered", shelter_guard)
    workflow.register_effect("sheltered", shelter_effect)
    workflow.register_effect("in_transit", departure_effect)
