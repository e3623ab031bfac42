"""Choosing the few candidates to decrypt from the rows a blind-index lookup returned.

Pure: the rows are (person id, digest) pairs, whatever stores them (the MatchKey table, or the
benchmark's stand-in), fetched through the callables given to ``lookup``. Three rules keep the work
per lookup small however many people are stored:
- a key held by many people (a common given name with a birth year, the name pair of a Magomed
  Magomedov) finds no new candidate by itself: it only adds weight to candidates a more selective
  key found;
- a candidate whose shared keys cannot add up to a suggestion is dropped (``scoring.may_be_suggested``);
- at most ``limit`` candidates, most shared evidence first, and only a few that share one weak key.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from .keys import KEY_WEIGHTS, KIND_NAME_YEAR, KIND_PAIR, KIND_PATRONYMIC_PAIR, KINDS
from .scoring import may_be_suggested

# a key held by more people than this finds no candidate on its own (phones always do)
SELECTIVE_HOLDERS = {KIND_PAIR: 15, KIND_PATRONYMIC_PAIR: 15, KIND_NAME_YEAR: 50}
WEAK_LIMIT = 3  # candidates sharing a single weak key (a name word and year, a patronymic pair)


class Candidate(NamedTuple):
    person_id: object
    weight: int  # sum of the weights of the keys shared (``keys.KEY_WEIGHTS``)
    name_frequency: int = 1  # people holding the rarest name-pair key shared (1: none shared)
    kinds: frozenset = frozenset()


def is_selective(kind: str, holders: int) -> bool:
    """May a key of `kind` held by `holders` people find a candidate on its own?"""
    cap = SELECTIVE_HOLDERS.get(kind)
    return holders > 0 and (cap is None or holders <= cap)


def lookup(wanted: dict, *, count, rows_of_digests, rows_of_people, limit: int) -> list[Candidate]:
    """The candidates for the looked-up digests `wanted` ({digest: kind}), fetching few rows.

    `count(digests)` gives how many people hold each digest ({digest: holders}, absent when none);
    `rows_of_digests(digests)` and `rows_of_people(people, digests)` give (person id, digest) rows.
    Rows are fetched only for selective digests, and for common ones only those of the people the
    selective ones found: what a lookup reads is bounded by the caps above, whatever the population,
    where fetching every row of "Magomed + 1990" among a million people reads thousands. The result is
    exactly ``select_candidates`` over all the rows (the rows left out could not change it).
    """
    holders = {digest: n for digest, n in count(list(wanted)).items() if n > 0}
    selective, common = [], []
    for digest, n in holders.items():
        (selective if is_selective(wanted[digest], n) else common).append(digest)
    rows = list(rows_of_digests(selective)) if selective else []
    found = {person for person, _digest in rows}
    if found and common:
        rows += rows_of_people(found, common)
    return _ranked(rows, wanted, holders, found, limit)


def select_candidates(rows, kind_of: dict, *, limit: int, holders: dict | None = None) -> list[Candidate]:
    """`rows`: (person id, digest) for every stored key matching a looked-up digest (or, with
    `holders`, the number of people holding each digest, at least those rows of the people that
    selective digests find); `kind_of`: the kind of each looked-up digest."""
    rows = list(rows)
    if holders is None:
        holders = {}
        for _person, digest in rows:
            holders[digest] = holders.get(digest, 0) + 1
    selective = {digest for digest, n in holders.items() if is_selective(kind_of[digest], n)}
    found = {person for person, digest in rows if digest in selective}
    return _ranked(rows, kind_of, holders, found, limit)


# Which kinds a candidate shares, as bits (one int per candidate while ranking, not one set).
_BIT = {kind: 1 << i for i, kind in enumerate(KINDS)}
_KINDS_OF = [frozenset(kind for kind, bit in _BIT.items() if mask & bit) for mask in range(1 << len(KINDS))]


_WHAT = {kind: (KEY_WEIGHTS[kind], _BIT[kind], kind == KIND_PAIR) for kind in KINDS}


@lru_cache(maxsize=4096)
def _may_be_suggested(mask: int, name_frequency: int) -> bool:
    """``scoring.may_be_suggested`` of the kinds in `mask` (a name frequency of 0: no name pair shared)."""
    return may_be_suggested(_KINDS_OF[mask], name_frequency or 1)


# kinds that may be suggested however many people share the name (the more, the less a name says)
_ALWAYS = [_may_be_suggested(mask, 2**62) for mask in range(len(_KINDS_OF))]


def _ranked(rows, kind_of: dict, holders: dict, found: set, limit: int) -> list[Candidate]:
    """The people of `found` ranked by the keys they share in `rows`: weight, kinds, name frequency."""
    what = {}  # digest -> (weight, kind bit, holders when a name pair else 0)
    for digest, n in holders.items():
        weight, bit, pair = _WHAT[kind_of[digest]]
        what[digest] = (weight, bit, n if pair else 0)
    shared: dict = {}  # person -> [weight, kind bits, fewest holders of a name pair shared (0: none)]
    for person, digest in rows:
        entry = shared.get(person)
        if entry is None:
            if person in found:
                shared[person] = list(what[digest])
            continue
        weight, bit, n = what[digest]
        entry[0] += weight
        entry[1] |= bit
        if n and (not entry[2] or n < entry[2]):
            entry[2] = n
    strong, weak = [], []
    for person, (weight, mask, frequency) in shared.items():
        if _ALWAYS[mask] or _may_be_suggested(mask, frequency):
            (strong if weight >= 2 else weak).append((-weight, person))
    strong.sort()
    del strong[limit:]
    room = min(WEAK_LIMIT, limit - len(strong))
    if room > 0 and weak:
        weak.sort()
        strong += weak[:room]
    out = []
    for negative, person in strong:
        _weight, mask, frequency = shared[person]
        out.append(Candidate(person, -negative, frequency or 1, _KINDS_OF[mask]))
    return out
