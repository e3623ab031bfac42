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

import heapq
from dataclasses import dataclass, field

from .keys import KEY_WEIGHTS, KIND_NAME_YEAR, KIND_PAIR, KIND_PATRONYMIC_PAIR
from .scoring import may_be_suggested

# a key held by more people than this finds no candidate on its own (phones always do)
SELECTIVE_HOLDERS = {KIND_PAIR: 15, KIND_PATRONYMIC_PAIR: 15, KIND_NAME_YEAR: 50}
WEAK_LIMIT = 3  # candidates sharing a single weak key (a name word and year, a patronymic pair)


@dataclass(frozen=True)
class Candidate:
    person_id: object
    weight: int  # sum of the weights of the keys shared (``keys.KEY_WEIGHTS``)
    name_frequency: int = 1  # people holding the rarest name-pair key shared (1: none shared)
    kinds: frozenset = field(default_factory=frozenset)


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
    selective = [d for d, n in holders.items() if is_selective(wanted[d], n)]
    common = [d for d, n in holders.items() if not is_selective(wanted[d], n)]
    rows = list(rows_of_digests(selective)) if selective else []
    found = {person for person, _digest in rows}
    if found and common:
        rows += rows_of_people(found, common)
    return select_candidates(rows, wanted, limit=limit, holders=holders)


def select_candidates(rows, kind_of: dict, *, limit: int, holders: dict | None = None) -> list[Candidate]:
    """`rows`: (person id, digest) for every stored key matching a looked-up digest (or, with
    `holders`, the number of people holding each digest, at least those rows of the people that
    selective digests find); `kind_of`: the kind of each looked-up digest."""
    if holders is None:
        holders = {}
        for _person, digest in rows:
            holders[digest] = holders.get(digest, 0) + 1
    found = set()
    for person, digest in rows:
        if is_selective(kind_of[digest], holders[digest]):
            found.add(person)
    weights: dict = {}
    kinds: dict = {}
    frequency: dict = {}
    for person, digest in rows:
        if person not in found:
            continue
        kind = kind_of[digest]
        weights[person] = weights.get(person, 0) + KEY_WEIGHTS[kind]
        kinds.setdefault(person, set()).add(kind)
        if kind == KIND_PAIR:
            frequency[person] = min(frequency.get(person, holders[digest]), holders[digest])
    def keep(person) -> bool:
        return may_be_suggested(kinds[person], frequency.get(person, 1))

    strong = heapq.nsmallest(limit, ((-w, p) for p, w in weights.items() if w >= 2 and keep(p)))
    room = max(0, min(WEAK_LIMIT, limit - len(strong)))
    weak = heapq.nsmallest(room, ((-w, p) for p, w in weights.items() if w < 2 and keep(p))) if room else []
    return [Candidate(p, weights[p], frequency.get(p, 1), frozenset(kinds[p])) for _w, p in strong + weak]
