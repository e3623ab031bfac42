import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create

FULL_FORM = {
    "full_name": "Магомед Исаев",
    "other_names": "Magomed Isaev\n\nМаго  \n",
    "date_of_birth": "12.05.1990",
    "gender": "self",
    "gender_self_described": "queer, in my own words",
    "phones": "+7 928 123-45-67\n8 (495) 765 43 21",
    "messengers": "Signal: @mago\nTelegram: +7 928 1234567",
    "current_location": "Грозный, у родственников",
    "notes": "Прячется.\nЗвонить только вечером.",
}


def _person(actor, org, **fields):
    return person_create(actor=actor, organisation=org, data=PersonData(**fields))


def test_a_caseworker_records_a_person_with_every_field(caseworker, client_as):
    response = client_as(caseworker).post(reverse("people:create"), FULL_FORM)
    person = Person.objects.get()
    assert response.status_code == 302 and response.url == reverse("people:detail", args=[person.pk])
    assert person.full_name == "Магомед Исаев"
    assert person.other_names == ["Magomed Isaev", "Маго"]
    assert person.date_of_birth == "1990-05-12"
    assert (person.gender, person.gender_self_described) == ("self", "queer, in my own words")
    assert person.phones == ["+7 928 123-45-67", "8 (495) 765 43 21"]
    assert person.messengers == [{"app": "Signal", "handle": "@mago"}, {"app": "Telegram", "handle": "+7 928 1234567"}]
    assert person.current_location == "Грозный, у родственников"
    assert person.notes == "Прячется.\nЗвонить только вечером."


def test_a_person_can_be_recorded_with_nothing_at_all(caseworker, client_as):
    response = client_as(caseworker).post(reverse("people:create"), {})
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.full_name == "" and person.phones == [] and person.date_of_birth == ""
    page = client_as(caseworker).get(response.url).content.decode()
    assert person.reference in page


@pytest.mark.parametrize("typed, stored", [("1990", "1990"), ("1990-05", "1990-05"), ("05.1990", "1990-05"),
                                           ("1990-05-12", "1990-05-12"), ("2.3.1991", "1991-03-02")])
def test_a_date_of_birth_may_be_partial(caseworker, client_as, typed, stored):
    client_as(caseworker).post(reverse("people:create"), {"date_of_birth": typed})
    assert Person.objects.get().date_of_birth == stored


def test_words_for_a_gender_alone_mean_self_described(caseworker, client_as):
    client_as(caseworker).post(reverse("people:create"), {"gender_self_described": "two-spirit"})
    person = Person.objects.get()
    assert (person.gender, person.gender_self_described) == ("self", "two-spirit")


@pytest.mark.parametrize("field, value, message", [
    ("date_of_birth", "31.02.1990", "That date does not exist."),
    ("date_of_birth", "spring 1990", "Write the date of birth as a year"),
    ("phones", "+7 928 123-45-67\nask his sister", "does not look like a phone number"),
    ("messengers", "Signal: @mago\njust a handle", "as “App: handle”"),
    ("gender_self_described", "fluid", "Choose “Self-described”"),
])
def test_bad_input_is_explained_on_its_field_and_everything_typed_is_kept(caseworker, client_as, field, value,
                                                                          message):
    form = {**FULL_FORM, "gender": "woman", "gender_self_described": "", field: value}
    response = client_as(caseworker).post(reverse("people:create"), form)
    page = response.content.decode()
    assert response.status_code == 200 and not Person.objects.exists()
    assert message in page
    assert page.count('class="error"') == 1
    for typed in ("Магомед Исаев", "Signal: @mago" if field != "messengers" else "just a handle",
                  "Грозный, у родственников", "Звонить только вечером."):
        assert typed in page
    assert value.splitlines()[-1] in page


def test_editing_shows_current_values_and_saves_changes(caseworker, org, client_as):
    person = _person(caseworker, org, full_name="Хава", phones=["+7 900 000-00-01"],
                     messengers=[{"app": "Signal", "handle": "@hava"}], date_of_birth="1995")
    client = client_as(caseworker)
    page = client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert "Хава" in page and "Signal: @hava" in page and "+7 900 000-00-01" in page and "1995" in page
    response = client.post(reverse("people:edit", args=[person.pk]),
                           {"full_name": "Хава Б.", "date_of_birth": "1995-07", "gender": "woman",
                            "messengers": "WhatsApp: +7 900 000 00 01", "phones": ""})
    assert response.status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert (person.full_name, person.date_of_birth, person.gender) == ("Хава Б.", "1995-07", "woman")
    assert person.phones == [] and person.messengers == [{"app": "WhatsApp", "handle": "+7 900 000 00 01"}]
    assert AuditEvent.objects.filter(action="person.update", target_id=str(person.pk)).exists()


def test_a_bad_edit_keeps_the_new_input_and_changes_nothing(caseworker, org, client_as):
    person = _person(caseworker, org, full_name="Хава", date_of_birth="1995")
    response = client_as(caseworker).post(reverse("people:edit", args=[person.pk]),
                                          {"full_name": "Хава Новая", "date_of_birth": "1995-13"})
    page = response.content.decode()
    assert response.status_code == 200 and "Хава Новая" in page and "1995-13" in page
    assert Person.objects.get(pk=person.pk).full_name == "Хава"


def test_the_person_page_shows_the_sealed_fields_and_is_audited(caseworker, org, client_as):
    person = _person(caseworker, org, full_name="Ислам", other_names=["Islam"], gender="self",
                     gender_self_described="мужчина, но не так", phones=["+7 928 111 22 33"],
                     messengers=[{"app": "Signal", "handle": "@isl"}], current_location="Баку", notes="Тихо.")
    response = client_as(caseworker).get(reverse("people:detail", args=[person.pk]))
    page = response.content.decode()
    for shown in ("Ислам", "Islam", "Self-described: мужчина, но не так", "+7 928 111 22 33", "Signal: @isl",
                  "Баку", "Тихо."):
        assert shown in page
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="person.read", target_id=str(person.pk), actor_id=caseworker.pk).count() == 1


def test_the_person_page_lists_only_the_cases_the_viewer_may_see(caseworker, coordinator, org, client_as):
    person = _person(coordinator, org, full_name="Зелимхан")
    mine = case_open(actor=coordinator, person=person, assignees=[caseworker])
    hidden = case_open(actor=coordinator, person=person, assignees=[coordinator])
    page = client_as(caseworker).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert mine.reference in page and hidden.reference not in page
    page = client_as(coordinator).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert mine.reference in page and hidden.reference in page


def test_a_caseworker_gets_404_for_a_person_they_may_not_see(caseworker, coordinator, org, other_org, client_as):
    colleague_only = _person(coordinator, org, full_name="Скрытый")
    case_open(actor=coordinator, person=colleague_only, assignees=[coordinator])
    foreign_coordinator = staff_member(other_org, "foreign", ["coordinator"])
    foreign = _person(foreign_coordinator, other_org, full_name="Чужой")
    client = client_as(caseworker)
    for person in (colleague_only, foreign):
        for name in ("people:detail", "people:edit"):
            response = client.get(reverse(name, args=[person.pk]))
            assert response.status_code == 404
            assert "Скрытый" not in response.content.decode() and "Чужой" not in response.content.decode()
    assert client.get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert not AuditEvent.objects.filter(action="person.read", actor_id=caseworker.pk).exists()


def test_the_person_page_offers_to_open_a_case_and_only_coordinators_may_delete(caseworker, coordinator, org,
                                                                                  client_as):
    person = _person(caseworker, org, full_name="Адам")
    page = client_as(caseworker).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Open a case" in page and reverse("people:delete", args=[person.pk]) not in page
    assert client_as(caseworker).get(reverse("people:delete", args=[person.pk])).status_code == 404
    page = client_as(coordinator).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("people:delete", args=[person.pk]) in page


def test_no_name_appears_in_the_address_after_recording_a_person(caseworker, client_as):
    response = client_as(caseworker).post(reverse("people:create"), FULL_FORM, follow=True)
    for url, _status in response.redirect_chain:
        assert "Магомед" not in url and "%D0%9C" not in url
    assert "Магомед Исаев" in response.content.decode()


def test_a_researcher_cannot_record_a_person(org, unsealed_vault, client_as):
    researcher = staff_member(org, "researcher", ["researcher"])
    assert client_as(researcher).post(reverse("people:create"), FULL_FORM).status_code == 403
    assert not Person.objects.exists()


def test_every_problem_of_a_form_is_shown_at_once(caseworker, client_as):
    response = client_as(caseworker).post(reverse("people:create"), {
        "full_name": "Хава", "date_of_birth": "31.02.1990", "phones": "no number", "messengers": "bad"})
    page = response.content.decode()
    assert "That date does not exist." in page and "does not look like a phone number" in page
    assert "as “App: handle”" in page and page.count('class="error"') == 3
