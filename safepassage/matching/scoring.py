"""How alike two records are, once their few candidates have been decrypted.

Each kind of evidence adds or takes away weight (log-odds, in the manner of Fellegi and Sunter): the
same name however it was spelt, the same patronymic, compatible dates of birth at whatever precision
each record has, a shared phone number. The sum becomes a probability-like score between 0 and 1, with
the reasons that made it, as codes a page can explain.

A shared name says less the more people share it (there are many Magomed Magomedovs): the name's
weight is lowered by the log of the number of people in the organisation holding the same name-pair
key, a count the blind index gives without decrypting anyone (term-frequency adjustment).

Gender is left out on purpose: it may be recorded differently over time for the same person, and a
score must never make a trans person's two records look like two people.

Pure functions: the benchmark and the service run the same code.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import JaroWinkler

from . import keys
from .keys import KIND_PAIR, KIND_PATRONYMIC_PAIR, MatchInput, Token, birth_date, phone_set, skeleton, tokens

SUGGEST_AT = 0.5  # a pair scoring at least this goes to the review queue

# Reason codes (pages explain them: ``reasons.REASON_LABELS``).
NAME_SAME = "name_same"
NAME_SIMILAR = "name_similar"
NAME_PARTIAL = "name_partial"
NAME_DIFFERS = "name_differs"
PATRONYMIC_SAME = "patronymic_same"
PATRONYMIC_DIFFERS = "patronymic_differs"
DOB_SAME = "dob_same"
DOB_COMPATIBLE = "dob_compatible"
DOB_NEAR = "dob_near"
DOB_DIFFERS = "dob_differs"
PHONE_SAME = "phone_same"
PHONE_DIFFERS = "phone_differs"

_PRIOR = -3.0  # candidates already share a key; still, most of them are other people

# How alike two words are (``token_similarity``): floors for one name in two forms, and the marks.
SAME_SKELETON = 0.97  # two spellings with one consonant skeleton (Magomed / Mahomed)
SAME_CODE = 0.93  # two forms of one name (a nickname, the Arabic form)
STRONG, CLOSE = 0.92, 0.85  # a word pairs strongly / closely with the other record's
PATRONYMIC_ALIKE = 0.9
# What a name adds (log-odds): every word strong, alike on average / merely strong; every word close;
# some close; none. One word against one: alike or not. The patronymic: alike or not.
NAME_ALIKE, NAME_STRONG, NAME_CLOSE, NAME_SOME, NAME_NONE = 3.2, 2.6, 1.5, -2.0, -6.0
ONE_WORD_ALIKE, ONE_WORD_NOT = 3.0, -4.0
NAME_ALIKE_AVERAGE = 0.97
PATRONYMIC_MATCH, PATRONYMIC_MISMATCH = 2.5, -4.0


class Score(NamedTuple):
    value: float
    reasons: tuple[str, ...]
    weight: float = 0.0

    @property
    def suggested(self) -> bool:
        return self.value >= SUGGEST_AT


def token_similarity(a: Token, b: Token) -> float:
    """1.0 for the same word; high for one name in another spelling or a nickname; else Jaro-Winkler."""
    similarity = _spelling_similarity(a.folded, b.folded)
    if similarity < SAME_CODE and not a.codes.isdisjoint(b.codes):
        return SAME_CODE
    return similarity


@lru_cache(maxsize=262144)
def _spelling_similarity(a: str, b: str) -> float:
    """Of two folded words: 1.0 when equal, at least 0.97 with one skeleton, else Jaro-Winkler."""
    if a == b:
        return 1.0
    similarity = JaroWinkler.similarity(a, b)
    if skeleton(a) == skeleton(b):
        return max(similarity, SAME_SKELETON)
    return similarity


def _best_pairs(left: tuple[Token, ...], right: tuple[Token, ...]) -> list[float]:
    """Greedy one-to-one pairing of words by similarity (names have few words: this is exact enough)."""
    scored = []
    for i, a in enumerate(left):
        folded, codes = a.folded, a.codes
        for j, b in enumerate(right):
            similarity = _spelling_similarity(folded, b.folded)
            if similarity < SAME_CODE and not codes.isdisjoint(b.codes):
                similarity = SAME_CODE
            scored.append((similarity, i, j))
    pairs = min(len(left), len(right))
    if pairs == 1:  # the greedy pairing's first pick is its only one
        return [max(scored)[0]]
    scored.sort(reverse=True)
    used_left, used_right, sims = set(), set(), []
    for similarity, i, j in scored:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        sims.append(similarity)
        if len(sims) == pairs:
            break
    return sims


def _two_pairs(left: tuple[Token, Token], right: tuple[Token, Token]) -> list[float]:
    """``_best_pairs`` of two words against two (most comparisons): one of the two pairings."""
    (a0, a1), (b0, b1) = left, right
    s00, s01 = token_similarity(a0, b0), token_similarity(a0, b1)
    s10, s11 = token_similarity(a1, b0), token_similarity(a1, b1)
    top = max(s00, s01, s10, s11)
    # the greedy pairing takes the most similar pair first, a tie going to the later words
    if s11 == top or (s10 != top and s01 != top):
        return [s00, s11]
    return [s01, s10]


def _names(names_a: tuple[Token, ...], names_b: tuple[Token, ...], frequency: int) -> tuple[float, str | None]:
    if not names_a or not names_b:
        return 0.0, None
    sims = _two_pairs(names_a, names_b) if len(names_a) == 2 == len(names_b) else _best_pairs(names_a, names_b)
    strong = close = 0
    for similarity in sims:
        if similarity >= CLOSE:
            close += 1
            if similarity >= STRONG:
                strong += 1
    if len(sims) == 1:
        return (ONE_WORD_ALIKE, NAME_PARTIAL) if strong else (ONE_WORD_NOT, NAME_DIFFERS)
    # alone, a whole name held by no one else is about even odds: namesakes are common here
    common = math.log(max(frequency, 1))
    if strong == len(sims):
        return (NAME_ALIKE if sum(sims) / len(sims) >= NAME_ALIKE_AVERAGE else NAME_STRONG) - common, NAME_SAME
    if close == len(sims):
        return NAME_CLOSE - common, NAME_SIMILAR
    if close:
        return NAME_SOME, NAME_PARTIAL
    return NAME_NONE, NAME_DIFFERS


def _best_names(names_a: tuple, names_b: tuple, patronymics: bool, frequency: int) -> float:
    """The most `_names` and `_patronymics` can add for these words, without comparing any."""
    if names_a and names_b:
        best = max(ONE_WORD_ALIKE, NAME_ALIKE - math.log(frequency)) if frequency > 1 else NAME_ALIKE
    else:
        best = 0.0
    return best + PATRONYMIC_MATCH if patronymics else best


def _patronymics(pa: tuple[Token, ...], pb: tuple[Token, ...]) -> tuple[float, str | None]:
    if not pa or not pb:
        return 0.0, None
    if max(token_similarity(a, b) for a in pa for b in pb) >= PATRONYMIC_ALIKE:
        return PATRONYMIC_MATCH, PATRONYMIC_SAME
    return PATRONYMIC_MISMATCH, PATRONYMIC_DIFFERS


def _born(da, db) -> tuple[float, str | None]:
    """Dates of birth as ``keys.birth_date`` reads them."""
    if not da or not db:
        return 0.0, None
    (ya, ma, dd_a), (yb, mb, dd_b) = da, db
    if abs(ya - yb) > 1:
        return -6.0, DOB_DIFFERS
    if ya != yb:
        # a year worked out from a stated age is off by one; two exact dates a year apart are not
        return (-1.0, DOB_NEAR) if (ma is None or mb is None) else (-4.0, DOB_DIFFERS)
    if ma is None or mb is None:
        return 2.5, DOB_COMPATIBLE
    if ma != mb:
        if dd_a and dd_b and (dd_a, ma) == (mb, dd_b):  # day and month swapped
            return 3.0, DOB_COMPATIBLE
        return -3.0, DOB_DIFFERS
    if dd_a is None or dd_b is None:
        return 3.5, DOB_COMPATIBLE
    return (5.0, DOB_SAME) if dd_a == dd_b else (-2.0, DOB_DIFFERS)


def _phones(pa: frozenset[str], pb: frozenset[str]) -> tuple[float, str | None]:
    if not pa or not pb:
        return 0.0, None
    return (-1.5, PHONE_DIFFERS) if pa.isdisjoint(pb) else (6.0, PHONE_SAME)


_BEST_NAMES = NAME_ALIKE + PATRONYMIC_MATCH  # the most that names and a patronymic can add


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


_SUGGEST_LOGIT = _logit(SUGGEST_AT)
_NAME_PAIRS = frozenset({KIND_PAIR, KIND_PATRONYMIC_PAIR})


def may_be_suggested(kinds: set, name_frequency: int) -> bool:
    """Whether a candidate can reach SUGGEST_AT, judged only by which keys it shares (no decryption).

    Sharing a name pair means both name words have equal codes; had both records birth years within
    one of each other they would share a name-year key too, and equal phones share the phone key. So
    a candidate sharing name pairs and nothing else gains nothing from dates or phones, and its name
    counts for less the more people hold it: past about fifteen holders it cannot be suggested, and
    is not decrypted at all.
    """
    if KIND_PAIR in kinds and kinds <= _NAME_PAIRS:
        return _PRIOR + _BEST_NAMES - math.log(max(name_frequency, 1)) >= _logit(SUGGEST_AT)
    return True


class Profile(NamedTuple):
    """What scoring reads of one record, made once (``profile``): name words apart from patronymics,
    the date of birth as ``keys.birth_date`` reads it, the phones' digits (``keys.phone_set``)."""

    names: tuple[Token, ...]
    patronymics: tuple[Token, ...]
    born: tuple[int, int | None, int | None] | None
    phones: frozenset[str]


def profile(record, toks=None) -> Profile:
    """`record`'s ``Profile`` (`toks`: its ``keys.tokens``, when already made)."""
    record = MatchInput.of(record)
    names, patronymics = [], []
    for token in (tokens(record) if toks is None else toks):
        (patronymics if token.patronymic else names).append(token)
    return Profile(tuple(names), tuple(patronymics), birth_date(record.date_of_birth), phone_set(record))


# A pair is left unscored only when its best weight is below the threshold by more than the score's
# rounding (4 decimals): a score that would round up to `at_least` is never cut short.
_ROUNDING = 1e-3


def score_profiles(a: Profile, b: Profile, name_frequency: int = 1, *,
                   at_least: float | None = None) -> Score | None:
    """``score`` of two records' ``profile``. With `at_least`, None as soon as the dates, the phones and
    the most the names could add rule that value out (most candidates end there, before any two words
    are compared)."""
    dob, dob_code = _born(a.born, b.born)
    phone, phone_code = _phones(a.phones, b.phones)
    weight = _PRIOR + dob + phone
    if at_least is not None:
        best = _best_names(a.names, b.names, bool(a.patronymics and b.patronymics), name_frequency)
        if weight + best < (_SUGGEST_LOGIT if at_least == SUGGEST_AT else _logit(at_least)) - _ROUNDING:
            return None
    names, names_code = _names(a.names, b.names, name_frequency)
    patronymic, patronymic_code = _patronymics(a.patronymics, b.patronymics)
    weight += names + patronymic
    reasons = tuple(filter(None, (names_code, patronymic_code, dob_code, phone_code)))
    return Score(round(1.0 / (1.0 + math.exp(-weight)), 4), reasons, weight)


def score_tokens(a: MatchInput, b: MatchInput, ta: list[Token], tb: list[Token], name_frequency: int = 1,
                 *, at_least: float | None = None) -> Score | None:
    """``score`` with the records' tokens already made (see ``score_profiles`` for `at_least`)."""
    return score_profiles(profile(a, ta), profile(b, tb), name_frequency, at_least=at_least)


def score(a, b, *, name_frequency: int = 1) -> Score:
    """How likely it is that records `a` and `b` (plaintext: MatchInput, PersonData, ...) are one person.

    `name_frequency`: how many people hold the name-pair key the two share (1 when unknown).
    """
    return score_profiles(profile(a), profile(b), name_frequency)


def likely(a, b, *, name_frequency: int = 1) -> Score | None:
    """The score when the pair may be suggested; None when the dates, the phones and the most the names
    could add already rule it out."""
    return score_profiles(profile(a), profile(b), name_frequency, at_least=SUGGEST_AT)


# Every per-process cache of plaintext that matching keeps (folded names, birth dates, phones): emptied
# whenever the vault seals (``apps``), and between the benchmark's runs.
PLAINTEXT_CACHES = (keys.skeleton, keys._words, keys.make_token, keys._tokens, keys._name_keys, keys.birth_date,
                    keys._phone_set, _spelling_similarity)
