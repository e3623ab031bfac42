"""Reading safe houses: one access function per record (audited, one 404 for missing and forbidden),
the occupancy board (case references only, never names), and a case's stays."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, membership

from .models import SafeHouse, Stay


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404() from None


def safehouse_for(actor, house_id, *, action: str = "safehouse.view") -> SafeHouse:
    house = SafeHouse.objects.filter(pk=_uuid(house_id)).first()
    if house is None or not can(actor, action, house):
        raise Http404()
    audit_record(actor=actor, action="safehouse.read" if action == "safehouse.view" else f"{action}.open",
                 target=house)
    return house


def safehouse_secrets(actor, house: SafeHouse) -> dict:
    """Address and contact, released on an explicit request and written to the audit log."""
    if not can(actor, "safehouse.reveal", house):
        raise Http404()
    audit_record(actor=actor, action="safehouse.reveal", target=house)
    return {"address": house.address, "contact": house.contact}


def stay_for(actor, stay_id, *, action: str) -> Stay:
    """A stay the actor may act on, through its house (`safehouse.*`) or its case (`shelter.*`)."""
    stay = Stay.objects.filter(pk=_uuid(stay_id)).select_related("house", "case").first()
    if stay is None:
        raise Http404()
    target = stay.house if action.startswith("safehouse.") else stay.case
    if not can(actor, action, target):
        raise Http404()
    return stay


@dataclass
class BoardRow:
    house: SafeHouse
    occupants: list = field(default_factory=list)  # current stays, case attached
    proposed: list = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.house.capacity - len(self.occupants), 0)


def occupancy_board(actor) -> list[BoardRow]:
    """Every house of the actor's organisation with who is in it (by case reference) and free places.
    Compromised houses come first: their occupants need moving. Retired houses are left out."""
    member = membership(actor)
    if member is None or not can(actor, "safehouse.list"):
        return []
    houses = list(SafeHouse.objects.filter(organisation_id=member.organisation_id)
                  .exclude(status=SafeHouse.STATUS_RETIRED).order_by("codename"))
    rows = {h.pk: BoardRow(house=h) for h in houses}
    stays = (Stay.objects.filter(house__in=houses, state__in=[Stay.STATE_CURRENT, Stay.STATE_PROPOSED])
             .select_related("case").order_by("checked_in_at", "proposed_at"))
    for stay in stays:
        row = rows[stay.house_id]
        (row.occupants if stay.state == Stay.STATE_CURRENT else row.proposed).append(stay)
    audit_record(actor=actor, action="safehouse.board", organisation=member.organisation_id,
                 houses=len(houses))
    return sorted(rows.values(), key=lambda r: (r.house.status != SafeHouse.STATUS_COMPROMISED, r.house.codename))


def houses_with_room(organisation, *, for_case=None) -> list[SafeHouse]:
    """Houses that can take one more person now (in use, not full). Codename and area only."""
    current = Count("stays", filter=Q(stays__state=Stay.STATE_CURRENT))
    houses = (SafeHouse.objects.filter(organisation=organisation, status=SafeHouse.STATUS_ACTIVE)
              .annotate(occupied=current).order_by("codename"))
    stay = current_stay(for_case) if for_case is not None else None
    return [h for h in houses if h.occupied < h.capacity and (stay is None or stay.house_id != h.pk)]


def pending_shelter(case):
    """The case's move to "sheltered" waiting for a second person, if any (its house id is sealed in it)."""
    from safepassage.cases.models import CaseTransition

    record = (CaseTransition.objects.filter(case=case, target="sheltered", state=CaseTransition.PENDING)
              .select_related("requested_by").first())
    if record is not None:
        house_id = (record.data or {}).get("house")
        record.house = SafeHouse.objects.filter(pk=house_id, organisation_id=case.organisation_id).first()
    return record


def current_stay(case) -> Stay | None:
    return Stay.objects.filter(case=case, state=Stay.STATE_CURRENT).select_related("house").first()


def stays_of_case(case) -> list[Stay]:
    return list(Stay.objects.filter(case=case).select_related("house", "proposed_by", "confirmed_by")
                .order_by("-proposed_at"))


def house_stays(house: SafeHouse) -> dict:
    stays = list(house.stays.select_related("case").order_by("-proposed_at")[:200])
    return {
        "current": [s for s in stays if s.state == Stay.STATE_CURRENT],
        "proposed": [s for s in stays if s.state == Stay.STATE_PROPOSED],
        "past": [s for s in stays if s.state in (Stay.STATE_ENDED, Stay.STATE_CANCELLED)],
    }
