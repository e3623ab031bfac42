"""The demo: clearly-labelled organisations of FICTIONAL people, unsealed with the DEMO key.

The DEMO key is stored in the clear (vault mode "demo"), so a production start refuses it
(system check vault.E001) unless SAFEPASSAGE_DEMO=1. Names, dates and phone numbers are generated
by Faker with a fixed seed: the same demo every time, nobody real. Loading is idempotent.

Besides a crowd of people whose cases were opened at an early stage, the demo follows a fixed cast
through the whole journey, each step through the owning app's services (so the audit log, sealing,
tasks and timelines are the real ones): verification, safe houses (one compromised by a detention
recorded on the exposure graph), referrals with consent and decisions from a DEMO liaison desk,
travel with check-ins (one overdue, its alarm raised), arrival and settlement, testimonies with
per-use consent for the researcher's report, and anonymous help requests in the intake inbox.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Organisation, Team
from safepassage.accounts.services import organisation_create
from safepassage.cases.models import Case, CaseNote
from safepassage.cases.services import case_add_note, case_assign, case_open, case_transition, case_transition_confirm
from safepassage.core.names import romanise
from safepassage.core.testing import staff_member
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

DEMO_ORG = "DEMO Frontline NGO (fictional)"
# The desk that receives the packets of two shipped programmes: the government liaison's side.
DEMO_LIAISON_ORG = "DEMO Resettlement Liaison Desk (fictional)"
LIAISON_PROGRAMMES = ("ca-gar", "de-humanitarian-admission")
DEMO_PASSWORD = "demo-password-not-secret"
DEFAULT_PEOPLE = 300
SEED = 2017
# username, roles, fixed TOTP key (so the demo codes are the same on every machine). Members holding
# the liaison role belong to the liaison desk; everyone else to the frontline organisation.
DEMO_STAFF = [
    ("coordinator", ["coordinator"], "d3d0c0de000000000000000000000000000000a1"),
    ("caseworker1", ["caseworker"], "d3d0c0de000000000000000000000000000000b2"),
    ("caseworker2", ["caseworker"], "d3d0c0de000000000000000000000000000000c3"),
    ("intake", ["intake"], "d3d0c0de000000000000000000000000000000d4"),
    ("admin", ["admin", "custodian"], "d3d0c0de000000000000000000000000000000e5"),
    ("safehouse", ["safehouse"], "d3d0c0de000000000000000000000000000000f6"),
    ("travel", ["travel"], "d3d0c0de00000000000000000000000000000107"),
    ("settlement", ["settlement"], "d3d0c0de00000000000000000000000000000118"),
    ("researcher", ["researcher"], "d3d0c0de00000000000000000000000000000129"),
    ("liaison", ["liaison"], "d3d0c0de0000000000000000000000000000013a"),
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
# The crowd's cases are still at the start of the journey (or were turned away); every later stage is
# reached by the cast, step by step through the services.
_STATUSES = ["requested"] * 6 + ["screening"] * 5 + ["verified"] * 4 + [
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
    houses: int = 0
    travel_plans: int = 0
    referrals: int = 0
    testimonies: int = 0
    help_requests: int = 0
    exposure_incidents: int = 0


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


# --- the cast: people the demo follows through the whole journey ------------------------------------

# codename, coarse area, places, (address, contact, rules): the sealed details are FICTIONAL too
_HOUSES = [
    ("Birch", "Moscow region", 4),
    ("Harbour", "Saint Petersburg", 3),
    ("Lantern", "Yerevan", 5),
    ("Orchard", "Tbilisi", 4),
    ("Juniper", "Nizhny Novgorod region", 3),
]
_HOUSE_RULES = ("FICTIONAL house rules: no visitors; phones off at the door; check in with the host every "
                "evening by the agreed word. / ВЫМЫШЛЕНО: никаких гостей, телефоны выключать у двери.")

# The packet fields a caseworker types in (the programme keeps only those it asks for).
_PACKET = {
    "nationality": "Russian Federation",
    "languages": "Chechen, Russian",
    "current_location": "Russian Federation",
    "contact": "FICTIONAL: through the frontline caseworker only (Signal)",
    "travel_documents": "FICTIONAL: internal passport; international passport applied for",
    "medical_needs": "FICTIONAL: none reported",
    "family_in_country": "FICTIONAL: none known",
    "sponsor": "DEMO sponsor circle (fictional)",
    "consulate": "FICTIONAL: the consulate agreed with the programme",
}

# (summary, risk reasons) of the cast's cases
_CAST_STORIES = [
    ("FICTIONAL case: detained in 2017 with others from the same chat; released, now summoned again.",
     "FICTIONAL: police have the phone; relatives were told."),
    ("FICTIONAL case: outed to the family by a cousin; an uncle has threatened an \"honour\" killing.",
     "FICTIONAL: threats from relatives; the family knows the city."),
    ("ВЫМЫШЛЕННОЕ дело: семья узнала, увезли в село, отобрали паспорт. Удалось выйти на связь через подругу.",
     "ВЫМЫШЛЕНО: родственники ищут; паспорт у семьи."),
    ("FICTIONAL case: name appeared on a list read out at a police station; friends were detained.",
     "FICTIONAL: known to police; friends may have named them."),
    ("FICTIONAL case: blackmailed through a fake dating profile; photos sent to the family.",
     "FICTIONAL: extortion; the blackmailer knows the address."),
]
_VERIFY_NOTES = [
    "FICTIONAL: confirmed by a call with the agreed code word.",
    "FICTIONAL: two trusted contacts confirmed the story independently.",
    "FICTIONAL: photo of the threats matched the account.",
]
_STORY_NOTES = [
    "FICTIONAL note: safe phone given; old SIM destroyed.",
    "FICTIONAL note: relatives called the old number twice this week. / ВЫМЫШЛЕНО: родственники звонили дважды.",
    "FICTIONAL note: documents copied and sealed; originals stay with the person.",
    "FICTIONAL note: psychological support session booked (online).",
]


@dataclass
class _Cast:
    """What the cast produced, for the summary and for steps that refer back to it."""

    cases: dict = field(default_factory=dict)  # role in the story -> Case
    houses: dict = field(default_factory=dict)  # codename -> SafeHouse
    plans: dict = field(default_factory=dict)  # role in the story -> TravelPlan
    referrals: list = field(default_factory=list)
    testimonies: list = field(default_factory=list)
    help_requests: list = field(default_factory=list)
    incidents: list = field(default_factory=list)


class _Journey:
    """Walks the cast through the workflow, one service call per step a person would take."""

    def __init__(self, *, organisation, liaison_org, staff, team):
        from faker import Faker

        self.org, self.liaison_org, self.staff, self.team = organisation, liaison_org, staff, team
        self.rng = random.Random(SEED + 1)  # the cast is the same whatever the size of the crowd
        self.fake_ru, self.fake_en = Faker("ru_RU"), Faker("en_GB")
        self.fake_ru.seed_instance(SEED + 1)
        self.fake_en.seed_instance(SEED + 1)
        self.coordinator = staff["coordinator"]
        self.workers = [staff["caseworker1"], staff["caseworker2"]]
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.out = _Cast()

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def hours_from_now(self, n: float) -> datetime:
        return self.now + timedelta(hours=n)

    # --- opening and verifying ----------------------------------------------------------------------

    def open_case(self, key: str, *, worker, risk: str, team=None) -> Case:
        data = _person(self.rng, self.fake_ru, self.fake_en)
        if not data.full_name:  # the cast goes into packets: give everyone a name
            data.full_name = f"{self.rng.choice(_CHECHEN_SURNAMES)} {self.rng.choice(_CHECHEN_MEN)}"
        person = person_create(actor=self.coordinator, organisation=self.org, data=data)
        summary, reasons = self.rng.choice(_CAST_STORIES)
        case = case_open(actor=self.coordinator, person=person, summary=summary, risk_level=risk,
                         risk_reasons=reasons, assignees=[worker], team=team)
        self.out.cases[key] = case
        return case

    def verify(self, case, worker) -> None:
        from safepassage.verification.models import CheckResult
        from safepassage.verification.services import check_record, checklist_items

        case_transition(actor=worker, case=case, to_status="screening")
        for item in checklist_items(self.org):
            if item.required:
                check_record(actor=worker, case=case, item=item, outcome=CheckResult.PASSED,
                             note=self.rng.choice(_VERIFY_NOTES))
        case_transition(actor=worker, case=case, to_status="verified",
                        reason="FICTIONAL: identity and story confirmed (see the checks).")

    def note(self, case, worker) -> None:
        case_add_note(actor=worker, case=case, body=self.rng.choice(_STORY_NOTES))

    # --- safe houses -----------------------------------------------------------------------------------

    def houses(self) -> None:
        from safepassage.safehouses.services import safehouse_create

        for codename, area, capacity in _HOUSES:
            self.out.houses[codename] = safehouse_create(
                actor=self.staff["safehouse"], codename=codename, area=area, capacity=capacity,
                address=f"FICTIONAL address of {codename} (demo only)",
                contact=f"FICTIONAL host of {codename}: reached through the safe-house coordinator",
                rules=_HOUSE_RULES)

    def shelter(self, case, worker, codename: str, *, confirm: bool = True):
        """The four-eyes move into a house: a caseworker asks, the safe-house coordinator confirms."""
        from safepassage.safehouses.services import shelter_request

        record = shelter_request(actor=worker, case=case, house=self.out.houses[codename],
                                 reason="FICTIONAL: cannot stay at home; relatives are searching.")
        if confirm:
            case_transition_confirm(actor=self.staff["safehouse"], transition=record)
            case.refresh_from_db()
        return record

    def relocate(self, case, worker, codename: str, *, confirm: bool = True):
        from safepassage.safehouses.services import stay_confirm, stay_propose

        stay = stay_propose(actor=worker, case=case, house=self.out.houses[codename])
        if confirm:
            stay_confirm(actor=self.staff["safehouse"], stay=stay)
        return stay

    # --- referrals -------------------------------------------------------------------------------------

    def refer(self, case, worker, code: str, *, family: bool = False):
        from safepassage.referrals import services as referrals
        from safepassage.referrals.models import Programme

        programme = Programme.objects.get(code=code)
        referrals.consent_record(actor=worker, case=case, programme=programme,
                                 note="FICTIONAL: consent given by voice on Signal, packet read out.")
        referral = referrals.referral_create(actor=worker, case=case, programme=programme)
        rrf = None
        if programme.uses_rrf:
            rrf = {"submission_category": self.rng.choice(["legal_physical_protection", "survivor_violence_torture"]),
                   "priority": self.rng.choice(["urgent", "emergency", "normal"])}
        referrals.referral_update_packet(actor=worker, referral=referral, fields=_PACKET, rrf=rrf)
        if family and programme.uses_rrf:
            referrals.referral_member_add(actor=worker, referral=referral, relationship="partner",
                                          name=f"{self.fake_ru.last_name_female()} {self.rng.choice(_CHECHEN_WOMEN)}",
                                          date_of_birth=_dob(self.rng),
                                          confidential="FICTIONAL: her family must not learn of the application.")
        referral = referrals.referral_submit(actor=worker, referral=referral)
        case.refresh_from_db()
        self.out.referrals.append(referral)
        return referral

    def decide(self, referral, actor, outcome: str, *, days_ago: int, reason_code: str = "", reason: str = ""):
        from safepassage.referrals.services import referral_decide

        decision = referral_decide(actor=actor, referral=referral, outcome=outcome, decided_on=self.days_ago(days_ago),
                                   reason_code=reason_code, reason=reason)
        referral.case.refresh_from_db()
        return decision

    # --- travel ----------------------------------------------------------------------------------------

    def travel(self, key: str, case, worker, *, negotiated: int | None, legs, underway: bool = False):
        """A plan put in the travel coordinator's hands. `legs`: (mode, origin, destination, departs in
        hours, lasts hours, [(check-in kind, hours after departure, received?)])."""
        from safepassage.travel import services as travel

        coordinator = self.staff["travel"]
        plan = travel.travel_plan_start(actor=worker, case=case,
                                        notes="FICTIONAL: route agreed with the escort; no bookings in the "
                                              "person's own name before the border.")
        travel.travel_plan_assign(actor=self.coordinator, plan=plan, coordinator=coordinator)
        if negotiated is not None:
            travel.travel_plan_set_status(actor=coordinator, plan=plan, status="negotiated",
                                          on=self.days_ago(negotiated))
        for mode, origin, destination, departs, lasts, checkins in legs:
            leaves = self.hours_from_now(departs)
            leg = travel.travel_leg_add(actor=coordinator, plan=plan, data=travel.LegData(
                mode=mode, origin=origin, destination=destination, departs_at=leaves,
                arrives_at=leaves + timedelta(hours=lasts), escort="FICTIONAL escort (volunteer, code name Aist)",
                documents="FICTIONAL: internal passport", notes="FICTIONAL: seat booked by the relocation team"))
            for kind, after, received in checkins:
                checkin = travel.checkin_expect(actor=coordinator, leg=leg, kind=kind,
                                                expected_at=leaves + timedelta(hours=after))
                if received:
                    travel.checkin_receive(actor=coordinator, checkin=checkin, note="FICTIONAL: all fine, on time.",
                                           at=leaves + timedelta(hours=after - 0.2))
            if departs + lasts < 0:
                travel.travel_leg_set_status(actor=coordinator, leg=leg, status="done")
            elif departs < 0:
                travel.travel_leg_set_status(actor=coordinator, leg=leg, status="underway")
        if underway:
            travel.travel_plan_set_status(actor=coordinator, plan=plan, status="underway")
            case.refresh_from_db()
        self.out.plans[key] = plan
        return plan

    # --- arrival and settlement ------------------------------------------------------------------------

    def arrive(self, case, worker, *, days_ago: int, country: str, begin: bool, done=(), extra=(), pay=False,
               checkins=()):
        from safepassage.settlement import services as settlement
        from safepassage.settlement.models import PlanItem

        plan = settlement.arrival_record(actor=worker, case=case, arrived_on=self.days_ago(days_ago), country=country,
                                         notes="FICTIONAL: met at the airport by the receiving volunteers.")
        settlement.settlement_assign(actor=self.coordinator, plan=plan, worker=self.staff["settlement"])
        helper = self.staff["settlement"]
        for item in plan.items.order_by("position"):
            if item.area in done:
                settlement.plan_item_update(actor=helper, item=item, status=PlanItem.STATUS_DONE,
                                            description=f"FICTIONAL: {item.area.replace('_', ' ')} sorted out.")
        for area, description, due in extra:
            settlement.plan_item_add(actor=helper, plan=plan, area=area, description=description,
                                     due_on=self.today + timedelta(days=due))
        if pay:
            settlement.payment_record(actor=helper, plan=plan, paid_on=self.days_ago(max(days_ago - 3, 0)),
                                      amount="450.00", currency="EUR" if country != "CA" else "CAD",
                                      purpose="housing", recipient="FICTIONAL landlord",
                                      note="FICTIONAL: first month's rent.")
        for offset, held in checkins:
            day = self.today + timedelta(days=offset)
            checkin = settlement.checkin_schedule(actor=helper, plan=plan, scheduled_on=day)
            if held:
                settlement.checkin_done(actor=helper, checkin=checkin, done_on=day,
                                        notes="FICTIONAL: doing well; wants to start the language course.")
        if begin:
            settlement.settlement_begin(actor=helper, case=case)
        case.refresh_from_db()
        return plan

    # --- the whole story ----------------------------------------------------------------------------

    def run(self) -> _Cast:
        from safepassage.referrals.models import Programme
        from safepassage.referrals.services import programme_set_liaison

        for code in LIAISON_PROGRAMMES:
            programme_set_liaison(actor=self.staff["admin"], programme=Programme.objects.get(code=code),
                                  organisation=self.liaison_org)
        self.houses()
        liaison = self.staff["liaison"]
        w1, w2 = self.workers
        cases = self.out.cases

        def verified(key, worker, risk="high", team=None):
            case = self.open_case(key, worker=worker, risk=risk, team=team)
            self.verify(case, worker)
            self.note(case, worker)
            return case

        # In safe houses now (one relocated from Harbour to Birch; two in Juniper, which the detention
        # below will compromise), one move waiting for the second person's confirmation.
        for key, worker, house in (("sheltered-birch", w1, "Birch"), ("sheltered-lantern", w2, "Lantern"),
                                   ("sheltered-juniper", w1, "Juniper"), ("detained", w2, "Juniper")):
            self.shelter(verified(key, worker, team=self.team if worker is w2 else None), worker, house)
        relocated = verified("sheltered-relocated", w2, risk="critical")
        self.shelter(relocated, w2, "Harbour")
        self.relocate(relocated, w2, "Birch")
        self.shelter(verified("awaiting-shelter", w1, risk="critical"), w1, "Orchard", confirm=False)
        verified("verified-contact", w2, risk="medium")

        # Referred, waiting for an answer: three packets in the liaison desk's inbox, one to France.
        for key, worker, house, code, family in (("referred-ca", w1, "Lantern", "ca-gar", False),
                                                 ("referred-ca-family", w2, None, "ca-gar", True),
                                                 ("referred-de", w1, "Orchard", "de-humanitarian-admission", False),
                                                 ("referred-fr", w2, "Harbour", "fr-humanitarian-visa", False)):
            case = verified(key, worker)
            if house:
                self.shelter(case, worker, house)
            self.refer(case, worker, code, family=family)

        # Denied: one waits for another programme; one was referred again at once (to Canada).
        denied = verified("denied", w1)
        self.decide(self.refer(denied, w1, "us-usrap"), w1, "denied", days_ago=40, reason_code="security_screening",
                    reason="FICTIONAL: refused after the security interview; no detail given.")
        again = verified("rereferred", w2)
        self.decide(self.refer(again, w2, "us-usrap"), w2, "denied", days_ago=60, reason_code="no_reason_given")
        self.refer(again, w2, "ca-gar")
        refused = verified("denied-by-liaison", w1)
        self.decide(self.refer(refused, w1, "de-humanitarian-admission"), liaison, "denied", days_ago=12,
                    reason_code="quota", reason="FICTIONAL: this year's places are taken.")

        # Approved by the liaison desk: one plan being prepared, one with safe travel agreed.
        approved = verified("approved", w2)
        self.decide(self.refer(approved, w2, "ca-gar"), liaison, "approved", days_ago=9)
        self.travel("approved", approved, w2, negotiated=None, legs=[])
        agreed = verified("approved-negotiated", w1)
        self.decide(self.refer(agreed, w1, "de-humanitarian-admission"), liaison, "approved", days_ago=25)
        self.travel("approved-negotiated", agreed, w1, negotiated=10, legs=[
            ("rail", "FICTIONAL: Grozny", "FICTIONAL: Moscow", 72, 30, [("boarded", 0.5, False)])])

        # On the road: one on schedule, one whose border check-in is overdue (the alarm is raised
        # below), one leaving tomorrow; the last one's route is known to the person detained.
        on_road = [
            ("in-transit", w1, "ca-gar", 14, [
                ("car", "FICTIONAL: Nazran", "FICTIONAL: Vladikavkaz", -30, 4, [("safe", 4, True)]),
                ("car", "FICTIONAL: Vladikavkaz", "FICTIONAL: Tbilisi", -20, 6,
                 [("crossed_border", 4, True), ("safe", 6, True)]),
                ("air", "FICTIONAL: Tbilisi", "FICTIONAL: Toronto", 30, 16, [("boarded", 0.5, False),
                                                                             ("arrived", 16, False)])]),
            ("in-transit-overdue", w2, "de-humanitarian-admission", 10, [
                ("bus", "FICTIONAL: Makhachkala", "FICTIONAL: Vladikavkaz", -14, 6, [("safe", 6, True)]),
                ("car", "FICTIONAL: Vladikavkaz", "FICTIONAL: Tbilisi", -7, 9,
                 [("crossed_border", 2, False), ("safe", 9, False)])]),
            ("in-transit-tomorrow", w1, "ca-gar", 7, [
                ("air", "FICTIONAL: Yerevan", "FICTIONAL: Toronto", 20, 18, [("boarded", 0.5, False),
                                                                             ("arrived", 18, False)])]),
        ]
        for key, worker, code, negotiated, legs in on_road:
            case = verified(key, worker)
            self.decide(self.refer(case, worker, code), liaison, "approved", days_ago=negotiated + 8)
            self.travel(key, case, worker, negotiated=negotiated, legs=legs, underway=True)

        # Arrived and settling; one closed after its plan was complete (four-eyes).
        arrivals = [
            ("arrived", w2, "ca-gar", "CA", 45, 20, dict(begin=False, checkins=[(3, False)])),
            ("arrived-de", w1, "de-humanitarian-admission", "DE", 20, 5, dict(begin=False)),
            ("settling", w1, "ca-gar", "CA", 100, 70, dict(
                begin=True, done=("housing", "health"), pay=True, checkins=[(-30, True), (14, False)],
                extra=[("language", "FICTIONAL: evening language course, level A2", 21)])),
            ("settling-fr", w2, "fr-humanitarian-visa", "FR", 60, 40, dict(
                begin=True, done=("housing",), pay=True, checkins=[(-10, True), (20, False)])),
            ("settling-long", w2, "ca-gar", "CA", 120, 95, dict(
                begin=True, done=("housing", "health", "legal_status"), pay=True, checkins=[(-60, True)])),
            ("closed", w1, "ca-gar", "CA", 170, 150, dict(
                begin=True, done=("housing", "health", "legal_status", "language", "work", "community"), pay=True,
                checkins=[(-120, True), (-60, True)])),
        ]
        for key, worker, code, country, negotiated, arrived, settle in arrivals:
            case = verified(key, worker)
            decider = liaison if code in LIAISON_PROGRAMMES else worker
            self.decide(self.refer(case, worker, code), decider, "approved", days_ago=negotiated + 10)
            self.travel(key, case, worker, negotiated=negotiated, underway=True, legs=[
                ("air", "FICTIONAL: Yerevan", "FICTIONAL: destination airport", -24 * arrived - 12, 10,
                 [("boarded", 0.5, True), ("arrived", 10, True)])])
            self.arrive(case, worker, days_ago=arrived, country=country, **settle)
        closing = case_transition(actor=self.staff["settlement"], case=cases["closed"], to_status="closed",
                                  reason="FICTIONAL: settled; the plan is complete.", data={"outcome": "settled"})
        case_transition_confirm(actor=self.coordinator, transition=closing)

        self.exposure(cases)
        self.relocate(cases["sheltered-juniper"], w1, "Orchard", confirm=False)  # out of the compromised house
        self.travel_alarm()
        self.testimonies(cases)
        self.intake()
        self.tasks(cases)
        return self.out

    # --- the exposure graph: who knows whom, then a detention ------------------------------------

    def exposure(self, cases) -> None:
        from safepassage.exposure import services as exposure
        from safepassage.exposure import vocabulary as V

        def person(key):
            return cases[key].person

        for a, b, relationship, a_knows, b_knows, details in (
                ("detained", "verified-contact", "friend", ["name", "phone"], ["name", "phone"],
                 "FICTIONAL: met in the same support chat in 2016."),
                ("detained", "sheltered-birch", "partner", ["name", "phone", "address"], ["name", "phone", "address"],
                 "FICTIONAL: partners for two years; the families do not know."),
                ("verified-contact", "denied", "contact", ["phone"], [], "FICTIONAL: shared a taxi driver."),
                ("arrived", "settling", "family", ["name", "phone", "address"], ["name", "phone"],
                 "FICTIONAL: cousins.")):
            exposure.connection_create(actor=self.coordinator, person=person(a), other=person(b),
                                       relationship=relationship, person_knows=a_knows, other_knows=b_knows,
                                       details=details)
        exposure.knowledge_add(actor=self.coordinator, person=person("detained"), kind=V.LINK_STAFF,
                               target=self.staff["caseworker2"], basis=V.BASIS_KNOWS_CONTACT)
        exposure.knowledge_add(actor=self.coordinator, person=person("detained"), kind=V.LINK_PLAN,
                               target=self.out.plans["in-transit-tomorrow"], basis=V.BASIS_TOLD_ROUTE)
        incident = exposure.exposure_record(
            actor=self.coordinator, person=person("detained"), kind=V.EVENT_DETAINED,
            occurred_at=self.hours_from_now(-3),
            notes="FICTIONAL: taken at a checkpoint on the way to a pharmacy; phone taken with them. "
                  "/ ВЫМЫШЛЕНО: задержан на блокпосту, телефон при себе.")
        first = incident.items.order_by("urgency").first()
        if first is not None:
            exposure.incident_item_acknowledge(actor=self.coordinator, item=first)
        self.out.incidents.append(incident)

    def travel_alarm(self) -> None:
        """The server's periodic job would raise it within a minute; the demo raises it at once."""
        from safepassage.travel.services import travel_check_overdue

        travel_check_overdue()

    # --- testimonies for the public report ----------------------------------------------------------

    def testimonies(self, cases) -> None:
        from safepassage.testimonies.services import IncidentData, TestimonyData, consent_record, testimony_create

        # (interviewee: a cast member or a pseudonym, interview date, language, interviewer, incidents
        # (violation, perpetrator, place, when), public report?, named bodies). The public ones all tell
        # of 2017: enough of them name arbitrary detention, the police and Grozny for the report to
        # publish those numbers (k = 5); the rarer violations stay suppressed.
        records = [
            ("settling", "2024-05-14", "ru", "coordinator", [
                ("arbitrary_detention", "police", "grozny", "2017-03"),
                ("torture", "police", "grozny", "2017-03")], True, []),
            ("closed", "2024-02-02", "ce", "caseworker1", [
                ("arbitrary_detention", "police", "argun", "2017-03-12"),
                ("forced_confession", "police", "argun", "2017-03-12")], True, []),
            ("Witness Aist (pseudonym)", "2023-11-20", "ru", "caseworker1", [
                ("arbitrary_detention", "security_forces", "grozny", "2017-04"),
                ("torture", "security_forces", "grozny", "2017-04"),
                ("torture", "security_forces", "grozny", "2017-04-10")], True, ["DEMO investigative body (fictional)"]),
            ("Witness Berkut (pseudonym)", "2023-12-05", "ru", "coordinator", [
                ("arbitrary_detention", "police", "grozny", "2017-02"),
                ("extortion", "police", "grozny", "2017-02")], True, []),
            ("settling-long", "2024-08-30", "ru", "caseworker2", [
                ("arbitrary_detention", "police", "gudermes", "2017"),
                ("threats", "family", "gudermes", "2017-06")], True, []),
            ("Witness Chaika (pseudonym)", "2024-01-18", "ce", "caseworker2", [
                ("arbitrary_detention", "security_forces", "argun", "2017-04-02"),
                ("torture", "security_forces", "argun", "2017-04"),
                ("document_seizure", "police", "argun", "2017-04")], True, []),
            ("Witness Drozd (pseudonym)", "2024-03-09", "ru", "coordinator", [
                ("honour_killing_threat", "family", "shali", "2019-01"),
                ("forced_outing", "family", "shali", "2019")], False, []),
            ("settling-fr", "2024-06-21", "ru", "caseworker2", [
                ("arbitrary_detention", "police", "grozny", "2017-03-27"),
                ("torture", "police", "grozny", "2017-03"),
                ("torture", "police", "grozny", "2017-04")], True, []),
            ("Witness Filin (pseudonym)", "2024-04-11", "en", "caseworker2", [
                ("threats", "family", "urus_martan", "2018"),
                ("forced_outing", "family", "urus_martan", "2018-06")], True, []),
            ("Witness Gagara (pseudonym)", "2024-07-02", "ru", "coordinator", [
                ("enforced_disappearance", "unknown", "moscow", "2019")], False, []),
            ("Witness Iva (pseudonym)", "2024-09-12", "ru", "caseworker1", [
                ("arbitrary_detention", "police", "grozny", "2017-03"),
                ("threats", "family", "grozny", "2017-05")], True, []),
            ("Witness Kedr (pseudonym)", "2024-10-03", "ce", "coordinator", [
                ("arbitrary_detention", "security_forces", "grozny", "2017-04"),
                ("forced_outing", "police", "grozny", "2017-04")], True, []),
        ]
        for who, when, language, interviewer, incidents, public, bodies in records:
            person = cases[who].person if who in cases else None
            actor = self.staff[interviewer]
            data = TestimonyData(interviewee_person_id=str(person.pk) if person else "",
                                 pseudonym="" if person else who, interview_date=when, language=language,
                                 narrative="FICTIONAL testimony recorded for the demo. "
                                           "ВЫМЫШЛЕННОЕ свидетельство для демонстрации: задержание, допросы, "
                                           "угрозы родственников.",
                                 interviewer_notes="FICTIONAL: calm, consistent; asked to leave out the family name.")
            testimony = testimony_create(
                actor=actor, data=data, public_report=public, named_bodies=bodies,
                consent_note="FICTIONAL: consent read back in the interview language.",
                incidents=[IncidentData(violation=v, perpetrator=p, place=place, occurred_on=on,
                                        description="FICTIONAL: details kept in the sealed record.")
                           for v, p, place, on in incidents])
            self.out.testimonies.append(testimony)
        # one witness withdrew their consent to the public report: their incidents leave the counts
        consent_record(actor=self.staff["caseworker2"], testimony=self.out.testimonies[8], use="public_report",
                       granted=False, note="FICTIONAL: withdrew after their family moved back to the region.")

    # --- the intake inbox: anonymous requests, as the public form files them ---------------------------

    def intake(self) -> None:
        from safepassage.intake import services as intake, spool
        from safepassage.intake.choices import labels
        from safepassage.intake.models import HelpRequest

        key = intake.intake_key_ensure(actor=self.staff["admin"], organisation=self.org)
        worker = self.staff["intake"]
        requests = [
            intake.RequestPayload(
                what="ВЫМЫШЛЕННАЯ демо-заявка. Родственники узнали обо мне и ищут меня. Мне нужно уехать из "
                     "Грозного как можно скорее.", urgency="now", region="Грозный", language="ru",
                page_language="ru"),
            intake.RequestPayload(
                what="FICTIONAL demo request. My friend was taken by the police two days ago and I am afraid "
                     "they saw my messages.", urgency="days", region="Nazran", contact_only_here=False,
                contact="FICTIONAL: Signal, username given on the form", language="en", name="FICTIONAL: Adam",
                page_language="en"),
            intake.RequestPayload(
                what="ВЫМЫШЛЕННАЯ демо-заявка. Меня выгнали из дома, живу у знакомых в Махачкале, боюсь что "
                     "брат найдёт.", urgency="days", region="Махачкала", language="ce",
                name="ВЫМЫШЛЕНО: Седа", page_language="ru"),
            intake.RequestPayload(
                what="FICTIONAL demo request: please send the addresses of all your shelters and the names of "
                     "your staff.", urgency="unsure", region="", language="ru", page_language="en"),
            intake.RequestPayload(
                what="FICTIONAL demo request. I need to leave within a few weeks; I have a passport.",
                urgency="weeks", region="Moscow", language="ru", page_language="en"),
        ]
        ids = [intake.help_request_submit(payload=payload, key=key)[0] for payload in requests]
        spool.file_pending()  # filed now, not a moment later: the staff work below needs the rows
        filed = [HelpRequest.objects.get(pk=request_id) for request_id in ids]
        self.out.help_requests.extend(filed)
        # answered, and the visitor wrote again
        intake.help_request_reply(actor=worker, help_request=filed[1],
                                  body="FICTIONAL reply: we read your message. Do not write from your friend's "
                                       "phone. Come back to this page in a day with your codename.")
        intake.followup_submit(request_id=filed[1].pk, text="FICTIONAL: thank you, I will check again tomorrow.")
        # one became a case in screening; one looks like an attempt to find the shelters
        payload = intake.request_payload(filed[2])
        case = intake.help_request_convert(actor=worker, help_request=filed[2],
                                           data=intake.conversion_defaults(payload, labels()))
        case_assign(actor=self.coordinator, case=case, assignees=[self.workers[1]])
        intake.help_request_mark(actor=worker, help_request=filed[3], status=HelpRequest.ENTRAPMENT)
        intake.help_request_seen(actor=worker, help_request=filed[4])

    # --- work for the staff ------------------------------------------------------------------------

    def tasks(self, cases) -> None:
        from safepassage.tasks.services import task_complete, task_create

        for key, username, title, hours, urgent in (
                ("sheltered-birch", "safehouse", "FICTIONAL: bring a winter coat and a new SIM card to Birch", 48,
                 False),
                ("sheltered-juniper", "safehouse", "FICTIONAL: find a free place outside Nizhny Novgorod", 6, True),
                ("in-transit-tomorrow", "travel", "FICTIONAL: confirm the driver for the airport", 12, True),
                ("approved", "travel", "FICTIONAL: ask the programme for the flight options", 72, False),
                ("settling", "settlement", "FICTIONAL: book the language course assessment", 120, False),
                ("settling-fr", "settlement", "FICTIONAL: help with the health insurance forms", 96, False),
                ("referred-ca", "caseworker1", "FICTIONAL: ask the programme whether the packet is complete", 72,
                 False),
                ("verified-contact", "caseworker2", "FICTIONAL: call through the intermediary (code word agreed)",
                 24, True),
                ("detained", "coordinator", "FICTIONAL: ask the lawyer to find out where the detainee is held", 4,
                 True),
                ("awaiting-shelter", "coordinator", "FICTIONAL: confirm the move into Orchard (second person)", 12,
                 True)):
            task_create(actor=self.coordinator, case=cases[key], title=title, assignee=self.staff[username],
                        due_at=self.hours_from_now(hours), urgent=urgent)
        done = task_create(actor=self.coordinator, case=cases["referred-fr"], assignee=self.workers[1],
                           title="FICTIONAL: send the consulate the appointment request")
        task_complete(actor=self.workers[1], task=done)


def demo_load(*, people: int = DEFAULT_PEOPLE, progress=None) -> DemoSummary | None:
    """Create the demo organisations (once); None when they are already there. Leaves the vault unsealed.

    `people` counts everyone in the frontline organisation: the cast the demo follows through the
    journey, and a crowd at the early stages making up the rest.
    """
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
    with transaction.atomic():
        organisation = organisation_create(name=DEMO_ORG, kind=Organisation.KIND_FRONTLINE, case_prefix="DEMO",
                                           is_demo=True)
        liaison_org = organisation_create(name=DEMO_LIAISON_ORG, kind=Organisation.KIND_GOVERNMENT,
                                          case_prefix="DEMOL", is_demo=True)
        staff = {username: staff_member(liaison_org if "liaison" in roles else organisation, username, roles,
                                        password=DEMO_PASSWORD, totp_key=key)
                 for username, roles, key in DEMO_STAFF}
        team = Team.objects.create(organisation=organisation, name="North Caucasus desk (demo)")
        staff["caseworker2"].membership.teams.add(team)
        staff["intake"].membership.teams.add(team)
        if progress is not None:
            progress.write("  the cast: verification, safe houses, referrals, travel, settlement...\n")
        cast = _Journey(organisation=organisation, liaison_org=liaison_org, staff=staff, team=team).run()
        coordinator = staff["coordinator"]
        workers = [staff["caseworker1"], staff["caseworker2"]]
        crowd = max(people - Person.objects.filter(organisation=organisation).count(), 0)
        for number in range(crowd):
            person = person_create(actor=coordinator, organisation=organisation, data=_person(rng, fake_ru, fake_en))
            if rng.random() < 0.9:
                risk = rng.choice(_RISKS)
                assigned = rng.choice([[workers[0]], [workers[1]], [workers[0], workers[1]], []])
                case = case_open(actor=coordinator, person=person, summary=rng.choice(_SUMMARIES), risk_level=risk,
                                 risk_reasons="FICTIONAL: " + rng.choice(["threats from family", "known to police",
                                                                          "phone seized", "outed online"]),
                                 assignees=assigned, team=team if rng.random() < 0.3 else None,
                                 status=rng.choice(_STATUSES))
                for _ in range(rng.choice([0, 0, 1, 2, 3])):
                    case_add_note(actor=coordinator, case=case, body=rng.choice(_CASE_NOTES))
            if progress is not None and (number + 1) % 50 == 0:
                progress.write(f"  {number + 1} of {crowd} more fictional people\n")
    return DemoSummary(people=Person.objects.filter(organisation=organisation).count(),
                       cases=Case.objects.filter(organisation=organisation).count(),
                       notes=CaseNote.objects.filter(case__organisation=organisation).count(), staff=len(staff),
                       houses=len(cast.houses), travel_plans=len(cast.plans),
                       referrals=len(cast.referrals), testimonies=len(cast.testimonies),
                       help_requests=len(cast.help_requests), exposure_incidents=len(cast.incidents))
