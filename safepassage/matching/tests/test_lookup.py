"""Lookups check each digest's holder count first and fetch rows of selective digests only; the counts
stay exact through every write, merge and deletion; the candidates are those a full fetch gives."""
import random

import pytest
from django.db.models import Count

from safepassage.matching import selectors, services
from safepassage.matching.candidates import SELECTIVE_HOLDERS, lookup, select_candidates
from safepassage.matching.keys import KIND_NAME_YEAR, KIND_PAIR, KIND_PATRONYMIC_PAIR, KIND_PHONE, MatchInput
from safepassage.matching.models import MatchKey, MatchKeyCount
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create, person_delete, person_update


def record(actor, org, **fields) -> Person:
    return person_create(actor=actor, organisation=org, data=PersonData(**fields))


def counted(org=None):
    counts = MatchKeyCount.objects.filter(holders__gt=0)
    if org is not None:
        counts = counts.filter(organisation=org)
    return {(o, d): n for o, d, n in counts.values_list("organisation_id", "digest", "holders")}


def recounted(org=None):
    keys = MatchKey.objects.all() if org is None else MatchKey.objects.filter(organisation=org)
    return {(o, d): n for o, d, n in keys.values_list("organisation_id", "digest").annotate(n=Count("pk")).order_by()}


def full_fetch(subject, org):
    """The lookup as it was: every row of every looked-up digest, counted on the spot."""
    wanted = {selectors.key_digest(kind, value): kind
              for kind, value in selectors.lookup_keys(MatchInput.of(subject))}
    excluded = {subject.pk} if isinstance(subject, Person) else set()
    rows = [row for row in MatchKey.objects.filter(organisation=org, digest__in=list(wanted))
            .values_list("person_id", "digest") if row[0] not in excluded]
    return select_candidates(rows, wanted, limit=selectors.CANDIDATE_LIMIT)


def test_holder_counts_follow_every_write_merge_and_deletion(coordinator, org):
    a = record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990", phones=["+7 928 123-45-67"])
    b = record(coordinator, org, full_name="Magomed Ibragimov", date_of_birth="1990")
    c = record(coordinator, org, full_name="Ruslan Dudaev", date_of_birth="1985")
    assert counted(org) == recounted(org)
    person_update(actor=coordinator, person=c, data=PersonData(full_name="Ruslan Ibragimov", date_of_birth="1990"))
    assert counted(org) == recounted(org)
    merge = services.person_merge(actor=coordinator, keep=a, merge=b)
    assert counted(org) == recounted(org)
    services.person_unmerge(actor=coordinator, merge_record=merge)
    assert counted(org) == recounted(org)
    person_delete(actor=coordinator, person=Person.objects.get(pk=b.pk))
    assert counted(org) == recounted(org)
    Person.objects.filter(pk=c.pk).delete()  # a deletion that bypasses the service still counts out
    assert counted(org) == recounted(org)
    assert sum(counted(org).values()) == MatchKey.objects.filter(organisation=org).count()


def test_an_unchanged_record_rewrites_no_key(coordinator, org):
    person = record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990")
    ids = set(MatchKey.objects.filter(person=person).values_list("pk", flat=True))
    services.match_keys_refresh(person=Person.objects.get(pk=person.pk))
    assert set(MatchKey.objects.filter(person=person).values_list("pk", flat=True)) == ids
    assert counted(org) == recounted(org)


def test_the_rebuild_gives_the_same_counts(coordinator, org):
    record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990")
    record(coordinator, org, full_name="Magomed Ibragimov", date_of_birth="1991")
    before = counted(org)
    MatchKeyCount.objects.filter(organisation=org).update(holders=99)
    services.match_key_counts_rebuild(organisation=org)
    assert counted(org) == before == recounted(org)


def test_a_common_name_finds_the_same_candidates_as_fetching_every_row(coordinator, org):
    """Twenty Magomed Ibragimovs born in 1990 make the name pair and the name-year keys common."""
    cap = SELECTIVE_HOLDERS[KIND_PAIR]
    for i in range(cap + 5):
        record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990", phones=[f"+7 928 000 00 {i:02d}"])
    twin = record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990-05-12",
                  phones=["+7 916 555 11 22"])
    new = {"full_name": "Magomed Ibragimov", "date_of_birth": "1990", "phones": ["8 916 555 11 22"]}
    found = selectors.candidates_for(new, organisation=org)
    assert [c.person_id for c in found] == [c.person_id for c in full_fetch_plain(new, org)]
    assert found[0].person_id == twin.pk and found[0].name_frequency == cap + 6
    assert selectors.candidates_for(twin) == full_fetch(twin, org)


def full_fetch_plain(subject, org):
    wanted = {selectors.key_digest(kind, value): kind
              for kind, value in selectors.lookup_keys(MatchInput.of(subject))}
    rows = list(MatchKey.objects.filter(organisation=org, digest__in=list(wanted)).values_list("person_id", "digest"))
    return select_candidates(rows, wanted, limit=selectors.CANDIDATE_LIMIT)


def test_the_subject_own_keys_do_not_count_towards_its_holders(coordinator, org):
    """From its own side a record's keys are held by the others only, as they were before counts."""
    people = [record(coordinator, org, full_name="Магомед Ибрагимов", date_of_birth="1990")
              for _ in range(SELECTIVE_HOLDERS[KIND_PAIR] + 1)]  # one above the cap, counting the subject
    subject = people[-1]
    assert selectors.candidates_for(subject) == full_fetch(subject, org)
    assert selectors.candidates_for(subject)  # 15 others: still selective from the subject's side


# --- the strategy itself, on in-memory tables ------------------------------------------------------

KINDS = [KIND_PAIR, KIND_PATRONYMIC_PAIR, KIND_NAME_YEAR, KIND_PHONE]


class Table:
    """A MatchKey table stand-in that records what each lookup fetched."""

    def __init__(self, rows):
        self.rows = rows
        self.fetched_digests: list = []
        self.fetched_rows = 0

    def count(self, digests):
        holders = {}
        for _person, digest in self.rows:
            if digest in digests:
                holders[digest] = holders.get(digest, 0) + 1
        return holders

    def rows_of_digests(self, digests):
        self.fetched_digests += digests
        found = [r for r in self.rows if r[1] in digests]
        self.fetched_rows += len(found)
        return found

    def rows_of_people(self, people, digests):
        found = [r for r in self.rows if r[0] in people and r[1] in digests]
        self.fetched_rows += len(found)
        return found


@pytest.mark.parametrize("seed", range(40))
def test_the_strategy_equals_selecting_from_every_row(seed):
    rng = random.Random(seed)
    digests = {f"d{i}": rng.choice(KINDS) for i in range(30)}
    weights = [rng.paretovariate(1.0) for _ in digests]  # a few digests held by very many
    rows = set()
    for person in range(400):
        for digest in rng.choices(list(digests), weights=weights, k=rng.randint(1, 6)):
            rows.add((person, digest))
    rows = sorted(rows)
    wanted = {d: digests[d] for d in rng.sample(list(digests), 12)}
    table = Table(rows)
    got = lookup(wanted, count=table.count, rows_of_digests=table.rows_of_digests,
                 rows_of_people=table.rows_of_people, limit=12)
    expected = select_candidates([r for r in rows if r[1] in wanted], wanted, limit=12)
    assert got == expected


def test_rows_of_a_common_digest_are_never_fetched_whole():
    common = [(person, "magomed-1990") for person in range(5000)]
    rows = common + [(7, "phone"), (7, "pair"), (8, "pair")]
    wanted = {"magomed-1990": KIND_NAME_YEAR, "phone": KIND_PHONE, "pair": KIND_PAIR}
    table = Table(rows)
    found = lookup(wanted, count=table.count, rows_of_digests=table.rows_of_digests,
                   rows_of_people=table.rows_of_people, limit=12)
    assert "magomed-1990" not in table.fetched_digests
    assert table.fetched_rows == 5  # the phone row, two pair rows, and the common key of people 7 and 8
    assert [c.person_id for c in found] == [7, 8]


def reference_selection(rows, kind_of, *, limit):
    """The ranking written plainly, one set of kinds per person: what ``select_candidates`` must give."""
    from safepassage.matching.candidates import WEAK_LIMIT, Candidate, is_selective
    from safepassage.matching.keys import KEY_WEIGHTS
    from safepassage.matching.scoring import may_be_suggested

    holders = {}
    for _person, digest in rows:
        holders[digest] = holders.get(digest, 0) + 1
    found = {person for person, digest in rows if is_selective(kind_of[digest], holders[digest])}
    weights, kinds, frequency = {}, {}, {}
    for person, digest in rows:
        if person in found:
            kind = kind_of[digest]
            weights[person] = weights.get(person, 0) + KEY_WEIGHTS[kind]
            kinds.setdefault(person, set()).add(kind)
            if kind == KIND_PAIR:
                frequency[person] = min(frequency.get(person, holders[digest]), holders[digest])
    kept = [p for p in weights if may_be_suggested(kinds[p], frequency.get(p, 1))]
    strong = sorted((-weights[p], p) for p in kept if weights[p] >= 2)[:limit]
    weak = sorted((-weights[p], p) for p in kept if weights[p] < 2)[:max(0, min(WEAK_LIMIT, limit - len(strong)))]
    return [Candidate(p, weights[p], frequency.get(p, 1), frozenset(kinds[p])) for _w, p in strong + weak]


@pytest.mark.parametrize("seed", range(60))
def test_the_ranking_is_the_plain_one(seed):
    rng = random.Random(seed)
    digests = {f"d{i}": rng.choice(KINDS) for i in range(20)}
    weights = [rng.paretovariate(1.5) for _ in digests]
    rows = set()
    for person in range(rng.choice([10, 60, 300])):
        for digest in rng.choices(list(digests), weights=weights, k=rng.randint(1, 5)):
            rows.add((person, digest))
    wanted = {d: digests[d] for d in rng.sample(list(digests), 10)}
    rows = sorted(r for r in rows if r[1] in wanted)
    for limit in (1, 3, 12):
        assert select_candidates(rows, wanted, limit=limit) == reference_selection(rows, wanted, limit=limit)


def test_a_candidate_kept_at_any_name_frequency_is_kept_at_every_one():
    """The ranking skips the name-frequency check for kinds kept even when the name is held by
    everyone: that holds because a name shared by more people can only count for less."""
    from itertools import combinations

    from safepassage.matching.scoring import may_be_suggested

    for size in range(len(KINDS) + 1):
        for kinds in combinations(KINDS, size):
            kept = [may_be_suggested(frozenset(kinds), n) for n in (*range(1, 200), 2**62)]
            assert kept == sorted(kept, reverse=True)  # once dropped, dropped for every larger count
