"""Matching many records at once (an import): the candidates of writing them one by one, over arrays.

Records are taken in order, each against the people stored before the batch and the records before
it in the batch, exactly as ``services.match_keys_refresh`` matches them when they are written one
after another: each record sees the holder counts of the people before it, the same caps, the same
ranking and limits as ``candidates.lookup``, the same scores as ``scoring.score_profiles``. What
changes is the cost: one lookup of a dozen digests per record becomes a few sorted-array operations
over every key of the batch at once (17,775 records in about a second, where one at a time took
2.5 s before any query). Property tests hold ``batch_pairs`` to ``candidates.lookup`` record by
record and ``batch_scores`` to ``scoring.score_profiles`` pair by pair.

Pure: no database and no keys. What the people stored before the batch hold comes in as ``Earlier``,
the rows a lookup would have read (``services`` fetches them with a few chunked queries).
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from . import scoring
from .candidates import _BIT, _KINDS_OF, SELECTIVE_HOLDERS, WEAK_LIMIT, Candidate, _may_be_suggested
from .keys import KEY_WEIGHTS, KIND_PAIR, KIND_PHONE, KINDS, MatchInput, record_key_list

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


def batch_candidates(keys: list, stored: list, ids: list, *, earlier: Earlier | None = None,
                     limit: int) -> list[list[Candidate]]:
    """Per record, ``candidates.lookup`` as the records would be written one by one (see ``batch_pairs``)."""
    return batch_pairs(keys, stored, ids, earlier=earlier, limit=limit).candidates()


def batch_pairs(keys: list, stored: list, ids: list, *, earlier: Earlier | None = None, limit: int,
                distinct: list | None = None) -> Pairs:
    """The candidates of each record of a batch, as ``candidates.lookup`` gives them one by one.

    `keys[i]`: record i's looked-up keys, each a (kind, value) pair, the first `stored[i]` of them the
    ones it stores (``keys.record_key_list``; a value may be a blind index: only equality matters);
    `ids[i]`: the person it will be (the tie-break between equal candidates, as the lookup orders
    person ids); `distinct`: ``distinct_keys(keys)``, when the caller has it. Record i meets the people
    of `earlier` and records 0..i-1.
    """
    earlier = earlier or Earlier()
    people = list(dict.fromkeys(person for person, _key in earlier.rows))
    everyone = people + list(ids)
    n_earlier, size = len(people), len(people) + len(ids)
    empty = np.zeros(0, dtype=np.int64)
    if not keys:
        return Pairs(empty, empty, empty, empty, empty, everyone, n_earlier)
    # keys as small integers, in order of first sight (C loops: a batch has a million of them)
    if distinct is None:
        distinct = distinct_keys(keys)
    number = dict(zip(distinct, range(len(distinct))))
    counts = np.fromiter(map(len, keys), np.int64, len(keys))
    look_rec = np.repeat(np.arange(n_earlier, size, dtype=np.int64), counts)
    look_key = np.fromiter(map(number.__getitem__, chain.from_iterable(keys)), np.int64, len(look_rec))
    place = np.arange(len(look_rec)) - np.repeat(np.cumsum(counts) - counts, counts)
    own = place < np.repeat(np.asarray(stored, dtype=np.int64), counts)  # the stored ones come first
    store_rec, store_key = look_rec[own], look_key[own]
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
    each_key = np.arange(len(number), dtype=np.int64) * size
    first = np.searchsorted(code, each_key)[look_key]  # the key's first holder
    before = np.searchsorted(code, look_key * size + look_rec)  # ... and its first holder not before this record
    in_batch = first if not n_earlier else np.searchsorted(code, each_key + n_earlier)[look_key]
    holders = prior[look_key] + (before - in_batch)
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
    per_record = np.bincount(look_rec[common_at], minlength=size)
    common_end = np.cumsum(per_record)
    lo, hi = (common_end - per_record)[rec], common_end[rec]
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
    evidence = mask << 40 | fewest
    combos = np.unique(evidence)  # a few hundred kinds of evidence
    verdict = np.array([_may_be_suggested(c >> 40, c & (1 << 40) - 1) for c in combos.tolist()], dtype=bool)
    keep = verdict[np.searchsorted(combos, evidence)]
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
            if not gc.get_freeze_count():  # (never undo a freeze made by someone else)
                # what outlives the batch (caches, results) is long-lived: it joins the oldest generation
                # as it is, instead of being scanned once more as young the moment collection resumes
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def batch_keys(records: list[MatchInput]) -> tuple[list[list], list[int]]:
    """(keys, stored): each record's ``keys.record_key_list``, as ``batch_pairs`` takes them."""
    both = [record_key_list(record) for record in records]
    return [keys for keys, _stored in both], [stored for _keys, stored in both]


def distinct_keys(keys_of_records) -> list:
    """Every key of the records once, in order of first sight (each is hashed once for storing)."""
    return list(dict.fromkeys(chain.from_iterable(keys_of_records)))


# --- scoring the candidates ----------------------------------------------------------------------
# ``scoring`` over arrays. Dates, phones and the most the names could add rule most pairs out; pairs of
# the common shape (two name words, at most one patronymic) are weighed whole, with scoring's weights
# and scoring's arithmetic, so their scores are made here to the last bit; other shapes go through
# ``scoring.score_profiles``. The weights are scoring's own (its functions are asked for them below);
# what is repeated is which case applies, and a property test holds every score to score_profiles'.

def _outcomes(function, examples) -> tuple[np.ndarray, list]:
    """What `function` gives for each example: the weights as an array, and the reason codes."""
    results = [function(*example) for example in examples]
    return np.array([weight for weight, _code in results]), [code for _weight, code in results]


# the cases of ``scoring._born``: no date on one side, years apart, a year off (vague, precise), the
# same year (vague), another month (day and month swapped, or not), no day on one side, same day, not
_BORN, _BORN_CODES = _outcomes(scoring._born, [
    (None, (1990, None, None)), ((1990, None, None), (1995, None, None)),
    ((1990, None, None), (1991, None, None)), ((1990, 5, None), (1991, 5, None)),
    ((1990, None, None), (1990, 5, 1)), ((1990, 5, 12), (1990, 12, 5)), ((1990, 5, None), (1990, 6, None)),
    ((1990, 5, None), (1990, 5, 12)), ((1990, 5, 12), (1990, 5, 12)), ((1990, 5, 12), (1990, 5, 13))])
# the cases of ``scoring._phones``: none on one side, one shared, none shared
_PHONES, _PHONE_CODES = _outcomes(scoring._phones, [(frozenset(), frozenset({"1"})), (frozenset({"1"}),) * 2,
                                                     (frozenset({"1"}), frozenset({"2"}))])
# the reasons ``scoring._names`` and ``scoring._patronymics`` give, by case
_NAME_CODES = [scoring.NAME_SAME, scoring.NAME_SIMILAR, scoring.NAME_PARTIAL, scoring.NAME_DIFFERS]
_PATRONYMIC_CODES = [None, scoring.PATRONYMIC_SAME, scoring.PATRONYMIC_DIFFERS]


def _born_cases(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which case of ``scoring._born`` (the examples of ``_BORN``) applies to rows of (year + 10000,
    month, day), 0 for what is unknown (no year: no date)."""
    (ya, ma, da), (yb, mb, db) = a.T, b.T
    apart = np.abs(ya - yb)
    vague = (ma == 0) | (mb == 0)
    swapped = (da > 0) & (db > 0) & (da == mb) & (ma == db)
    return np.select(
        [(ya == 0) | (yb == 0), apart > 1, apart == 1, vague, ma != mb, (da == 0) | (db == 0), da == db],
        [0, 1, np.where(vague, 2, 3), 4, np.where(swapped, 5, 6), 7, 8], 9)


class _Words:
    """The name words of every profile as numbers, with what ``scoring.token_similarity`` reads of them."""

    def __init__(self, profiles: list):
        number: dict[int, int] = {}  # by identity: each profile holds its tokens while this lives
        tokens = []

        def numbered(token) -> int:
            n = number.get(id(token))
            if n is None:
                n = number[id(token)] = len(tokens)
                tokens.append(token)
            return n

        # the common shape: two name words and at most one patronymic (-1 where there is none)
        self.shaped = np.array([len(p.names) == 2 and len(p.patronymics) <= 1 for p in profiles])
        self.first = np.array([numbered(p.names[0]) if len(p.names) == 2 else -1 for p in profiles], dtype=np.int64)
        self.second = np.array([numbered(p.names[1]) if len(p.names) == 2 else -1 for p in profiles], dtype=np.int64)
        self.patronymic = np.array([numbered(p.patronymics[0]) if len(p.patronymics) == 1 else -1
                                    for p in profiles], dtype=np.int64)
        self.folded = [t.folded for t in tokens]
        strings: dict = {}
        self.folded_id = np.array([strings.setdefault(t.folded, len(strings)) for t in tokens], dtype=np.int64)
        self.skeleton_id = np.array([strings.setdefault(("skeleton", t.skeleton), len(strings)) for t in tokens],
                                    dtype=np.int64)
        width = max((len(t.codes) for t in tokens), default=1)
        self.codes = np.full((len(tokens), width), -1, dtype=np.int64)
        for n, token in enumerate(tokens):
            self.codes[n, :len(token.codes)] = [strings.setdefault(("code", c), len(strings)) for c in token.codes]

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``scoring.token_similarity`` of words a[k] and b[k]."""
        if not len(a):
            return np.zeros(0)
        folded = self.folded
        similarity = process.cpdist([folded[t] for t in a.tolist()], [folded[t] for t in b.tolist()],
                                    scorer=JaroWinkler.similarity, dtype=np.float64, workers=1)
        similarity[self.folded_id[a] == self.folded_id[b]] = 1.0
        same_skeleton = self.skeleton_id[a] == self.skeleton_id[b]
        similarity[same_skeleton] = np.maximum(similarity[same_skeleton], scoring.SAME_SKELETON)
        ca, cb = self.codes[a], self.codes[b]
        shared_code = ((ca[:, :, None] == cb[:, None, :]) & (ca[:, :, None] >= 0)).any(axis=(1, 2))
        similarity[shared_code & (similarity < scoring.SAME_CODE)] = scoring.SAME_CODE
        return similarity


def _logs(frequency: np.ndarray) -> np.ndarray:
    """``math.log(max(f, 1))`` of each: the same bits as scoring's (a holder count takes few values)."""
    values, back = np.unique(frequency, return_inverse=True)
    return np.array([math.log(max(int(f), 1)) for f in values])[back.reshape(-1)]


def _names_weighed(words: _Words, me: np.ndarray, them: np.ndarray, frequency: np.ndarray):
    """``scoring._names`` + ``scoring._patronymics`` of pairs of the common shape (``_Words.shaped``):
    (their sum, the names' case in ``_NAME_CODES``, the patronymics' in ``_PATRONYMIC_CODES``), with
    scoring's own arithmetic, so the weights are scoring's to the last bit."""
    a0, a1, b0, b1 = words.first[me], words.second[me], words.first[them], words.second[them]
    s00, s01, s10, s11 = (words.similarity(x, y) for x, y in ((a0, b0), (a0, b1), (a1, b0), (a1, b1)))
    top = np.maximum(np.maximum(s00, s01), np.maximum(s10, s11))
    straight = (s11 == top) | ((s10 != top) & (s01 != top))  # ``scoring._two_pairs``' choice
    x, y = np.where(straight, s00, s01), np.where(straight, s11, s10)
    strong = (x >= scoring.STRONG) & (y >= scoring.STRONG)
    close = (x >= scoring.CLOSE) & (y >= scoring.CLOSE)
    some = (x >= scoring.CLOSE) | (y >= scoring.CLOSE)
    common = _logs(frequency)
    alike = np.where((x + y) / 2 >= scoring.NAME_ALIKE_AVERAGE, scoring.NAME_ALIKE, scoring.NAME_STRONG)
    names = np.select([strong, close, some], [alike - common, scoring.NAME_CLOSE - common, scoring.NAME_SOME],
                      scoring.NAME_NONE)
    name_case = np.select([strong, close, some], [0, 1, 2], 3)
    pa, pb = words.patronymic[me], words.patronymic[them]
    both = np.flatnonzero((pa >= 0) & (pb >= 0))
    patronymic, patronymic_case = np.zeros(len(me)), np.zeros(len(me), dtype=np.int64)
    alike_patronymic = words.similarity(pa[both], pb[both]) >= scoring.PATRONYMIC_ALIKE
    patronymic[both] = np.where(alike_patronymic, scoring.PATRONYMIC_MATCH, scoring.PATRONYMIC_MISMATCH)
    patronymic_case[both] = np.where(alike_patronymic, 1, 2)
    return names + patronymic, name_case, patronymic_case


# a pair the arrays put this far below the threshold is not looked at again (the margin covers the
# last bit in which the most the names could add, worked out over arrays, may differ from scoring's)
_MARGIN = 1e-3


def batch_scores(pairs: Pairs, profiles: list) -> list[tuple[int, int, scoring.Score]]:
    """(record, person, score) of the candidates that reach ``scoring.SUGGEST_AT``, in ``pairs``' order.

    `profiles[p]`: ``scoring.profile`` of ``pairs.people[p]`` (None for people who are nobody's
    candidate: only candidates are decrypted). Dates, phones and the most the names could add rule out
    most pairs over arrays (``score_profiles``' early exit); of the rest, pairs of the common shape are
    weighed whole over arrays, and only those that may reach a suggestion, with the other shapes, are
    scored one by one by ``score_profiles`` itself, which decides.
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
    phone_case = np.where(has_phone[me] & has_phone[them], np.where(pairs.kinds & _BIT[KIND_PHONE], 1, 2), 0)
    phone = _PHONES[phone_case]
    frequency = pairs.frequency
    names = np.where(has_names[me] & has_names[them],
                     np.where(frequency > 1, np.maximum(scoring.ONE_WORD_ALIKE,
                                                        scoring.NAME_ALIKE - np.log(np.maximum(frequency, 1))),
                              scoring.NAME_ALIKE), 0.0)
    names += np.where(has_patronymic[me] & has_patronymic[them], scoring.PATRONYMIC_MATCH, 0.0)
    born_case = _born_cases(born[me], born[them])
    evidence = scoring._PRIOR + _BORN[born_case] + phone
    threshold = scoring._SUGGEST_LOGIT - scoring._ROUNDING - _MARGIN
    hopeful = np.flatnonzero(evidence + names >= threshold)

    # the common shape, weighed whole over arrays; the score of those reaching a suggestion made here
    words = _Words(profiles)
    shaped = hopeful[words.shaped[me[hopeful]] & words.shaped[them[hopeful]]]
    added, name_case, patronymic_case = _names_weighed(words, me[shaped], them[shaped], frequency[shaped])
    weight = evidence[shaped] + added
    near = np.flatnonzero(weight >= threshold)
    made = {}
    at_least = scoring.SUGGEST_AT
    for n, w, names_code, patronymic_code, dob, phone_code in zip(
            shaped[near].tolist(), weight[near].tolist(), name_case[near].tolist(), patronymic_case[near].tolist(),
            born_case[shaped[near]].tolist(), phone_case[shaped[near]].tolist()):
        value = round(1.0 / (1.0 + math.exp(-w)), 4)
        if value >= at_least:
            reasons = (_NAME_CODES[names_code], _PATRONYMIC_CODES[patronymic_code], _BORN_CODES[dob],
                       _PHONE_CODES[phone_code])
            made[n] = scoring.Score(value, tuple(filter(None, reasons)), w)

    # the other shapes, scored one by one by ``score_profiles``
    others = np.zeros(len(pairs.record), dtype=bool)
    others[hopeful] = True
    others[shaped] = False
    score_profiles = scoring.score_profiles
    for n in np.flatnonzero(others).tolist():
        m, t = int(me[n]), int(them[n])
        result = score_profiles(profiles[m], profiles[t], int(frequency[n]))
        if result.value >= at_least:
            made[n] = result
    record, person = pairs.record.tolist(), them.tolist()
    return [(record[n], person[n], made[n]) for n in sorted(made)]
