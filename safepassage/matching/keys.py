"""Candidate keys: what two records of one person are likely to share, however their names were written.

Threat: finding a person's duplicates must not mean decrypting everyone. Each record gets a few
dozen keys computed here from its plaintext at the moment it is written; the service stores them only
as blind indexes (keyed HMACs), so the database holds no name, no date and no number, and a new record
finds its few likely duplicates by equality on those HMACs. Only those few are then decrypted and
scored (``scoring``).

Pure functions, no database and no keys: the benchmark runs exactly this code.

How one spelling meets another:
- romanisation by our Russian table (``core.names.romanise``) and Latin folds (yu/ju/iu, h/kh, ...);
- a consonant skeleton: vowels dropped (after the first letter), g/h/kh/gh one sound, doubled letters
  one, the last consonant devoiced (Ibragimov / Ibragimoff): Магомед, Magomed, Mahomed, Muhammad,
  Mohammed and Mukhammad all become ``mHmt``;
- nicknames and diminutives (Саша → Александр) and Arabic/Russian forms from ``names.NAME_FORMS``;
- patronymics (-ovich, -evna, ...) recognised so that a record with one matches a record without.

Keys:
- ``pair``: the skeletons of two name words, sorted, so "Ibragimov Magomed" meets "Magomed Ibragimov"
  and a missing patronymic still leaves the given name and surname pair; a pair with a patronymic in
  it is its own kind (``pat_pair``), weaker: brothers and cousins share it;
- ``name_year``: one name word with the birth year (looked up with the years either side too, because
  a year worked out from a stated age is one off whenever the birthday has not yet come); it catches a
  typo in the other name word. The year is never a key on its own: alone it is a small set of values
  whose frequencies give it away, and it would make every lookup return thousands of people;
- ``phone``: the last ten digits, so +7 928 123-45-67 and 89281234567 meet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from safepassage.core.names import _LATIN_FOLDS, phone_digits, romanise

from .names import JOINED_PREFIXES, NAME_FORMS

KIND_PAIR = "pair"
KIND_PATRONYMIC_PAIR = "pat_pair"
KIND_NAME_YEAR = "name_year"
KIND_PHONE = "phone"
KINDS = (KIND_PAIR, KIND_PATRONYMIC_PAIR, KIND_NAME_YEAR, KIND_PHONE)

MAX_TOKENS = 8  # a record with more name words than this is noise; the first ones are kept

_WORDS = re.compile(r"[^a-z]+")
# core.names.fold_latin as one regular expression: the same folds in the same order of preference
_FOLD = re.compile("|".join(re.escape(src) for src, _dst in _LATIN_FOLDS))
_FOLD_TO = dict(_LATIN_FOLDS)
_PATRONYMIC = re.compile(r"(?:ov|ev)(?:i?t?ch|ic)$|(?:ov|ev|ich|inich)na$|ich$|(?:ogl|kiz)[iu]$")
# ch and sh are one symbol: French and German spellings write ш as "ch" and "sch".
_MULTI = (("shch", "S"), ("tsch", "S"), ("tch", "S"), ("dzh", "Z"), ("zh", "Z"), ("sh", "S"), ("ch", "S"),
          ("kh", "H"), ("gh", "H"), ("ck", "k"))
_SINGLE = {"g": "H", "h": "H", "q": "k", "c": "k", "j": "Z", "w": "v", "y": "i", "x": "ks"}
_VOWELS = frozenset("aeiou")
_DEVOICE = {"b": "p", "d": "t", "z": "s", "v": "f", "Z": "S"}
_DOB = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
_DOB_DOTTED = re.compile(r"^\s*(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})\s*$")


@dataclass(frozen=True)
class MatchInput:
    """The fields of a record that matching looks at. Built from a Person, PersonData, or any object
    (a help request) with some of these attributes."""

    full_name: str = ""
    other_names: tuple[str, ...] = ()
    date_of_birth: str = ""
    phones: tuple[str, ...] = ()

    @classmethod
    def of(cls, obj) -> "MatchInput":
        if isinstance(obj, MatchInput):
            return obj
        get = obj.get if isinstance(obj, dict) else (lambda name, default=None: getattr(obj, name, default))
        return cls(full_name=get("full_name", "") or "",
                   other_names=tuple(n for n in (get("other_names", ()) or ()) if n),
                   date_of_birth=get("date_of_birth", "") or "",
                   phones=tuple(p for p in (get("phones", ()) or ()) if p))


@dataclass(frozen=True)
class Token:
    """One name word: its folded Latin form (for string similarity) and its name codes."""

    folded: str
    skeleton: str
    codes: frozenset[str] = field(default_factory=frozenset)
    patronymic: bool = False


@lru_cache(maxsize=65536)
def skeleton(folded: str) -> str:
    """The consonant skeleton of a folded Latin word (see the module docstring)."""
    symbols, i = [], 0
    while i < len(folded):
        for src, dst in _MULTI:
            if folded.startswith(src, i):
                symbols.append(dst)
                i += len(src)
                break
        else:
            symbols.append(_SINGLE.get(folded[i], folded[i]))
            i += 1
    if not symbols:
        return ""
    head = "A" if symbols[0] in _VOWELS or symbols[0] == "i" else ""
    consonants: list[str] = []
    for sym in symbols:
        if sym in _VOWELS or sym == "i":
            continue
        if not consonants or consonants[-1] != sym:
            consonants.append(sym)
    if consonants:
        consonants[-1] = _DEVOICE.get(consonants[-1], consonants[-1])
    return head + "".join(consonants)


def _fold_word(word: str) -> str:
    """``core.names.fold_latin``, faster (it runs for every word of every record)."""
    return _FOLD.sub(lambda m: _FOLD_TO[m.group()], word)


@lru_cache(maxsize=1)
def _canonical_codes() -> dict[str, frozenset[str]]:
    """skeleton of any form of a name -> skeletons of the canonical names it may stand for."""
    table: dict[str, set[str]] = {}
    for canonical, forms in NAME_FORMS.items():
        canon = skeleton(_fold_word(romanise(canonical)))
        for form in (canonical, *forms):
            for word in _WORDS.split(romanise(form)):
                if word:
                    table.setdefault(skeleton(_fold_word(word)), set()).add(canon)
    return {k: frozenset(v) for k, v in table.items()}


def is_patronymic(folded: str) -> bool:
    return len(folded) >= 5 and bool(_PATRONYMIC.search(folded))


@lru_cache(maxsize=65536)
def _words(name: str) -> tuple[str, ...]:
    words = [w for w in _WORDS.split(romanise(name)) if w]
    joined: list[str] = []
    carry = ""
    for word in words:
        if carry:
            word, carry = carry + word, ""
        if word in JOINED_PREFIXES:
            carry = word
            continue
        joined.append(word)
    if carry:
        joined.append(carry)
    return tuple(joined)


@lru_cache(maxsize=65536)
def make_token(word: str) -> Token:
    folded = _fold_word(word)
    skel = skeleton(folded)
    codes = {skel}
    if "j" in word:  # "Jamal" (English, дж) or "Jusup" (German, й): both readings
        codes.add(skeleton(_fold_word(word.replace("j", "dzh"))))
    table = _canonical_codes()
    for code in list(codes):
        codes |= table.get(code, frozenset())
    return Token(folded=folded, skeleton=skel, codes=frozenset(codes), patronymic=is_patronymic(folded))


def tokens(record: MatchInput) -> list[Token]:
    """The record's name words, full name first, one per skeleton, at most ``MAX_TOKENS``."""
    return list(_tokens((record.full_name, *record.other_names)))


@lru_cache(maxsize=16384)
def _tokens(names: tuple[str, ...]) -> tuple[Token, ...]:
    seen: set[str] = set()
    out: list[Token] = []
    for name in names:
        for word in _words(name or ""):
            if len(word) < 2:
                continue
            token = make_token(word)
            if token.skeleton and token.skeleton not in seen:
                seen.add(token.skeleton)
                out.append(token)
                if len(out) >= MAX_TOKENS:
                    return tuple(out)
    return tuple(out)


@lru_cache(maxsize=65536)
def birth_date(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month or None, day or None) from "1990", "1990-05", "1990-05-12", "12.05.1990", "05.1990"."""
    value = value or ""
    match = _DOB.match(value)
    if match:
        year, month, day = match.groups()
    else:
        dotted = _DOB_DOTTED.match(value)
        if not dotted:
            return None
        day, month, year = dotted.groups()
    year_i = int(year)
    month_i = int(month) if month and 1 <= int(month) <= 12 else None
    day_i = int(day) if day and month_i and 1 <= int(day) <= 31 else None
    return year_i, month_i, day_i


def phone_set(record: MatchInput) -> frozenset[str]:
    return _phone_set(record.phones)


@lru_cache(maxsize=65536)
def _phone_set(phones: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d for d in (phone_digits(p) for p in phones) if len(d) >= 7)


def _name_parts(toks: tuple[Token, ...]) -> tuple[set[tuple[str, str]], set[str]]:
    """The name-pair keys of a record's name words, and the codes its name-year keys are made of."""
    pairs: set[tuple[str, str]] = set()
    for a, b in combinations(toks, 2):
        kind = KIND_PATRONYMIC_PAIR if a.patronymic or b.patronymic else KIND_PAIR
        for ca in a.codes:
            for cb in b.codes:
                if ca != cb:
                    pairs.add((kind, f"{ca} {cb}" if ca < cb else f"{cb} {ca}"))
    return pairs, {code for token in toks for code in token.codes}


def _keys(record: MatchInput, years: tuple[int, ...]) -> set[tuple[str, str]]:
    """The keys of `record`, with name-year keys for `years`."""
    keys, codes = _name_parts(_tokens((record.full_name, *record.other_names)))
    keys.update([(KIND_NAME_YEAR, f"{code} {year}") for year in years for code in codes])
    keys.update([(KIND_PHONE, digits) for digits in phone_set(record)])
    return keys


def stored_keys(record: MatchInput) -> set[tuple[str, str]]:
    """(kind, normalised value) pairs to store for a record (as blind indexes, never as they are)."""
    born = birth_date(record.date_of_birth)
    return _keys(record, (born[0],) if born else ())


def lookup_keys(record: MatchInput) -> set[tuple[str, str]]:
    """The keys to look up for a record: its stored keys, with the birth years either side too."""
    born = birth_date(record.date_of_birth)
    return _keys(record, (born[0] - 1, born[0], born[0] + 1) if born else ())


def record_keys(record: MatchInput) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(``lookup_keys``, ``stored_keys``) at once. The stored keys are among the looked-up ones (the
    lookup adds only the birth years either side), so a writer hashes each key once, not twice."""
    keys, stored = record_key_list(record)
    return set(keys), set(keys[:stored])


def record_key_list(record: MatchInput) -> tuple[list[tuple[str, str]], int]:
    """``record_keys`` as one list, the stored keys first: (keys, how many of them are stored). The rest
    are the name-year keys of the birth years either side, which are looked up and never stored."""
    pairs, codes = _name_keys((record.full_name, *record.other_names))
    keys = list(pairs)
    born = birth_date(record.date_of_birth)
    if born:
        year = born[0]
        keys += [(KIND_NAME_YEAR, f"{code} {year}") for code in codes]
    keys += [(KIND_PHONE, digits) for digits in phone_set(record)]
    stored = len(keys)
    if born:
        keys += [(KIND_NAME_YEAR, f"{code} {other}") for other in (year - 1, year + 1) for code in codes]
    return keys, stored


@lru_cache(maxsize=16384)
def _name_keys(names: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``_name_parts`` of these names' words, kept: an import repeats names (every Magomed Magomedov)."""
    pairs, codes = _name_parts(_tokens(names))
    return tuple(pairs), tuple(codes)


# How much one shared key says, for ranking candidates before anything is decrypted.
KEY_WEIGHTS = {KIND_PAIR: 3, KIND_PATRONYMIC_PAIR: 1, KIND_PHONE: 4, KIND_NAME_YEAR: 1}
