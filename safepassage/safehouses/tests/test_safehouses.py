import pytest
from django.db import connection
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, CaseEvent
from safepassage.cases.services import TransitionNotAllowed, case_transition, case_transition_confirm
from safepassage.core.testing import staff_member
from safepassage.safehouses import services
from safepassage.safehouses.models import SafeHouse, Stay
from safepassage.safehouses.selectors import occupancy_board, pending_shelter
from safepassage.tasks.models import Task

from .journey_helpers import verified_case


def _shelter(requester, confirmer, case, house, reason="Family found the flat."):
    record = services.shelter_request(actor=requester, case=case, house=house, reason=reason)
    case_transition_confirm(actor=confirmer, transition=record)
    case.refresh_from_db()
    return Stay.objects.get(case=case, state=Stay.STATE_CURRENT)


# --- the registry -------------------------------------------------------------------------------

def test_a_house_address_and_contact_are_stored_only_as_ciphertext(house):
    with connection.cursor() as cursor:
        cursor.execute("SELECT codename, area, address, contact, rules FROM safehouses_safehouse")
        codename, area, *sealed = cursor.fetchone()
    assert (codename, area) == ("Birch", "Moscow region")
    for blob in sealed:
        assert "Ленина".encode() not in bytes(blob) and b"+7 900" not in bytes(blob) and b"phones" not in bytes(blob)
    assert SafeHouse.objects.get().address == "ул. Ленина 5, кв. 12"


def test_each_house_has_its_own_data_key_so_a_retired_house_leaves_no_address(keeper, house, unsealed_vault):
    other = services.safehouse_create(actor=keeper, codename="Oak", area="Yerevan", capacity=1, address="x")
    assert house.data_key_id != other.data_key_id
    services.safehouse_retire(actor=keeper, house=house)
    house = SafeHouse.objects.get(pk=house.pk)
    assert house.status == SafeHouse.STATUS_RETIRED and house.address == ""
    assert SafeHouse.objects.get(pk=other.pk).address == "x"


def test_codenames_are_unique_within_an_organisation(keeper, house):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.safehouse_create(actor=keeper, codename="birch", area="Tver", capacity=1)


def test_the_board_shows_codename_area_and_free_places_but_never_the_address(keeper, house, client_as):
    page = client_as(keeper).get(reverse("safehouses:board")).content.decode()
    assert "Birch" in page and "Moscow region" in page
    assert "Ленина" not in page and "Анна" not in page


def test_the_address_is_shown_only_after_an_explicit_request_which_is_audited(keeper, house, client_as):
    client = client_as(keeper)
    page = client.get(reverse("safehouses:detail", args=[house.pk])).content.decode()
    assert "Ленина" not in page and "No phones near the windows." in page
    page = client.post(reverse("safehouses:reveal", args=[house.pk])).content.decode()
    assert "ул. Ленина 5, кв. 12" in page and "Анна +7 900 000 00 00" in page
    assert AuditEvent.objects.filter(action="safehouse.reveal", target_id=str(house.pk), actor_id=keeper.pk).exists()


def test_another_organisations_house_is_a_plain_404(house, other_org, unsealed_vault, client_as):
    stranger = staff_member(other_org, "stranger", ["safehouse", "coordinator"])
    client = client_as(stranger)
    assert client.get(reverse("safehouses:detail", args=[house.pk])).status_code == 404
    assert client.post(reverse("safehouses:reveal", args=[house.pk])).status_code == 404
    assert "Birch" not in client.get(reverse("safehouses:board")).content.decode()


def test_a_caseworker_has_no_safe_house_registry(caseworker, house, client_as):
    client = client_as(caseworker)
    assert client.get(reverse("safehouses:board")).status_code == 403
    assert client.get(reverse("safehouses:detail", args=[house.pk])).status_code == 404


# --- moving in: four eyes -----------------------------------------------------------------------

def test_moving_into_a_house_waits_for_a_second_person_then_starts_the_stay(caseworker, keeper, case, house):
    record = services.shelter_request(actor=caseworker, case=case, house=house, reason="Brother found him.")
    case.refresh_from_db()
    assert record.pending and case.status == "verified" and not Stay.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        case_transition_confirm(actor=caseworker, transition=record)
    case_transition_confirm(actor=keeper, transition=record)
    case.refresh_from_db()
    stay = Stay.objects.get(case=case)
    assert case.status == "sheltered"
    assert (stay.state, stay.house, stay.proposed_by, stay.confirmed_by) == (Stay.STATE_CURRENT, house, caseworker,
                                                                              keeper)
    assert CaseEvent.objects.filter(case=case, kind="stay_in").exists()


def test_the_case_page_move_goes_through_the_workflow_and_a_second_person_confirms_it(
        caseworker, keeper, case, house, client_as):
    response = client_as(caseworker).post(reverse("safehouses:move", args=[case.pk]),
                                          {"house": str(house.pk), "reason": "Threats at home."})
    assert response.status_code == 302
    page = client_as(caseworker).get(reverse("safehouses:case", args=[case.pk])).content.decode()
    assert "someone else must confirm it" in page
    assert pending_shelter(case).house == house
    page = client_as(keeper).get(reverse("safehouses:case", args=[case.pk])).content.decode()
    assert "Confirm the move" in page and "Threats at home." in page
    client_as(keeper).post(reverse("safehouses:shelter_confirm", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "sheltered"
    board = client_as(keeper).get(reverse("safehouses:board")).content.decode()
    assert case.reference in board


def test_a_first_move_needs_a_reason(caseworker, case, house, client_as):
    response = client_as(caseworker).post(reverse("safehouses:move", args=[case.pk]), {"house": str(house.pk)})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "verified"


def test_a_full_house_is_not_offered_and_refuses_a_move(coordinator, caseworker, keeper, org, house):
    cases = [verified_case(coordinator, org, name=f"Person {i}", assignees=[caseworker]) for i in range(3)]
    _shelter(caseworker, keeper, cases[0], house)
    _shelter(caseworker, keeper, cases[1], house)
    with pytest.raises(TransitionNotAllowed):  # the workflow only offers houses with room
        services.journey.transition(actor=caseworker, case=cases[2], to_status="sheltered", reason="r",
                                    data={"house": str(house.pk)})
    with pytest.raises(services.HouseFull):
        services.shelter_request(actor=caseworker, case=cases[2], house=house, reason="r")


def test_a_house_that_filled_up_meanwhile_refuses_the_confirmation(coordinator, caseworker, keeper, org, house):
    cases = [verified_case(coordinator, org, name=f"Person {i}", assignees=[caseworker]) for i in range(3)]
    waiting = services.shelter_request(actor=caseworker, case=cases[2], house=house, reason="r")
    _shelter(caseworker, keeper, cases[0], house)
    _shelter(caseworker, keeper, cases[1], house)
    with pytest.raises(TransitionNotAllowed):
        case_transition_confirm(actor=keeper, transition=waiting)
    assert Case.objects.get(pk=cases[2].pk).status == "verified"


def test_a_relocation_is_proposed_and_confirmed_by_another_person(coordinator, caseworker, keeper, case, house):
    _shelter(caseworker, keeper, case, house)
    oak = services.safehouse_create(actor=keeper, codename="Oak", area="Tver", capacity=3)
    proposed = services.stay_propose(actor=caseworker, case=case, house=oak)
    with pytest.raises(services.SecondPersonRequired):
        services.stay_confirm(actor=caseworker, stay=proposed)
    services.stay_confirm(actor=keeper, stay=proposed)
    stays = {s.house.codename: s for s in Stay.objects.filter(case=case)}
    assert stays["Birch"].state == Stay.STATE_ENDED and stays["Birch"].end_reason == Stay.END_RELOCATED
    assert stays["Oak"].state == Stay.STATE_CURRENT


def test_setting_off_checks_the_person_out_of_the_house(caseworker, keeper, case, house):
    _shelter(caseworker, keeper, case, house)
    from safepassage.referrals.models import Programme

    Case.objects.filter(pk=case.pk).update(status="approved")  # the referral's own tests cover getting here
    case.refresh_from_db()
    case_transition(actor=caseworker, case=case, to_status="in_transit")
    stay = Stay.objects.get(case=case)
    assert stay.state == Stay.STATE_ENDED and stay.end_reason == Stay.END_MOVED_ON
    assert Programme.objects.exists()


# --- compromise ---------------------------------------------------------------------------------

def test_a_compromised_house_puts_an_urgent_relocation_task_on_every_occupants_case_at_once(
        coordinator, caseworker, keeper, org, house):
    occupants = [verified_case(coordinator, org, name=f"Person {i}", assignees=[caseworker], risk="medium")
                 for i in range(2)]
    for case in occupants:
        _shelter(caseworker, keeper, case, house)
    elsewhere = verified_case(coordinator, org, name="Not there", assignees=[caseworker], risk="low")
    alerted = services.safehouse_mark_compromised(actor=keeper, house=house, reason="Host's phone seized.")
    assert {c.pk for c in alerted} == {c.pk for c in occupants}
    for case in occupants:
        case.refresh_from_db()
        assert case.risk_level == "critical"
        assert "compromised" in case.risk_reasons and "Семья ищет его." in case.risk_reasons
        task = Task.objects.get(case=case, kind="relocate_now")
        assert task.urgent and task.is_open
        assert CaseEvent.objects.filter(case=case, kind="safehouse_compromised").exists()
    elsewhere.refresh_from_db()
    assert elsewhere.risk_level == "low" and not Task.objects.filter(case=elsewhere, kind="relocate_now").exists()
    house.refresh_from_db()
    assert house.status == SafeHouse.STATUS_COMPROMISED and house.compromise_reason == "Host's phone seized."
    assert AuditEvent.objects.filter(action="safehouse.compromise", target_id=str(house.pk)).exists()


def test_a_compromised_house_takes_nobody_and_tops_the_board(coordinator, caseworker, keeper, org, house, client_as):
    services.safehouse_create(actor=keeper, codename="Aspen", area="Tver", capacity=1)
    services.safehouse_mark_compromised(actor=keeper, house=house, reason="Seen.")
    case = verified_case(coordinator, org, assignees=[caseworker])
    with pytest.raises(services.HouseUnavailable):
        services.shelter_request(actor=caseworker, case=case, house=house, reason="r")
    rows = occupancy_board(keeper)
    assert rows[0].house == house
    page = client_as(caseworker).get(reverse("safehouses:case", args=[case.pk])).content.decode()
    assert "Aspen" in page and "Birch" not in page


def test_the_compromise_form_asks_for_confirmation(keeper, house, client_as):
    client = client_as(keeper)
    response = client.post(reverse("safehouses:compromise", args=[house.pk]), {"reason": "Seen."})
    assert response.status_code == 400
    assert SafeHouse.objects.get(pk=house.pk).status == SafeHouse.STATUS_ACTIVE
    response = client.post(reverse("safehouses:compromise", args=[house.pk]), {"reason": "Seen.", "confirm": "on"})
    assert response.status_code == 302
    assert SafeHouse.objects.get(pk=house.pk).status == SafeHouse.STATUS_COMPROMISED


def test_checking_out_frees_the_place(caseworker, keeper, case, house, client_as):
    stay = _shelter(caseworker, keeper, case, house)
    client_as(keeper).post(reverse("safehouses:checkout", args=[stay.pk]), {"reason": "other"})
    stay.refresh_from_db()
    assert stay.state == Stay.STATE_ENDED and stay.end_reason == "other"
    assert occupancy_board(keeper)[0].free == 2


# --- languages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_the_safe_house_pages_render_in_every_language(lang, caseworker, keeper, case, house, client_as):
    _shelter(caseworker, keeper, case, house)
    client = client_as(keeper)
    for url in (reverse("safehouses:board"), reverse("safehouses:detail", args=[house.pk]),
                reverse("safehouses:create"), reverse("safehouses:edit", args=[house.pk]),
                reverse("safehouses:case", args=[case.pk])):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200, url
        assert response["Content-Language"] == lang
    board = client.get(reverse("safehouses:board"), {"lang": lang}).content.decode()
    assert {"en": "Safe houses", "ru": "Убежища", "fr": "Maisons sûres"}[lang] in board
