"""Matching many records at once (an import): the candidates of writing them one by one, over arrays.

Records are taken in order, each against the people stored before the batch and the records before
it in the batch, exactly as ``services.match_keys_refresh`` matches them when they are written one
after another: each record sees the holder counts of the people before it, the same caps, the same
ranking and limits as ``candidates.lookup``. What changes is the cost: one lookup of a dozen digests
per record becomes a few sorted-array operations over every digest of the batch at once (a spreadsheet
of 20,000 people is matched in a second or two instead of minutes of queries). A property test holds
``batch_candidates`` to ``candidates.lookup`` record by record.

Pure: no database and no keys. What the people stored before the batch hold comes in as ``Earlier``,
the rows a lookup would have read (``services`` fetches them with a few chunked queries).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

import numpy as np

from . import scoring
from .candidates import _BIT, _KINDS_OF, SELECTIVE_HOLDERS, WEAK_LIMIT, Candidate, _may_be_suggested
from .keys import KEY_WEIGHTS, KIND_PAIR, KIND_PHONE, KINDS, MatchInput, record_keys

_KIND = {kind: n for n, kind in enumerate(KINDS)}
_NO_CAP = np.iinfo(np.int64).max
_CAP = np.array([SELECTIVE_HOLDERS.get(kind, _NO_CAP) for kind in KINDS], dtype=np.int64)
_WEIGHT = np.array([KEY_WEIGHTS[kind] for kind in KINDS], dtype=np.int64)
_BITS = np.array([_BIT[kind] for kind in KINDS], dtype=np.int64)
_IS_PAIR = np.array([kind == KIND_PAIR for kind in KINDS])


@dataclass
class Earlier:
    """The people stored before the batch, as far as the batch's digests reach them.

    Keys are named as in the batch (``batch_pairs``). `holders`: {key: people holding it}, for every
    key the batch looks up that anyone holds. `rows`: (person, key) rows: every row of each key held
    by no more people than its kind's cap (``candidates.SELECTIVE_HOLDERS``), and of the other keys at
    least the rows of the people those rows name. That is what the one-by-one lookups would have read,
    put together.
    """

    holders: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)


def _runs(values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)
    return values[_runs(values)]


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """start, start+1, ..., start+count-1 for each (start, count), concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


class Pairs(NamedTuple):
    """The chosen candidates of a batch as arrays, record by record in ranking order.

    `record`: the batch record (0-based); `person`: index into `people` (the people stored before the
    batch first, then the batch's own records); `weight`, `kinds` (bits of ``candidates._BIT``),
    `frequency` (``Candidate.name_frequency``).
    """

    record: np.ndarray
    person: np.ndarray
    weight: np.ndarray
    kinds: np.ndarray
    frequency: np.ndarray
    people: list
    earlier: int  # how many of `people` were stored before the batch

    def candidates(self) -> list[list[Candidate]]:
        """Per batch record, its candidates as ``candidates.lookup`` returns them."""
        out: list[list[Candidate]] = [[] for _ in range(len(self.people) - self.earlier)]
        people = self.people
        for r, p, w, m, f in zip(self.record.tolist(), self.person.tolist(), self.weight.tolist(),
                                 self.kinds.tolist(), self.frequency.tolist()):
            out[r].append(Candidate(people[p], w, f, _KINDS_OF[m]))
        return out


def batch_candidates(lookups: list[dict], stores: list[dict], ids: list, *, earlier: Earlier | None = None,
                     limit: int) -> list[list[Candidate]]:
    """Per record, ``candidates.lookup`` as the records would be written one by one (see ``batch_pairs``)."""
    return batch_pairs(lookups, stores, ids, earlier=earlier, limit=limit).candidates()


def batch_pairs(lookups: list[dict], stores: list[dict], ids: list, *, earlier: Earlier | None = None,
                limit: int) -> Pairs:
    """The candidates of each record of a batch, as ``candidates.lookup`` gives them one by one.

    `lookups[i]`, `stores[i]`: record i's looked-up and stored keys, each a (kind, value) pair
    (``keys.record_keys``, or the kind with its blind index: only equality matters); `ids[i]`: the
    person it will be (the tie-break between equal candidates, as the lookup orders person ids).
    Record i meets the people of `earlier` and records 0..i-1.
    """
    earlier = earlier or Earlier()
    people = list(dict.fromkeys(person for person, _key in earlier.rows))
    everyone = people + list(ids)
    n_earlier, size = len(people), len(people) + len(ids)
    empty = np.zeros(0, dtype=np.int64)
    if not lookups:
        return Pairs(empty, empty, empty, empty, empty, everyone, n_earlier)
    # keys as small integers, in order of first sight (C loops: a batch has a million of them)
    number = dict.fromkeys(chain.from_iterable(lookups))  # a record's stored keys are among its looked-up ones
    number.update(zip(number, range(len(number))))
    look_rec = np.repeat(np.arange(n_earlier, size, dtype=np.int64), list(map(len, lookups)))
    look_key = np.fromiter(map(number.__getitem__, chain.from_iterable(lookups)), np.int64, len(look_rec))
    store_rec = np.repeat(np.arange(n_earlier, size, dtype=np.int64), list(map(len, stores)))
    try:
        store_key = np.fromiter(map(number.__getitem__, chain.from_iterable(stores)), np.int64, len(store_rec))
    except KeyError:  # a key stored but never looked up (``record_keys`` makes none): numbered too
        number.update((key, len(number)) for key in chain.from_iterable(stores) if key not in number)
        store_key = np.fromiter(map(number.__getitem__, chain.from_iterable(stores)), np.int64, len(store_rec))
    position = {person: n for n, person in enumerate(people)}
    old = [(position[person], number[key]) for person, key in earlier.rows if key in number]
    if old:
        old_rec, old_key = np.array(old, dtype=np.int64).T
        store_rec, store_key = np.r_[old_rec, store_rec], np.r_[old_key, store_key]
    kind_of = np.array([_KIND[kind] for kind, _value in number], dtype=np.int64)
    prior = np.zeros(len(number), dtype=np.int64)
    for key, n in earlier.holders.items():
        k = number.get(key)
        if k is not None:
            prior[k] = n

    # every stored (digest, record) as one sorted code: a digest's holders are one run, in record order
    code = _sorted_unique(store_key * size + store_rec)
    base = look_key * size
    first = np.searchsorted(code, base)  # the digest's first holder
    before = np.searchsorted(code, base + look_rec)  # ... and its first holder not before this record
    holders = prior[look_key] + (before - np.searchsorted(code, base + n_earlier))
    look_kind = kind_of[look_key]
    held = holders > 0
    selective = held & (holders <= _CAP[look_kind])
    common = held & ~selective

    # each selective key finds every earlier holder: (record, holder) rows, grouped by candidate
    sel = np.flatnonzero(selective)
    counts = (before - first)[sel]
    row_code = np.repeat(look_rec[sel] * size, counts) + code[_expand(first[sel], counts)] % size
    what = np.repeat(sel, counts)  # the lookup each row came from
    order = np.argsort(row_code)
    row_code, what = row_code[order], what[order]
    starts = _runs(row_code)
    found = row_code[starts]
    kind = look_kind[what]
    pair_holders = np.where(_IS_PAIR[kind], holders[what], _NO_CAP)
    if len(starts):
        weight = np.add.reduceat(_WEIGHT[kind], starts)
        mask = np.bitwise_or.reduceat(_BITS[kind], starts)
        fewest = np.minimum.reduceat(pair_holders, starts)
    else:
        weight = mask = fewest = np.zeros(0, dtype=np.int64)
    rec, holder = found // size, found % size

    # common keys add to the candidates found, where the candidate holds them
    common_at = np.flatnonzero(common)  # look_rec is in record order, so this is too
    common_rec = look_rec[common_at]
    lo = np.searchsorted(common_rec, rec)
    hi = np.searchsorted(common_rec, rec, side="right")
    which = np.repeat(np.arange(len(found), dtype=np.int64), hi - lo)
    lookup_at = common_at[_expand(lo, hi - lo)]
    target = look_key[lookup_at] * size + holder[which]
    spot = np.minimum(np.searchsorted(code, target), len(code) - 1)
    hit = code[spot] == target
    which, lookup_at = which[hit], lookup_at[hit]
    kind = look_kind[lookup_at]
    np.add.at(weight, which, _WEIGHT[kind])
    np.bitwise_or.at(mask, which, _BITS[kind])
    np.minimum.at(fewest, which, np.where(_IS_PAIR[kind], holders[lookup_at], _NO_CAP))
    fewest[fewest == _NO_CAP] = 0

    # a candidate whose shared keys cannot reach a suggestion is dropped (as ``candidates._ranked``)
    combos, back = np.unique(mask << 40 | fewest, return_inverse=True)  # a few hundred kinds of evidence
    verdict = np.array([_may_be_suggested(c >> 40, c & (1 << 40) - 1) for c in combos.tolist()], dtype=bool)
    keep = verdict[back.reshape(-1)]
    rec, holder, weight, mask, fewest = rec[keep], holder[keep], weight[keep], mask[keep], fewest[keep]

    # ranked: the strongest first (ties by person id), at most `limit`, and a few sharing one weak key
    rank = np.empty(size, dtype=np.int64)
    rank[np.array(sorted(range(size), key=everyone.__getitem__), dtype=np.int64)] = np.arange(size)
    weak = weight < 2
    if size < 1 << 26 and weight.max(initial=0) < 1 << 8:  # one int64 sort key: record, strength, weight, id
        order = np.argsort((((rec * 2 + weak) << 8 | (255 - weight)) * size) + rank[holder])
    else:
        order = np.lexsort((rank[holder], -weight, weak, rec))
    rec, holder, weight, mask, fewest, weak = (a[order] for a in (rec, holder, weight, mask, fewest, weak))
    group = rec * 2 + weak
    group_start = _runs(group)
    place = np.arange(len(group)) - np.repeat(group_start, np.diff(np.r_[group_start, len(group)]))
    strong_of = np.bincount(rec[~weak], minlength=size)
    room = np.minimum(WEAK_LIMIT, limit - np.minimum(strong_of, limit))
    chosen = np.where(weak, place < room[rec], place < limit)

    return Pairs(rec[chosen] - n_earlier, holder[chosen], weight[chosen], mask[chosen],
                 np.maximum(fewest[chosen], 1), everyone, n_earlier)


@contextmanager
def no_cycle_collection():
    """Run a batch without Python's cycle collector: a batch makes millions of small tuples, strings
    and sets with no reference cycles, and the collector, run every 700 of them over a large heap,
    took 40% of the time. Nothing is leaked: whatever is garbage is freed by reference counting."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def batch_keys(records: list[MatchInput]) -> tuple[list[set], list[set]]:
    """(lookups, stores): each record's ``keys.record_keys``, as ``batch_pairs`` takes them."""
    both = [record_keys(record) for record in records]
    return [looked_up for looked_up, _stored in both], [stored for _looked_up, stored in both]


def distinct_keys(keys_of_records) -> list:
    """Every key of the records once, in order of first sight (each is hashed once for storing)."""
    return list(dict.fromkeys(key for keys in keys_of_records for key in keys))


def _born_weights(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``scoring._born`` over arrays of (year + 10000, month, day) rows, 0 for what is unknown (no year:
    no date)."""
    (ya, ma, da), (yb, mb, db) = a.T, b.T
    apart = np.abs(ya - yb)
    vague = (ma == 0) | (mb == 0)
    swapped = (da > 0) & (db > 0) & (da == mb) & (ma == db)
    weight = np.select(
        [(ya == 0) | (yb == 0), apart > 1, apart == 1, vague, ma != mb, (da == 0) | (db == 0), da == db],
        [0.0, -6.0, np.where(vague, -1.0, -4.0), 2.5, np.where(swapped, 3.0, -3.0), 3.5, 5.0], -2.0)
    return weight


def batch_scores(pairs: Pairs, profiles: list[scoring.Profile]) -> list[tuple[int, int, scoring.Score]]:
    """(record, person, score) of the candidates that reach ``scoring.SUGGEST_AT``.

    `profiles[p]`: ``scoring.profile`` of ``pairs.people[p]`` (None for people who are nobody's
    candidate: only candidates are decrypted). The cheap part of
    ``scoring.score_profiles``' early exit (dates, phones, the most the names could add) is worked
    out over arrays first, with a margin, so only pairs that might reach a suggestion are scored one by
    one — by ``score_profiles`` itself, which decides.
    """
    if not len(pairs.record):
        return []
    empty = scoring.Profile((), (), None, frozenset())
    profiles = [p or empty for p in profiles]
    born = np.array([(p.born[0] + 10000, p.born[1] or 0, p.born[2] or 0) if p.born else (0, 0, 0) for p in profiles],
                    dtype=np.int64).reshape(-1, 3)
    has_phone = np.array([bool(p.phones) for p in profiles])
    has_names = np.array([bool(p.names) for p in profiles])
    has_patronymic = np.array([bool(p.patronymics) for p in profiles])
    me, them = pairs.record + pairs.earlier, pairs.person
    phone = np.where(has_phone[me] & has_phone[them],
                     np.where(pairs.kinds & _BIT[KIND_PHONE], 6.0, -1.5), 0.0)
    frequency = pairs.frequency
    names = np.where(has_names[me] & has_names[them],
                     np.where(frequency > 1, np.maximum(3.0, 3.2 - np.log(np.maximum(frequency, 1))), 3.2), 0.0)
    names += np.where(has_patronymic[me] & has_patronymic[them], 2.5, 0.0)
    best = scoring._PRIOR + _born_weights(born[me], born[them]) + phone + names
    hopeful = np.flatnonzero(best >= scoring._SUGGEST_LOGIT - scoring._ROUNDING - 1e-6)
    out = []
    score_profiles, at_least = scoring.score_profiles, scoring.SUGGEST_AT
    for r, m, t, f in zip(pairs.record[hopeful].tolist(), me[hopeful].tolist(), them[hopeful].tolist(),
                          frequency[hopeful].tolist()):
        result = score_profiles(profiles[m], profiles[t], f)  # its early exit was just worked out above
        if result.value >= at_least:
            out.append((r, t, result))
    return out
