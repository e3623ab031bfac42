"""Choosing the few candidates to decrypt from the rows a blind-index lookup returned.

Pure: the rows are (person id, digest) pairs, whatever stores them (the MatchKey table, or the
benchmark's stand-in). Three rules keep the work per lookup small however many people are stored:
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


def select_candidates(rows, kind_of: dict, *, limit: int) -> list[Candidate]:
    """`rows`: (person id, digest) for every stored key matching a looked-up digest; `kind_of`: the
    kind of each looked-up digest."""
    holders: dict[str, int] = {}
    for _person, digest in rows:
        holders[digest] = holders.get(digest, 0) + 1
    found = set()
    for person, digest in rows:
        cap = SELECTIVE_HOLDERS.get(kind_of[digest])
        if cap is None or holders[digest] <= cap:
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
