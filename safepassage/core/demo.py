"""The demo: a clearly-labelled organisation of FICTIONAL people, unsealed with the DEMO key.

The DEMO key is stored in the clear (vault mode "demo"), so a production start refuses it
(system check vault.E001) unless SAFEPASSAGE_DEMO=1. Names, dates and phone numbers are generated
by Faker with a fixed seed: the same demo every time, nobody real. Loading is idempotent.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from safepassage.accounts.models import Organisation, Team
from safepassage.accounts.services import organisation_create
from safepassage.cases.models import Case
from safepassage.cases.services import case_add_note, case_open
from safepassage.core.names import romanise
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

DEMO_ORG = "DEMO Frontline NGO (fictional)"
DEMO_PASSWORD = "demo-password-not-secret"
DEFAULT_PEOPLE = 300
SEED = 2017
# username, roles, fixed TOTP key (so the demo codes are the same on every machine)
DEMO_STAFF = [
    ("coordinator", ["coordinator"], "d3d0c0de000000000000000000000000000000a1"),
    ("caseworker1", ["caseworker"], "d3d0c0de000000000000000000000000000000b2"),
    ("caseworker2", ["caseworker"], "d3d0c0de000000000000000000000000000000c3"),
    ("intake", ["intake"], "d3d0c0de000000000000000000000000000000d4"),
    ("admin", ["admin", "custodian"], "d3d0c0de000000000000000000000000000000e5"),
]

# Common Chechen given names and surname stems; combined at random they name nobody in particular.
_CHECHEN_MEN = ["Магомед", "Ибрагим", "Зелимхан", "Аслан", "Муса", "Лема", "Заур", "Адам", "Ислам", "Ахмед",
                "Хасан", "Руслан", "Салман", "Умар", "Бислан", "Тимур", "Алихан", "Шамиль", "Висхан", "Рустам"]
_CHECHEN_WOMEN = ["Хава", "Седа", "Мадина", "Малика", "Зарема", "Айшат", "Луиза", "Петимат", "Марьям", "Милана",
                  "Хеда", "Зулай", "Тамара", "Асет", "Мата"]
_CHECHEN_SURNAMES = ["Мусаев", "Алиев", "Умаров", "Абдулаев", "Магомадов", "Хасанов", "Садулаев", "Байсаров",
                     "Ахматов", "Эльмурзаев", "Дадаев", "Исаев", "Цуев", "Гайрбеков", "Межиев", "Тагаев"]
_PLACES = ["Грозный", "Гудермес", "Аргун", "Шали", "Урус-Мартан", "Назрань", "Махачкала", "Нальчик",
           "Москва", "Санкт-Петербург", "Ростов-на-Дону", "Ереван", "Тбилиси", "Стамбул", "Vilnius",
           "Berlin", "Toronto", "safe house (pseudonym: Birch)", "safe house (pseudonym: Harbour)", ""]
_SELF_DESCRIBED = ["трансгендерная женщина", "genderqueer", "трансгендерный мужчина", "queer", "agender"]
_NOTES = [
    "FICTIONAL demo record. First contact through a trusted intermediary.",
    "FICTIONAL. Family is searching; avoid calls in the evening.",
    "FICTIONAL. Phone may be checked by relatives: Signal only, no voice messages.",
    "FICTIONAL. Has no international passport; internal passport held by family.",
    "FICTIONAL. Was detained briefly; fears others were named.",
    "",
]
_SUMMARIES = [
    "FICTIONAL case: requested help after threats from relatives.",
    "FICTIONAL case: needs a safe house while documents are arranged.",
    "FICTIONAL case: referral to a resettlement programme under discussion.",
    "FICTIONAL case: verification pending; contact came through a new channel.",
]
_CASE_NOTES = [
    "FICTIONAL note: verification call done with the agreed code word.",
    "FICTIONAL note: moved to a safer phone number.",
    "FICTIONAL note: travel documents requested.",
    "FICTIONAL note: check-in missed; followed up through the intermediary.",
]
_STATUSES = ["requested"] * 6 + ["screening"] * 5 + ["verified"] * 4 + ["sheltered"] * 3 + [
    "referred", "referred", "approved", "denied", "in_transit", "arrived", "settling", "closed",
    "rejected", "unreachable", "duplicate", "entrapment_suspected"]
_RISKS = ["critical"] + ["high"] * 3 + ["medium"] * 4 + ["low"] * 2


class DemoRefused(Exception):
    """This data directory holds a real vault: the demo never mixes with real data."""


@dataclass(frozen=True)
class DemoSummary:
    people: int
    cases: int
    notes: int
    staff: int


def demo_exists() -> bool:
    return Organisation.objects.filter(name=DEMO_ORG, is_demo=True).exists()


def _unseal_demo() -> None:
    state = vault.state()
    if state is None:
        vault.initialise(mode=VaultState.MODE_DEMO)
    elif state.mode != VaultState.MODE_DEMO:
        raise DemoRefused("This data directory has a real vault; the demo needs its own data directory "
                          "(set SAFEPASSAGE_DATA_DIR to an empty folder).")
    elif not vault.is_unsealed():
        vault.unseal_with_key(vault.demo_master_key())


def _phone(rng: random.Random) -> str:
    code = rng.choice(["928", "938", "929", "963", "925", "916"])
    digits = f"{rng.randrange(10**7):07d}"
    style = rng.randrange(3)
    if style == 0:
        return f"+7 {code} {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    if style == 1:
        return f"8 ({code}) {digits}"
    return f"+7{code}{digits}"


def _dob(rng: random.Random) -> str:
    year = rng.randrange(1965, 2007)
    kind = rng.random()
    if kind < 0.15:
        return ""
    if kind < 0.4:
        return str(year)
    if kind < 0.55:
        return f"{year}-{rng.randrange(1, 13):02d}"
    return f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def _gender(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.55:
        return "man", ""
    if roll < 0.85:
        return "woman", ""
    if roll < 0.9:
        return "nonbinary", ""
    if roll < 0.95:
        return "self", rng.choice(_SELF_DESCRIBED)
    if roll < 0.98:
        return "undisclosed", ""
    return "", ""


def _person(rng: random.Random, fake_ru, fake_en) -> PersonData:
    gender, described = _gender(rng)
    female = gender == "woman" or (gender in ("self", "nonbinary") and rng.random() < 0.5)
    roll = rng.random()
    if roll < 0.55:  # a Chechen name in Cyrillic, with a Latin spelling and a short form
        given = rng.choice(_CHECHEN_WOMEN if female else _CHECHEN_MEN)
        surname = rng.choice(_CHECHEN_SURNAMES) + ("а" if female else "")
        full_name = f"{surname} {given}"
        other = [romanise(f"{given} {surname}").title()]
        if rng.random() < 0.3:
            other.append(given[:4])
    elif roll < 0.85:  # a Russian name from Faker, Cyrillic
        full_name = fake_ru.name_female() if female else fake_ru.name_male()
        other = [romanise(full_name).title()] if rng.random() < 0.5 else []
    elif roll < 0.95:  # only a Latin spelling is known
        given = rng.choice(_CHECHEN_WOMEN if female else _CHECHEN_MEN)
        full_name = romanise(f"{given} {rng.choice(_CHECHEN_SURNAMES)}").title()
        other = []
    else:  # no name yet: only a nickname from the first contact
        full_name = ""
        other = [fake_en.first_name()]
    phones = [_phone(rng) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
    return PersonData(full_name=full_name, other_names=other, date_of_birth=_dob(rng), gender=gender,
                      gender_self_described=described, phones=phones, current_location=rng.choice(_PLACES),
                      notes=rng.choice(_NOTES))


def demo_load(*, people: int = DEFAULT_PEOPLE, progress=None) -> DemoSummary | None:
    """Create the demo organisation (once); None when it is already there. Leaves the vault unsealed."""
    try:
        from faker import Faker
    except ImportError:
        raise DemoRefused("The demo needs Faker: install safepassage with its test extras "
                          "(pip install -e '.[test]', as `make run` does).") from None

    _unseal_demo()
    if demo_exists():
        return None
    rng = random.Random(SEED)
    fake_ru, fake_en = Faker("ru_RU"), Faker("en_GB")
    fake_ru.seed_instance(SEED)
    fake_en.seed_instance(SEED)
    notes = cases = 0
    with transaction.atomic():
        organisation = organisation_create(name=DEMO_ORG, kind=Organisation.KIND_FRONTLINE, case_prefix="DEMO",
                                           is_demo=True)
        staff = {username: staff_member(organisation, username, roles, password=DEMO_PASSWORD, totp_key=key)
                 for username, roles, key in DEMO_STAFF}
        team = Team.objects.create(organisation=organisation, name="North Caucasus desk (demo)")
        staff["caseworker2"].membership.teams.add(team)
        staff["intake"].membership.teams.add(team)
        coordinator = staff["coordinator"]
        workers = [staff["caseworker1"], staff["caseworker2"]]
        for number in range(people):
            person = person_create(actor=coordinator, organisation=organisation, data=_person(rng, fake_ru, fake_en))
            if rng.random() < 0.9:
                risk = rng.choice(_RISKS)
                assigned = rng.choice([[workers[0]], [workers[1]], [workers[0], workers[1]], []])
                case = case_open(actor=coordinator, person=person, summary=rng.choice(_SUMMARIES), risk_level=risk,
                                 risk_reasons="FICTIONAL: " + rng.choice(["threats from family", "known to police",
                                                                          "phone seized", "outed online"]),
                                 assignees=assigned, team=team if rng.random() < 0.3 else None,
                                 status=rng.choice(_STATUSES))
                cases += 1
                for _ in range(rng.choice([0, 0, 1, 2, 3])):
                    case_add_note(actor=coordinator, case=case, body=rng.choice(_CASE_NOTES))
                    notes += 1
            if progress is not None and (number + 1) % 50 == 0:
                progress.write(f"  {number + 1} of {people} fictional people\n")
    return DemoSummary(people=people, cases=Case.objects.filter(organisation=organisation).count(),
                       notes=notes, staff=len(staff))
