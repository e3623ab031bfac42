"""Writing safe houses and stays. Each service runs in one transaction with its audit row.

Threat: a house's address is what an informer, or a detainee under torture, would give away; it is
sealed under the house's own key, released to staff only on an explicit, audited request. When a
house is compromised every person in it is in danger within hours: ``safehouse_mark_compromised``
puts an urgent relocation task on each occupant's case and raises its risk in the same transaction,
so there is never a moment when the house is marked but its occupants are not.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit.services import audit_record
from safepassage.cases.models import CaseEvent
from safepassage.policy.rules import can, membership, require

from . import journey
from .models import SafeHouse, Stay


class ShelterError(Exception):
    """A move into or out of a house that cannot happen; the message is safe to show."""

    message = gettext_lazy("This move is not possible.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class HouseUnavailable(ShelterError):
    message = gettext_lazy("This house is not taking anyone: it is compromised or retired.")


class HouseFull(ShelterError):
    message = gettext_lazy("This house has no free place.")


class SecondPersonRequired(ShelterError):
    message = gettext_lazy("A move into a safe house must be confirmed by a second person.")


class StayNotOpen(ShelterError):
    message = gettext_lazy("This stay is not in a state that allows it.")


def _clean_house_fields(*, codename: str, area: str, capacity) -> dict:
    errors = {}
    codename, area = (codename or "").strip(), (area or "").strip()
    if not codename:
        errors["codename"] = _("Give the house a codename (never its address).")
    if not area:
        errors["area"] = _("Give a coarse area: a city or region, never a street.")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if capacity < 1 or capacity > 500:
        errors["capacity"] = _("Capacity is a number of places, at least 1.")
    if errors:
        raise ValidationError(errors)
    return {"codename": codename, "area": area, "capacity": capacity}


@transaction.atomic
def safehouse_create(*, actor, codename: str, area: str, capacity, address: str = "", contact: str = "",
                     rules: str = "") -> SafeHouse:
    require(actor, "safehouse.create")
    organisation = membership(actor).organisation
    fields = _clean_house_fields(codename=codename, area=area, capacity=capacity)
    if SafeHouse.objects.filter(organisation=organisation, codename__iexact=fields["codename"]).exists():
        raise ValidationError({"codename": _("Another house already has this codename.")})
    house = SafeHouse(organisation=organisation, created_by=actor, **fields)
    house.address, house.contact, house.rules = address.strip(), contact.strip(), rules.strip()
    house.save()
    audit_record(actor=actor, action="safehouse.create", target=house)
    return house


@transaction.atomic
def safehouse_update(*, actor, house: SafeHouse, codename: str, area: str, capacity, address: str,
                     contact: str, rules: str) -> list[str]:
    require(actor, "safehouse.edit", house)
    fields = _clean_house_fields(codename=codename, area=area, capacity=capacity)
    if SafeHouse.objects.filter(organisation=house.organisation, codename__iexact=fields["codename"]) \
            .exclude(pk=house.pk).exists():
        raise ValidationError({"codename": _("Another house already has this codename.")})
    occupied = house.stays.filter(state=Stay.STATE_CURRENT).count()
    if fields["capacity"] < occupied:
        raise ValidationError({"capacity": _("%(n)d people are staying there now.") % {"n": occupied}})
    changed = [name for name, value in fields.items() if getattr(house, name) != value]
    for name, value in (("address", address), ("contact", contact), ("rules", rules)):
        if getattr(house, name) != value.strip():
            changed.append(name)
            setattr(house, name, value.strip())
    for name, value in fields.items():
        setattr(house, name, value)
    house.save()
    audit_record(actor=actor, action="safehouse.update", target=house, fields=changed)
    return changed


@transaction.atomic
def safehouse_retire(*, actor, house: SafeHouse) -> None:
    """A house no longer used. Its sealed address is shredded with its key: nothing left to give away."""
    require(actor, "safehouse.edit", house)
    if house.stays.filter(state__in=[Stay.STATE_CURRENT, Stay.STATE_PROPOSED]).exists():
        raise ShelterError(_("People are staying in this house or about to move in."))
    from safepassage.vault import services as vault

    vault.shred([house.data_key_id])
    SafeHouse.objects.filter(pk=house.pk).update(status=SafeHouse.STATUS_RETIRED, address=None, contact=None,
                                                 rules=None, compromise_reason=None)
    house.status = SafeHouse.STATUS_RETIRED
    audit_record(actor=actor, action="safehouse.retire", target=house)


@transaction.atomic
def safehouse_mark_compromised(*, actor, house: SafeHouse, reason: str) -> list:
    """The house is known to the adversary. Returns the cases of everyone staying there.

    At once, in this transaction: the house takes no one any more; each current occupant's case gets
    an urgent relocation task and its risk goes to critical; pending moves into the house are cancelled.
    Called from the house page and from anything else that learns a house is exposed.
    """
    require(actor, "safehouse.compromise", house)
    given, house = house, SafeHouse.objects.select_for_update().get(pk=house.pk)
    first_time = house.status != SafeHouse.STATUS_COMPROMISED
    if first_time:
        house.status = SafeHouse.STATUS_COMPROMISED
        house.compromised_at = timezone.now()
    house.compromise_reason = "\n".join(filter(None, [house.compromise_reason, reason.strip()]))
    house.save()
    given.status, given.compromised_at = house.status, house.compromised_at
    house_id = str(house.pk)
    cancelled = list(house.stays.filter(state=Stay.STATE_PROPOSED).values_list("pk", flat=True))
    house.stays.filter(state=Stay.STATE_PROPOSED).update(state=Stay.STATE_CANCELLED)
    cases = [stay.case for stay in house.stays.filter(state=Stay.STATE_CURRENT).select_related("case")]
    for case in cases:
        journey.raise_alarm(
            actor=actor, case=case, kind=journey.RELOCATE,
            risk_reason=_("The safe house where this person stays was compromised."),
            event_kind="safehouse_compromised", event_detail={"house": house_id})
    audit_record(actor=actor, action="safehouse.compromise", target=house, first_time=first_time,
                 occupants=[str(c.pk) for c in cases], cancelled_stays=[str(pk) for pk in cancelled])
    return cases


# --- stays --------------------------------------------------------------------------------------

def _check_room(house: SafeHouse, *, exclude_case=None) -> None:
    house.refresh_from_db(fields=["status", "capacity"])
    if house.status != SafeHouse.STATUS_ACTIVE:
        raise HouseUnavailable()
    current = house.stays.filter(state=Stay.STATE_CURRENT)
    if exclude_case is not None:
        current = current.exclude(case=exclude_case)
    if current.count() >= house.capacity:
        raise HouseFull()


def _house_of_org(house: SafeHouse, case) -> None:
    if house.organisation_id != case.organisation_id:
        raise HouseUnavailable()


def stay_start(*, actor, case, house: SafeHouse, proposed_by=None, stay: Stay | None = None) -> Stay:
    """Check the case in now (the second person has confirmed). Ends any stay elsewhere (a relocation).

    Not a page action: the effect of the confirmed move to "sheltered" and ``stay_confirm`` call it,
    inside their own transaction.
    """
    house = SafeHouse.objects.select_for_update().get(pk=house.pk)
    _house_of_org(house, case)
    _check_room(house, exclude_case=case)
    now = timezone.now()
    previous = list(Stay.objects.select_for_update().filter(case=case, state=Stay.STATE_CURRENT))
    for old in previous:
        if old.house_id == house.pk:
            return old  # already there
        old.state, old.checked_out_at, old.checked_out_by = Stay.STATE_ENDED, now, actor
        old.end_reason = Stay.END_RELOCATED
        old.save()
    if stay is None:
        stay = Stay(house=house, case=case, proposed_by=proposed_by or actor)
    stay.state, stay.confirmed_by, stay.checked_in_at = Stay.STATE_CURRENT, actor, now
    stay.save()
    CaseEvent.objects.create(case=case, actor=actor, kind="stay_in",
                             detail={"house": str(house.pk), "stay": str(stay.pk),
                                     "relocated_from": [str(o.house_id) for o in previous]})
    audit_record(actor=actor, action="stay.check_in", target=case, house=str(house.pk), stay=str(stay.pk),
                 proposed_by=getattr(stay.proposed_by, "pk", None))
    return stay


@transaction.atomic
def stay_propose(*, actor, case, house: SafeHouse) -> Stay:
    """Propose moving a case (already past verification) into a house; a second person confirms.

    A first move into shelter goes through the case's four-eyes transition to "sheltered" instead
    (see ``shelter_request``).
    """
    require(actor, "shelter.move", case)
    _house_of_org(house, case)
    _check_room(house, exclude_case=case)
    if Stay.objects.filter(case=case, state=Stay.STATE_PROPOSED).exists():
        raise ShelterError(_("A move for this person is already waiting for confirmation."))
    stay = Stay.objects.create(house=house, case=case, state=Stay.STATE_PROPOSED, proposed_by=actor)
    CaseEvent.objects.create(case=case, actor=actor, kind="stay_proposed",
                             detail={"house": str(house.pk), "stay": str(stay.pk)})
    audit_record(actor=actor, action="stay.propose", target=case, house=str(house.pk), stay=str(stay.pk))
    return stay


@transaction.atomic
def stay_confirm(*, actor, stay: Stay) -> Stay:
    require(actor, "shelter.confirm", stay.case)
    stay = Stay.objects.select_for_update().select_related("case", "house").get(pk=stay.pk)
    if stay.state != Stay.STATE_PROPOSED:
        raise StayNotOpen()
    if stay.proposed_by_id == actor.pk:
        raise SecondPersonRequired()
    return stay_start(actor=actor, case=stay.case, house=stay.house, stay=stay)


@transaction.atomic
def stay_cancel(*, actor, stay: Stay) -> None:
    require(actor, "shelter.move", stay.case)
    if stay.state != Stay.STATE_PROPOSED:
        raise StayNotOpen()
    Stay.objects.filter(pk=stay.pk).update(state=Stay.STATE_CANCELLED)
    CaseEvent.objects.create(case=stay.case, actor=actor, kind="stay_cancelled",
                             detail={"house": str(stay.house_id), "stay": str(stay.pk)})
    audit_record(actor=actor, action="stay.cancel", target=stay.case, stay=str(stay.pk))


@transaction.atomic
def stay_check_out(*, actor, stay: Stay, reason: str = Stay.END_MOVED_ON) -> None:
    """The person left the house (onward travel, relocation, anything else)."""
    if not (can(actor, "safehouse.checkout", stay.house) or can(actor, "shelter.move", stay.case)):
        journey.refuse("safehouse.checkout")
    if reason not in dict(Stay.END_CHOICES):
        raise ValidationError({"reason": _("Choose why the person left.")})
    stay_end(actor=actor, stay=stay, reason=reason)


def stay_end(*, actor, stay: Stay, reason: str) -> None:
    """End a current stay. Not a page action: ``stay_check_out`` and the case's departure call it."""
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if stay.state != Stay.STATE_CURRENT:
        raise StayNotOpen()
    stay.state, stay.checked_out_at, stay.checked_out_by, stay.end_reason = (
        Stay.STATE_ENDED, timezone.now(), actor, reason)
    stay.save()
    CaseEvent.objects.create(case=stay.case, actor=actor, kind="stay_out",
                             detail={"house": str(stay.house_id), "stay": str(stay.pk), "reason": reason})
    audit_record(actor=actor, action="stay.check_out", target=stay.case, stay=str(stay.pk), reason=reason)


@transaction.atomic
def shelter_request(*, actor, case, house: SafeHouse, reason: str):
    """First move into a safe house: the case's four-eyes transition to "sheltered".

    Returns the pending transition; the stay starts when a second person confirms it (see ``hooks``).
    """
    require(actor, "shelter.move", case)
    _house_of_org(house, case)
    _check_room(house)
    return journey.transition(actor=actor, case=case, to_status="sheltered", reason=reason,
                              data={"house": str(house.pk)})
