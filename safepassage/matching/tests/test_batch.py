"""Matching a batch (an import) gives exactly what writing the same records one by one gives: the same
candidates in the same order, the same suggestions, the same keys and counts, the same audit."""
import random
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.audit.models import AuditEvent
from safepassage.matching import batch, services
from safepassage.matching.candidates import SELECTIVE_HOLDERS, lookup
from safepassage.matching.keys import KIND_PAIR, MatchInput, record_keys
from safepassage.matching.models import MatchKey, MatchKeyCount, MatchSuggestion
from safepassage.matching.scoring import SUGGEST_AT, profile, score_profiles
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create

LIMIT = 12
GIVEN = ["Магомед", "Magomed", "Mahomed", "Muhammad", "Ислам", "Islam", "Рамзан", "Ramzan", "Зарема", "Мага"]
FAMILY = ["Ибрагимов", "Ibragimov", "Ibrahimov", "Дудаев", "Dudaev", "Умаров", "Umarov"]
FATHER = ["", "Ибрагимович", "Ibragimovich", "Ахмедович"]
BORN = ["", "1990", "1990-05", "1990-05-12", "12.05.1990", "1991", "1989", "1985-02-03"]
PHONES = ["", "+7 928 123-45-67", "89281234567", "+7 (928) 765 43 21", "8 900 000 00 01"]


def make_record(rng: random.Random) -> MatchInput:
    words = [rng.choice(GIVEN), rng.choice(FATHER), rng.choice(FAMILY)]
    if rng.random() < 0.3:
        words.reverse()
    phone = rng.choice(PHONES)
    return MatchInput(full_name=" ".join(w for w in words if w), date_of_birth=rng.choice(BORN),
                      phones=(phone,) if phone else ())


def one_by_one(records, ids, earlier=()):
    """``candidates.lookup`` for each record in turn, over a dict standing in for the MatchKey table."""
    index = defaultdict(list)
    for person, record in earlier:
        for key in record_keys(record)[1]:
            index[key].append(person)
    out = []
    for person, record in zip(ids, records):
        looked_up, stored = record_keys(record)
        out.append(lookup(
            {key: key[0] for key in looked_up}, limit=LIMIT,
            count=lambda keys: {k: len(index[k]) for k in keys if k in index},
            rows_of_digests=lambda keys: [(o, k) for k in keys for o in index.get(k, ())],
            rows_of_people=lambda people, keys: [(o, k) for k in keys for o in index.get(k, ()) if o in people]))
        for key in stored:
            index[key].append(person)
    return out


def in_batch(records, ids, earlier=()):
    keys, stored = batch.batch_keys(records)
    rows = [(person, key) for person, record in earlier for key in record_keys(record)[1]]
    holders = defaultdict(int)
    for _person, key in rows:
        holders[key] += 1
    return batch.batch_pairs(keys, stored, ids, earlier=batch.Earlier(holders=dict(holders), rows=rows),
                             limit=LIMIT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), size=st.integers(1, 70), stored_before=st.integers(0, 30))
def test_a_batch_finds_the_candidates_of_one_by_one_in_the_same_order(seed, size, stored_before):
    rng = random.Random(seed)
    records = [make_record(rng) for _ in range(size)]
    ids = rng.sample(range(10_000), size)  # ties are broken by person id, not by arrival
    earlier = [(person, make_record(rng)) for person in rng.sample(range(20_000, 30_000), stored_before)]
    assert in_batch(records, ids, earlier).candidates() == one_by_one(records, ids, earlier)


def test_common_names_past_every_cap_still_give_the_same_candidates():
    """Forty Magomed Ibragimovs born around 1990 make name pairs and name-year keys common, as in a real
    population: common keys then only add weight to candidates a selective key found."""
    rng = random.Random(7)
    records = [MatchInput(full_name=rng.choice(["Магомед Ибрагимов", "Magomed Ibragimov", "Ибрагимов Магомед"]),
                          date_of_birth=rng.choice(["1990", "1991", "1990-05-12"]),
                          phones=(f"+7 928 000 00 {rng.randrange(30):02d}",)) for _ in range(80)]
    assert 80 > 2 * SELECTIVE_HOLDERS[KIND_PAIR]
    ids = list(range(80))
    earlier = [(1000 + i, record) for i, record in enumerate(records[:25])]
    got = in_batch(records[25:], ids[25:], earlier)
    assert got.candidates() == one_by_one(records[25:], ids[25:], earlier)
    assert len(got.record) > 0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.integers(2, 60))
def test_batch_scores_suggest_exactly_what_scoring_every_candidate_suggests(seed, size):
    rng = random.Random(seed)
    records = [make_record(rng) for _ in range(size)]
    pairs = in_batch(records, list(range(size)))
    profiles = [profile(r) for r in records]
    expected = []
    for r, p, f in zip(pairs.record.tolist(), pairs.person.tolist(), pairs.frequency.tolist()):
        score = score_profiles(profiles[r], profiles[p], f)
        if score.value >= SUGGEST_AT:
            expected.append((r, p, score))
    assert batch.batch_scores(pairs, profiles) == expected


def test_an_empty_batch_and_a_batch_with_no_keys_find_nothing():
    assert batch.batch_candidates([], [], [], limit=LIMIT) == []
    nameless = [MatchInput(), MatchInput(date_of_birth="1990")]
    assert in_batch(nameless, [1, 2]).candidates() == [[], []]


# --- the service, on the database ----------------------------------------------------------------

def _data(rng):
    record = make_record(rng)
    born = record.date_of_birth
    if "." in born:  # the people service takes ISO dates
        day, month, year = born.split(".")
        born = f"{year}-{month}-{day}"
    return PersonData(full_name=record.full_name, date_of_birth=born, phones=list(record.phones))


@pytest.mark.django_db
def test_a_batch_matches_exactly_one_by_one_with_the_same_people(coordinator, org):
    """The same Person rows: matched one by one, their keys and suggestions removed, matched as a batch."""
    rng = random.Random(5)
    rows = [_data(rng) for _ in range(45)] + [PersonData(full_name="Magomed Ibragimov", date_of_birth="1990")] * 17
    people = [person_create(actor=coordinator, organisation=org, data=data) for data in rows[:30]]
    stored_before = len(people)
    people += [person_create(actor=coordinator, organisation=org, data=data) for data in rows[30:]]
    one = {(s.person_a_id, s.person_b_id): (s.score, s.reasons) for s in MatchSuggestion.objects.filter(organisation=org)}
    keys = sorted(MatchKey.objects.filter(organisation=org).values_list("person_id", "kind", "digest"))
    counts = dict(MatchKeyCount.objects.filter(organisation=org).values_list("digest", "holders"))
    assert one

    batch_people = people[stored_before:]
    services._keys_drop([p.pk for p in batch_people])
    MatchSuggestion.objects.filter(person_a__in=batch_people).delete()
    MatchSuggestion.objects.filter(person_b__in=batch_people).delete()
    compared_before = AuditEvent.objects.filter(action="match.compare").count()
    services.match_keys_refresh_many(people=[Person.objects.get(pk=p.pk) for p in batch_people])

    assert {(s.person_a_id, s.person_b_id): (s.score, s.reasons)
            for s in MatchSuggestion.objects.filter(organisation=org)} == one
    assert sorted(MatchKey.objects.filter(organisation=org).values_list("person_id", "kind", "digest")) == keys
    assert {d: n for d, n in MatchKeyCount.objects.filter(organisation=org).values_list("digest", "holders")
            if n} == {d: n for d, n in counts.items() if n}
    # every record with candidates is audited as compared, naming the candidates (decrypted or in hand)
    events = AuditEvent.objects.filter(action="match.compare").order_by("id")[compared_before:]
    assert events and all(e.detail["candidates"] for e in events)


@pytest.mark.django_db
def test_people_of_another_organisation_are_never_candidates_in_a_batch(coordinator, org, other_org):
    person_create(actor=coordinator, organisation=other_org,
                  data=PersonData(full_name="Магомед Ибрагимов", date_of_birth="1990", phones=["+79281234567"]))
    mine = person_create(actor=coordinator, organisation=org, match=False,
                         data=PersonData(full_name="Magomed Ibragimov", date_of_birth="1990", phones=["89281234567"]))
    assert services.match_keys_refresh_many(people=[mine]) == []
    with pytest.raises(ValueError):
        services.match_keys_refresh_many(people=[mine, Person.objects.filter(organisation=other_org).get()])
