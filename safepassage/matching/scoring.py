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
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from .keys import KIND_PAIR, KIND_PATRONYMIC_PAIR, MatchInput, Token, birth_date, phone_set, tokens

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


@dataclass(frozen=True)
class Score:
    value: float
    reasons: tuple[str, ...]
    weight: float = 0.0

    @property
    def suggested(self) -> bool:
        return self.value >= SUGGEST_AT


def token_similarity(a: Token, b: Token) -> float:
    """1.0 for the same word; high for one name in another spelling or a nickname; else Jaro-Winkler."""
    if a.folded == b.folded:
        return 1.0
    similarity = _jaro_winkler(a.folded, b.folded)
    if a.skeleton == b.skeleton:
        return max(similarity, 0.97)
    if a.codes & b.codes:
        return max(similarity, 0.93)
    return similarity


@lru_cache(maxsize=262144)
def _jaro_winkler(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def _best_pairs(left: list[Token], right: list[Token]) -> list[float]:
    """Greedy one-to-one pairing of words by similarity (names have few words: this is exact enough)."""
    scored = sorted(((token_similarity(a, b), i, j) for i, a in enumerate(left) for j, b in enumerate(right)),
                    reverse=True)
    used_left, used_right, sims = set(), set(), []
    for similarity, i, j in scored:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        sims.append(similarity)
    return sims


def _names(ta: list[Token], tb: list[Token], frequency: int) -> tuple[float, str | None]:
    names_a = [t for t in ta if not t.patronymic]
    names_b = [t for t in tb if not t.patronymic]
    if not names_a or not names_b:
        return 0.0, None
    sims = _best_pairs(names_a, names_b)
    strong = sum(s >= 0.92 for s in sims)
    close = sum(s >= 0.85 for s in sims)
    if len(sims) == 1:
        return (3.0, NAME_PARTIAL) if strong else (-4.0, NAME_DIFFERS)
    # alone, a whole name held by no one else is about even odds: namesakes are common here
    common = math.log(max(frequency, 1))
    if strong == len(sims):
        return (3.2 if sum(sims) / len(sims) >= 0.97 else 2.6) - common, NAME_SAME
    if close == len(sims):
        return 1.5 - common, NAME_SIMILAR
    if close:
        return -2.0, NAME_PARTIAL
    return -6.0, NAME_DIFFERS


def _patronymics(ta: list[Token], tb: list[Token]) -> tuple[float, str | None]:
    pa = [t for t in ta if t.patronymic]
    pb = [t for t in tb if t.patronymic]
    if not pa or not pb:
        return 0.0, None
    if max(token_similarity(a, b) for a in pa for b in pb) >= 0.9:
        return 2.5, PATRONYMIC_SAME
    return -4.0, PATRONYMIC_DIFFERS


def _dates(a: str, b: str) -> tuple[float, str | None]:
    da, db = birth_date(a), birth_date(b)
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


def _phones(a: MatchInput, b: MatchInput) -> tuple[float, str | None]:
    pa, pb = phone_set(a), phone_set(b)
    if not pa or not pb:
        return 0.0, None
    return (6.0, PHONE_SAME) if pa & pb else (-1.5, PHONE_DIFFERS)


_BEST_NAMES = 3.2 + 2.5  # the most that names and a patronymic can add


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


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


def score_tokens(a: MatchInput, b: MatchInput, ta: list[Token], tb: list[Token], name_frequency: int = 1,
                 *, at_least: float | None = None) -> Score | None:
    """``score`` with the records' tokens already made. With `at_least`, None as soon as the dates
    and phones alone rule that value out (most candidates end there, before names are compared)."""
    dob, dob_code = _dates(a.date_of_birth, b.date_of_birth)
    phone, phone_code = _phones(a, b)
    weight = _PRIOR + dob + phone
    if at_least is not None and weight + _BEST_NAMES < _logit(at_least):
        return None
    names, names_code = _names(ta, tb, name_frequency)
    patronymic, patronymic_code = _patronymics(ta, tb)
    weight += names + patronymic
    reasons = tuple(code for code in (names_code, patronymic_code, dob_code, phone_code) if code)
    value = 1.0 / (1.0 + math.exp(-weight))
    return Score(value=round(value, 4), reasons=reasons, weight=weight)


def score(a, b, *, name_frequency: int = 1) -> Score:
    """How likely it is that records `a` and `b` (plaintext: MatchInput, PersonData, ...) are one person.

    `name_frequency`: how many people hold the name-pair key the two share (1 when unknown).
    """
    a, b = MatchInput.of(a), MatchInput.of(b)
    return score_tokens(a, b, tokens(a), tokens(b), name_frequency)


def likely(a: MatchInput, b: MatchInput, *, name_frequency: int = 1) -> Score | None:
    """The score when the pair may be suggested; None when dates and phones already rule it out."""
    return score_tokens(a, b, tokens(a), tokens(b), name_frequency, at_least=SUGGEST_AT)
