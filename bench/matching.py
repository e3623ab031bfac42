"""Duplicate matching: our blind-key pipeline against Splink (on DuckDB) and against naive all-pairs.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/matching.py                       # about ten minutes on 2 cores
    .venv/bin/python bench/matching.py --lookup-records 200000 --entities 4000   # a quick look

Not run in CI. The last line of output is `name=value` pairs; the exit status is non-zero when a
figure could not be measured.

THE DATA (``generate``). Synthetic people, made the way records of one person really diverge here:
- an entity has a given name, a surname and a patronymic, in Cyrillic, drawn with Zipf-like weights
  from Chechen/Dagestani (three in four) or Russian name lists, so a few names are very common
  (there are many Magomed Magomedovs); women take -ova/-eva surnames and -ovna/-evna patronymics;
  a date of birth between 1960 and 2006 and a mobile number +7 9xx;
- one entity in ten has a sibling: same surname and patronymic, another given name and date of birth,
  often the same family phone (a hard non-match);
- a share of the entities has 1 to 3 further records, each an independent variant of the entity:
  * script: Cyrillic, or Latin in one of six transliteration systems (passport/ICAO 2013, BGN/PCGN,
    GOST 7.79-B, informal English, French, German), and for Arabic-origin names sometimes the
    Arabic form (Muhammad, Mohammed for Магомед);
  * a nickname or diminutive for the given name (from the generator's own table, which is not the
    matcher's: it holds forms the matcher does not know);
  * surname written first; patronymic dropped (more often in Latin records);
  * one typo (substitution, deletion, transposition or doubling) in one name word;
  * date of birth full, year and month, year only, a year off by one (worked out from an age), or
    missing; written as 1990-05-12 or 12.05.1990;
  * phone present or not, in one of five formats, or a different (new) number;
  * now and then another name in ``other_names`` (a nickname or the name in the other script).
Ground truth: two records match when they come from the same entity.

THE CONTESTANTS, on the same records in the same run:
1. ours: exactly the platform's code, run in process on the plaintext, as an import of the whole
   set into an empty organisation (``services.match_keys_refresh_many``, what ``safepassage import
   people`` runs): ``keys.record_keys`` for every record, each distinct key hashed once with the same
   HMAC-SHA256 construction as ``vault.blind_indexes`` under a random key (the blind indexes the
   platform stores), then ``batch.batch_pairs`` (each record's candidates among the records before it,
   at most 12, exactly as one-by-one lookups find them) and ``batch.batch_scores``. A pair is
   predicted when the score is at least 0.5.
   The same records are then matched one at a time, as a record written by hand is (a dict stands in
   for the MatchKey table and its counts, read through ``candidates.lookup``; each record hashes its
   keys, looks up its candidates among the earlier ones, scores them, stores its keys). Both must
   predict the same pairs; the bench says whether they did.
2. Splink (DuckDB backend), a standard configuration: names romanised and folded with the same
   ``core.names`` functions (without that, no Cyrillic record could ever meet a Latin one), first
   word as forename, last as surname, middle as patronymic; metaphone codes for blocking; blocking on
   forename+surname (both orders), metaphones, phone, surname+year and forename+year; comparisons
   ForenameSurnameComparison (Jaro-Winkler, reversed columns, term frequencies), NameComparison on
   the patronymic, exact birth year, exact full date, exact phone; the match probability estimated
   from deterministic rules, u by random sampling, m by expectation maximisation on two blocks.
   A pair is predicted at match probability 0.5. Its time includes training.
3. naive all-pairs: our score on every pair of a smaller sample (the recall ceiling of our blocking),
   and our pipeline on that same sample.

THE LOOKUP at scale: keys of N (default 1,000,000) records are written to an SQLite table shaped like
MatchKey with its (organisation, digest) and person indexes, and their holder counts to a table shaped
like MatchKeyCount (and both to PostgreSQL with --pg); then new records (variants of existing people
and new people) look up their candidates, end to end: keys, HMACs, the three queries of
``selectors.candidates_for`` (counts, rows of selective digests, common digests of the people found),
ranking. p50/p95/max in milliseconds. Unless --no-compare, the same lookups are timed again fetching
every row of every digest (the lookup before the holder counts), and the two candidate lists compared.

    .venv/bin/python bench/matching.py --only lookup --pg postgresql://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import platform
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safepassage.core.names import fold_latin, phone_digits, romanise  # noqa: E402
from safepassage.matching.keys import (  # noqa: E402
    KIND_PAIR, MatchInput, birth_date, lookup_keys, record_keys, stored_keys,
)
from safepassage.matching.batch import (  # noqa: E402
    batch_keys, batch_pairs, batch_scores, distinct_keys, no_cycle_collection,
)
from safepassage.matching.candidates import lookup, select_candidates  # noqa: E402
from safepassage.vault.crypto import macs  # noqa: E402
from safepassage.matching.scoring import PLAINTEXT_CACHES, SUGGEST_AT, profile, score_profiles  # noqa: E402

CANDIDATE_LIMIT = 12  # as safepassage.matching.selectors.CANDIDATE_LIMIT

# --- name lists ------------------------------------------------------------------------------------

CHECHEN_MEN = ("Магомед Ахмед Ислам Рамзан Руслан Зелимхан Адам Али Аслан Ибрагим Иса Муса Хасан Хусейн "
               "Юсуп Умар Сулейман Шамиль Мансур Муслим Тимур Хамзат Абдулла Арби Висхан Лема Идрис "
               "Байсангур Алихан Исмаил Саид Анзор Беслан Ваха Султан Турпал Ильяс Рустам Апти Майрбек "
               "Хож-Ахмед Абдул-Керим Даут Сайхан Асланбек").split()
CHECHEN_WOMEN = "Хадижат Зарема Малика Мадина Амина Луиза Хеда Марьям Патимат Зайнаб Седа Аминат Элина Милана Хава Иман Раиса Петимат Залина".split()
RUSSIAN_MEN = "Александр Дмитрий Сергей Михаил Евгений Андрей Алексей Никита Максим Иван Артём Павел Роман Владимир Николай Кирилл Денис Юрий".split()
RUSSIAN_WOMEN = "Екатерина Анастасия Мария Ольга Елена Наталья Ирина Татьяна Юлия Дарья Светлана".split()
CHECHEN_SURNAMES = ("Ибрагимов Магомедов Дудаев Кадыров Масхадов Басаев Умаров Ахмедов Исаев Мусаев Хасанов "
                    "Юсупов Алиев Гайрбеков Дадаев Даудов Делимханов Закаев Садулаев Эдельгериев Хамбиев "
                    "Гелаев Арсанов Вахидов Абдулаев Гаджиев Тагиев Бисултанов Цакаев Эльмурзаев Джабраилов "
                    "Межидов Мовсаров Сайдулаев Шамилев Батукаев Бакаев Висаитов Идрисов Ильясов Хадисов "
                    "Шаипов Мутаев Яндаров Зубайраев Берсанов Тимирбулатов Успаев Хатуев Ясаев Чабаев "
                    "Шахбулатов Хажмурадов Эсамбаев Яхьяев Мациев Алханов Байсаров Джамалдинов Товсултанов "
                    "Ахмадов Хизриев Гериханов Эльдарханов Муцуев Нухаев Сулейманов Исмаилов Хусейнов "
                    "Абубакаров Вагапов Денильханов Инаркаев Кагерманов Лорсанов Мамакаев Оздамиров "
                    "Пашаев Расуев Саидов Такаев Усманов Цечоев Шовхалов Юнусов Азиев Бетиев").split()
RUSSIAN_SURNAMES = ("Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
                    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
                    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
                    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
                    "Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов").split()

# Arabic forms of Arabic-origin given names, as Latin records write them.
ARABIC_FORMS = {
    "Магомед": ["Muhammad", "Mohammed", "Mohamed", "Mukhammad"], "Ахмед": ["Ahmad", "Ahmed"],
    "Ибрагим": ["Ibrahim"], "Юсуп": ["Yusuf", "Youssef"], "Умар": ["Omar", "Umar"], "Хусейн": ["Hussein", "Husayn"],
    "Хасан": ["Hasan", "Hassan"], "Исмаил": ["Ismail"], "Сулейман": ["Suleiman", "Sulayman"], "Муса": ["Musa"],
    "Иса": ["Isa", "Issa"], "Абдулла": ["Abdullah"], "Зайнаб": ["Zaynab", "Zeynab"], "Хадижат": ["Khadija"],
    "Марьям": ["Maryam", "Mariam"], "Амина": ["Amina"], "Патимат": ["Fatima"], "Ильяс": ["Ilyas", "Elias"],
}
# The generator's own nicknames: some the matcher knows, some it does not (Шурик, Ахмедик, Русик...).
NICKNAMES = {
    "Магомед": ["Мага", "Магома", "Магомедик"], "Александр": ["Саша", "Шурик"], "Дмитрий": ["Дима", "Митя"],
    "Зелимхан": ["Зелим"], "Руслан": ["Руся", "Русик"], "Ибрагим": ["Ибра"], "Рамзан": ["Рамзик"],
    "Михаил": ["Миша"], "Сергей": ["Серёжа", "Серега"], "Евгений": ["Женя"], "Екатерина": ["Катя"],
    "Анастасия": ["Настя"], "Мария": ["Маша"], "Хадижат": ["Хеда"], "Ахмед": ["Ахмедик"], "Ислам": ["Исик"],
    "Алексей": ["Лёша"], "Николай": ["Коля"], "Владимир": ["Вова", "Володя"], "Иван": ["Ваня"],
    "Шамиль": ["Шама"], "Тимур": ["Тима"], "Абдул-Керим": ["Керим"],
}

# --- transliteration systems ----------------------------------------------------------------------

_PASSPORT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y _ e iu ia".split()))
_PASSPORT["ь"] = ""
SYSTEMS = {
    "passport": {},
    "bgn": {"й": "y", "ю": "yu", "я": "ya", "ё": "yo", "ъ": "", "э": "e", "_e_initial": "ye"},
    "gost_b": {"й": "j", "х": "x", "ц": "cz", "щ": "shh", "ю": "yu", "я": "ya", "ы": "y'", "ъ": "", "ь": ""},
    "english": {"х": "h", "й": "y", "ю": "yu", "я": "ya", "ё": "yo", "ъ": "", "_ii_final": "y"},
    "french": {"ш": "ch", "ч": "tch", "ж": "j", "у": "ou", "й": "ï", "ю": "iou", "я": "ia", "щ": "chtch",
               "ъ": "", "_dzh": "dj"},
    "german": {"ш": "sch", "ч": "tsch", "ж": "sch", "в": "w", "й": "j", "ю": "ju", "я": "ja", "х": "ch",
               "ц": "z", "з": "s", "щ": "schtsch", "ъ": "", "_dzh": "dsch"},
}
SYSTEM_WEIGHTS = {"passport": 40, "bgn": 20, "english": 25, "french": 5, "german": 5, "gost_b": 5}


def transliterate(word: str, system: str) -> str:
    table = SYSTEMS[system]
    low = word.lower()
    out = []
    i = 0
    while i < len(low):
        ch = low[i]
        if ch == "д" and low[i + 1:i + 2] == "ж" and "_dzh" in table:
            out.append(table["_dzh"])
            i += 2
            continue
        if table.get("_ii_final") and low[i:] in ("ий", "ый"):
            out.append(table["_ii_final"])
            break
        if ch == "е" and (i == 0 or low[i - 1] in "аеёиоуыэюяьъ") and "_e_initial" in table:
            out.append(table["_e_initial"])
        elif ch in table:
            out.append(table[ch])
        elif ch in _PASSPORT:
            out.append(_PASSPORT[ch])
        else:
            out.append(ch)
        i += 1
    text = "".join(out)
    return "-".join(part[:1].upper() + part[1:] for part in text.split("-"))


# --- the generator --------------------------------------------------------------------------------

@dataclass
class Entity:
    eid: int
    woman: bool
    given: str
    surname: str
    patronymic: str
    dob: tuple[int, int, int]
    phone: str
    chechen: bool


@dataclass
class Rec:
    rid: int
    eid: int
    data: MatchInput


def _zipf(items, s=1.0):
    return items, [1.0 / (rank + 1) ** s for rank in range(len(items))]


def _patronymic(father: str, woman: bool) -> str:
    base = father.split("-")[-1]
    if base[-1] in "йь":
        stem, suffix = base[:-1], ("евна" if woman else "евич")
    elif base[-1] in "аяеиоу":
        stem, suffix = base, ("евна" if woman else "евич")
    else:
        stem, suffix = base, ("овна" if woman else "ович")
    return stem + suffix


def _feminine(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин")) else surname


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pools = {
            (True, False): _zipf(CHECHEN_MEN, 1.1), (True, True): _zipf(CHECHEN_WOMEN, 0.9),
            (False, False): _zipf(RUSSIAN_MEN, 0.8), (False, True): _zipf(RUSSIAN_WOMEN, 0.8),
        }
        self.surnames = {True: _zipf(CHECHEN_SURNAMES, 0.7), False: _zipf(RUSSIAN_SURNAMES, 0.7)}
        self.phones_used: set[str] = set()

    def pick(self, pool):
        items, weights = pool
        return self.rng.choices(items, weights)[0]

    def phone(self) -> str:
        while True:
            number = f"9{self.rng.randint(0, 99):02d}{self.rng.randint(0, 9999999):07d}"
            if number not in self.phones_used:
                self.phones_used.add(number)
                return number

    def entity(self, eid: int, *, sibling_of: Entity | None = None) -> Entity:
        rng = self.rng
        chechen = sibling_of.chechen if sibling_of else rng.random() < 0.75
        woman = rng.random() < 0.3
        given = self.pick(self.pools[(chechen, woman)])
        if sibling_of:
            surname = sibling_of.surname.removesuffix("а") if sibling_of.woman and sibling_of.surname.endswith("ва") \
                else sibling_of.surname
            father = sibling_of.patronymic  # kept as a built patronymic: rebuild the gender form below
            patronymic = father[:-4] + ("овна" if woman else "ович") if father.endswith(("ович", "овна")) else \
                father[:-4] + ("евна" if woman else "евич")
            phone = sibling_of.phone if rng.random() < 0.5 else self.phone()
        else:
            surname = self.pick(self.surnames[chechen])
            patronymic = _patronymic(self.pick(self.pools[(chechen, False)]), woman)
            phone = self.phone()
        if woman:
            surname = _feminine(surname)
        dob = (rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28))
        return Entity(eid, woman, given, surname, patronymic, dob, phone, chechen)

    def _typo(self, word: str) -> str:
        rng = self.rng
        if len(word) < 4:
            return word
        i = rng.randrange(1, len(word) - 1)
        letters = "абвгдеиклмнорстуя" if any("а" <= c <= "я" for c in word.lower()) else "abdeghiklmnorstuvz"
        op = rng.choice(("sub", "del", "swap", "double"))
        if op == "sub":
            return word[:i] + rng.choice(letters) + word[i + 1:]
        if op == "del":
            return word[:i] + word[i + 1:]
        if op == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        return word[:i] + word[i] + word[i:]

    def _write(self, word: str, system: str | None) -> str:
        return word if system is None else transliterate(word, system)

    def record(self, rid: int, e: Entity, *, first: bool) -> Rec:
        rng = self.rng
        latin = rng.random() < (0.45 if first else 0.6)
        system = rng.choices(list(SYSTEM_WEIGHTS), list(SYSTEM_WEIGHTS.values()))[0] if latin else None
        given = e.given
        if not first and given in NICKNAMES and rng.random() < 0.12:
            given = rng.choice(NICKNAMES[given])
        given_w = self._write(given, system)
        if latin and given == e.given and given in ARABIC_FORMS and rng.random() < 0.3:
            given_w = rng.choice(ARABIC_FORMS[given])
        words = [given_w, self._write(e.patronymic, system), self._write(e.surname, system)]
        drop_patronymic = rng.random() < (0.7 if latin else 0.35)
        if drop_patronymic:
            words.pop(1)
        if rng.random() < 0.2:  # surname first
            words = [words[-1], *words[:-1]]
        if not first and rng.random() < 0.15:
            j = rng.randrange(len(words))
            words[j] = self._typo(words[j])
        if rng.random() < 0.05:  # upper case, as on a passport page
            words = [w.upper() for w in words]
        other_names = ()
        if rng.random() < 0.05:
            other = rng.choice(NICKNAMES.get(e.given, [e.given]))
            other_names = (other if rng.random() < 0.5 else transliterate(other, "passport"),)
        y, m, d = e.dob
        r = rng.random()
        if r < 0.35:
            dob = f"{y}-{m:02d}-{d:02d}" if rng.random() < 0.6 else f"{d:02d}.{m:02d}.{y}"
        elif r < 0.45:
            dob = f"{y}-{m:02d}"
        elif r < 0.65:
            dob = f"{y}"
        elif r < 0.72:
            dob = f"{y + rng.choice((-1, 1))}"
        else:
            dob = ""
        phones: tuple[str, ...] = ()
        r = rng.random()
        if r < 0.5:
            p = e.phone
            fmt = rng.randrange(5)
            phones = ([f"+7 {p[:3]} {p[3:6]}-{p[6:8]}-{p[8:]}", f"8{p}", f"8 ({p[:3]}) {p[3:6]} {p[6:8]} {p[8:]}",
                       f"+7{p}", p][fmt],)
        elif r < 0.58:
            phones = (f"+7{self.phone()}",)
        return Rec(rid, e.eid, MatchInput(" ".join(words), other_names, dob, phones))


def generate(n_entities: int, seed: int, *, dup_share: float = 0.4) -> list[Rec]:
    """Records of `n_entities` people (plus siblings), shuffled; see the module docstring."""
    gen = Generator(seed)
    entities: list[Entity] = []
    for _ in range(n_entities):
        e = gen.entity(len(entities))
        entities.append(e)
        if gen.rng.random() < 0.1:
            entities.append(gen.entity(len(entities), sibling_of=e))
    records: list[Rec] = []
    for e in entities:
        extra = 0
        if gen.rng.random() < dup_share:
            extra = 1 + (gen.rng.random() < 0.35) + (gen.rng.random() < 0.2)
        for k in range(1 + extra):
            records.append(gen.record(len(records), e, first=(k == 0)))
    gen.rng.shuffle(records)
    for i, rec in enumerate(records):
        rec.rid = i
    return records


def true_pairs(records: list[Rec]) -> set[tuple[int, int]]:
    by_entity = defaultdict(list)
    for rec in records:
        by_entity[rec.eid].append(rec.rid)
    return {(a, b) for ids in by_entity.values() for a, b in combinations(sorted(ids), 2)}


def quality(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(predicted)}


# --- 1. ours --------------------------------------------------------------------------------------

class Blind:
    """``vault.blind_index`` / ``vault.blind_indexes`` under a random key: the vault's own MAC code
    (``vault.crypto.macs``, HMAC-SHA256, the keyed state made once per call), truncated the same way."""

    def __init__(self):
        self.key = secrets.token_bytes(32)

    def digest(self, kind: str, value: str) -> str:
        return hmac.digest(self.key, f"match.{kind}\0{value}".encode(), hashlib.sha256).hex()[:32]

    def many(self, keys) -> list[str]:
        """``vault.blind_indexes`` of a list of (kind, value) keys."""
        return [digest.hex()[:32] for digest in macs(self.key, [f"match.{kind}\0{value}".encode() for kind, value in keys])]

    def digests(self, keys) -> dict:
        """{(kind, value): digest} of a record's keys, as ``selectors.key_digests`` makes them."""
        keys = list(keys)
        return dict(zip(keys, self.many(keys)))


def run_ours(records: list[Rec]) -> tuple[set, dict]:
    """The import path (``services.match_keys_refresh_many``): every record's keys, each distinct key
    hashed once (the blind indexes the platform stores), the candidates and scores of ``batch``."""
    blind = Blind()
    with no_cycle_collection():
        data = [rec.data for rec in records]
        keys, stored = batch_keys(data)
        distinct = distinct_keys(keys)
        blind.many(distinct)
        pairs = batch_pairs(keys, stored, [rec.rid for rec in records], limit=CANDIDATE_LIMIT, distinct=distinct)
        del keys, stored  # as the import lets them go once its keys are written
        found = batch_scores(pairs, [profile(d) for d in data])
    predicted = {(min(records[r].rid, records[o].rid), max(records[r].rid, records[o].rid)) for r, o, _s in found}
    return predicted, {"scored_per_record": len(pairs.record) / max(len(records), 1)}


def run_ours_one_by_one(records: list[Rec]) -> tuple[set, dict]:
    blind = Blind()
    index: dict[str, list[int]] = defaultdict(list)
    keys_of: dict[int, set[str]] = {}
    profiles = {}  # what scoring reads of each record, made once when it arrives (as its tokens were)
    predicted = set()
    scored = 0

    def count(digests):
        return {d: len(index[d]) for d in digests if d in index}

    def rows_of_digests(digests):
        return [(other, digest) for digest in digests for other in index.get(digest, ())]

    def rows_of_people(people, digests):
        return [(other, digest) for other in people for digest in digests if digest in keys_of[other]]

    for rec in records:
        data = rec.data
        mine = profiles[rec.rid] = profile(data)
        looked_up, stored = record_keys(data)
        digest_of = blind.digests(looked_up)  # the stored keys are among these: each is hashed once
        wanted = {digest: key[0] for key, digest in digest_of.items()}
        found = lookup(wanted, count=count, rows_of_digests=rows_of_digests, rows_of_people=rows_of_people,
                       limit=CANDIDATE_LIMIT)
        for candidate in found:
            other = candidate.person_id
            scored += 1
            result = score_profiles(mine, profiles[other], candidate.name_frequency, at_least=SUGGEST_AT)
            if result is not None and result.value >= SUGGEST_AT:
                predicted.add((min(rec.rid, other), max(rec.rid, other)))
        keys_of[rec.rid] = own = {digest_of[key] for key in stored}
        for digest in own:
            index[digest].append(rec.rid)
    return predicted, {"scored_per_record": scored / max(len(records), 1)}


def run_naive(records: list[Rec]) -> set:
    """Every pair scored; the name frequency from the whole sample's pair keys, as the platform counts it."""
    profiles = [profile(r.data) for r in records]
    pair_keys = [{v for k, v in stored_keys(r.data) if k == KIND_PAIR} for r in records]
    holders: dict[str, int] = defaultdict(int)
    for keys in pair_keys:
        for key in keys:
            holders[key] += 1
    predicted = set()
    for i, j in combinations(range(len(records)), 2):
        shared = pair_keys[i] & pair_keys[j]
        frequency = max(min(holders[k] for k in shared) - 1, 1) if shared else 1  # others than i
        result = score_profiles(profiles[i], profiles[j], frequency, at_least=SUGGEST_AT)
        if result is not None and result.value >= SUGGEST_AT:
            predicted.add((records[i].rid, records[j].rid))
    return predicted


# --- 2. Splink ------------------------------------------------------------------------------------

def _folded_words(name: str) -> list[str]:
    return [fold_latin(w) for w in "".join(ch if ch.isalnum() else " " for ch in romanise(name)).split()]


def splink_frame(records: list[Rec]):
    import jellyfish
    import pandas as pd

    rows = []
    for rec in records:
        words = _folded_words(rec.data.full_name)
        first = words[0] if words else None
        last = words[-1] if len(words) > 1 else None
        middle = words[1] if len(words) > 2 else None
        born = birth_date(rec.data.date_of_birth)
        phones = sorted({phone_digits(p) for p in rec.data.phones if phone_digits(p)})
        rows.append({
            "unique_id": rec.rid, "first_name": first, "surname": last, "patronymic": middle,
            "first_name_surname_concat": f"{first} {last}" if first and last else None,
            "first_mp": jellyfish.metaphone(first) if first else None,
            "surname_mp": jellyfish.metaphone(last) if last else None,
            "birth_year": born[0] if born else None,
            "dob": f"{born[0]}-{born[1]:02d}-{born[2]:02d}" if born and born[1] and born[2] else None,
            "phone": phones[0] if phones else None,
        })
    return pd.DataFrame(rows)


def run_splink(records: list[Rec]) -> set:
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = splink_frame(records)
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            "l.first_name = r.surname and l.surname = r.first_name",
            block_on("first_mp", "surname_mp"),
            "l.first_mp = r.surname_mp and l.surname_mp = r.first_mp",
            block_on("phone"),
            block_on("surname", "birth_year"),
            block_on("first_name", "birth_year"),
        ],
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname",
                                         forename_surname_concat_col_name="first_name_surname_concat"),
            cl.NameComparison("patronymic"),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("dob"),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "birth_year"), block_on("phone")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("phone"), record_sample_proportion=1.0)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), record_sample_proportion=1.0)
    result = linker.inference.predict(threshold_match_probability=SUGGEST_AT).as_pandas_dataframe()
    return {(min(a, b), max(a, b)) for a, b in zip(result["unique_id_l"], result["unique_id_r"])}


# --- 3. lookup among a million ---------------------------------------------------------------------

def _key_rows(records: list[Rec], blind: Blind):
    for rec in records:
        for kind, value in stored_keys(rec.data):
            yield (1, blind.digest(kind, value), rec.rid)


class Store:
    """The three queries of ``selectors.candidates_for`` on a DB-API cursor (SQLite or psycopg).

    ``full`` is the lookup as it was before the holder counts: every row of every looked-up digest.
    """

    def __init__(self, cursor, *, table: str, counts: str, placeholder: str, any_array: bool):
        self.cur, self.table, self.counts = cursor, table, counts
        self.ph, self.any_array = placeholder, any_array

    def _in(self, column: str, values) -> tuple[str, list]:
        values = list(values)
        if self.any_array:
            return f"{column} = ANY({self.ph})", [values]
        return f"{column} IN ({','.join(self.ph * len(values))})", values

    def _fetch(self, sql: str, params) -> list:
        self.cur.execute(sql, params)
        return self.cur.fetchall()

    def count(self, digests):
        where, params = self._in("digest", digests)
        return dict(self._fetch(f"SELECT digest, holders FROM {self.counts} WHERE organisation_id = {self.ph} "
                                f"AND {where}", [1, *params]))

    def rows_of_digests(self, digests):
        where, params = self._in("digest", digests)
        return self._fetch(f"SELECT person_id, digest FROM {self.table} WHERE organisation_id = {self.ph} "
                           f"AND {where}", [1, *params])

    def rows_of_people(self, people, digests):
        by_person, p1 = self._in("person_id", people)
        by_digest, p2 = self._in("digest", digests)
        return self._fetch(f"SELECT person_id, digest FROM {self.table} WHERE {by_person} AND {by_digest}",
                           [*p1, *p2])

    def candidates(self, wanted: dict) -> list:
        return lookup(wanted, count=self.count, rows_of_digests=self.rows_of_digests,
                      rows_of_people=self.rows_of_people, limit=CANDIDATE_LIMIT)

    def candidates_full(self, wanted: dict) -> list:
        return select_candidates(self.rows_of_digests(list(wanted)), wanted, limit=CANDIDATE_LIMIT)


def _timed_lookups(store: Store, queries, blind: Blind, *, full: bool) -> tuple[list[float], list[list]]:
    times, found = [], []
    for data in queries:
        t = time.perf_counter()
        wanted = {digest: kind for (kind, _value), digest in blind.digests(lookup_keys(data)).items()}
        result = (store.candidates_full(wanted) if full else store.candidates(wanted)) if wanted else []
        times.append((time.perf_counter() - t) * 1000)
        found.append(result)
    return times, found


def _percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1]}


def _measure(store: Store, queries, blind: Blind, compare: bool) -> dict:
    for data in queries[:50]:  # warm the cache as a running server would be
        wanted = {digest: kind for (kind, _value), digest in blind.digests(lookup_keys(data)).items()}
        if wanted:
            store.candidates(wanted)
    times, found = _timed_lookups(store, queries, blind, full=False)
    out = _percentiles(times)
    out["candidates_mean"] = statistics.mean(len(f) for f in found)
    if compare:
        full_times, full_found = _timed_lookups(store, queries, blind, full=True)
        out["full"] = _percentiles(full_times)
        out["same_candidates"] = sum(a == b for a, b in zip(found, full_found))
    return out


def lookup_bench(n_records: int, n_queries: int, seed: int, pg_url: str | None, *, compare: bool = True) -> dict:
    t0 = time.perf_counter()
    entities = max(1, int(n_records / 1.7))
    records = generate(entities, seed + 1)[:n_records]
    queries = [r.data for r in generate(n_queries, seed + 2)]  # mostly new people
    gen = Generator(seed + 3)
    rng = random.Random(seed + 4)
    # half the queries are another record of someone already indexed
    by_entity = {}
    for rec in records:
        by_entity.setdefault(rec.eid, rec)
    half = rng.sample(list(by_entity.values()), min(n_queries // 2, len(by_entity)))
    for rec in half:
        e = Entity(rec.eid, False, "", "", "", (1990, 1, 1), "", True)
        queries.append(rec.data if rng.random() < 0.2 else _variant_of(gen, rec.data, e))
    rng.shuffle(queries)
    queries = queries[:n_queries]
    generated = time.perf_counter() - t0
    blind = Blind()
    out = {"generate_s": generated, "queries": len(queries)}

    folder = tempfile.mkdtemp(prefix="safepassage-bench-")
    db = sqlite3.connect(os.path.join(folder, "keys.sqlite3"))
    # shaped as MatchKey (its (organisation, digest) index and the person foreign-key index) and MatchKeyCount
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "CREATE TABLE match_key (organisation_id INTEGER, digest TEXT, person_id INTEGER);"
                     "CREATE TABLE match_key_count (organisation_id INTEGER, digest TEXT, holders INTEGER);")
    t0 = time.perf_counter()
    rows = list(_key_rows(records, blind))
    out["records"] = len(records)
    out["keys_s"] = time.perf_counter() - t0
    del records, by_entity, half
    t0 = time.perf_counter()
    db.executemany("INSERT INTO match_key VALUES (?, ?, ?)", rows)
    db.execute("CREATE INDEX matching_key_lookup ON match_key (organisation_id, digest)")
    db.execute("CREATE INDEX matching_key_person ON match_key (person_id)")
    db.execute("INSERT INTO match_key_count SELECT organisation_id, digest, count(*) FROM match_key "
               "GROUP BY organisation_id, digest")
    db.execute("CREATE UNIQUE INDEX matching_one_count_per_digest ON match_key_count (organisation_id, digest)")
    db.commit()
    out["sqlite_build_s"] = time.perf_counter() - t0
    out["keys"] = db.execute("SELECT count(*) FROM match_key").fetchone()[0]
    out["digests"] = db.execute("SELECT count(*) FROM match_key_count").fetchone()[0]
    store = Store(db.cursor(), table="match_key", counts="match_key_count", placeholder="?", any_array=False)
    out["sqlite"] = _measure(store, queries, blind, compare)
    db.close()
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)

    if pg_url:
        out["postgres"] = _pg_lookup(pg_url, rows, queries, blind, compare)
    return out


def _variant_of(gen: Generator, data: MatchInput, _e) -> MatchInput:
    """Another record of the same person: transliterated, reordered or mistyped, other dob/phone form."""
    rng = gen.rng
    words = data.full_name.split()
    if any("а" <= c.lower() <= "я" for c in data.full_name) and rng.random() < 0.6:
        system = rng.choice(list(SYSTEMS))
        words = [transliterate(w, system) for w in words]
    if rng.random() < 0.2:
        words = words[::-1]
    if rng.random() < 0.15 and words:
        j = rng.randrange(len(words))
        words[j] = gen._typo(words[j])
    born = birth_date(data.date_of_birth)
    dob = str(born[0]) if born and rng.random() < 0.5 else data.date_of_birth
    phones = tuple(f"8{phone_digits(p)}" for p in data.phones) if rng.random() < 0.7 else ()
    return MatchInput(" ".join(words), (), dob, phones)


def _pg_lookup(pg_url: str, rows, queries, blind, compare: bool) -> dict:
    import psycopg

    out = {}
    with psycopg.connect(pg_url, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_match_key")
        cur.execute("DROP TABLE IF EXISTS bench_match_key_count")
        cur.execute("CREATE UNLOGGED TABLE bench_match_key (organisation_id bigint, digest varchar(32), "
                    "person_id bigint)")
        t0 = time.perf_counter()
        with cur.copy("COPY bench_match_key FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute("CREATE INDEX bench_matching_key_lookup ON bench_match_key (organisation_id, digest) "
                    "INCLUDE (person_id)")
        cur.execute("CREATE INDEX bench_matching_key_person ON bench_match_key (person_id)")
        cur.execute("CREATE UNLOGGED TABLE bench_match_key_count AS SELECT organisation_id, digest, "
                    "count(*)::integer AS holders FROM bench_match_key GROUP BY organisation_id, digest")
        cur.execute("CREATE UNIQUE INDEX bench_matching_one_count ON bench_match_key_count (organisation_id, digest) "
                    "INCLUDE (holders)")
        cur.execute("VACUUM ANALYZE bench_match_key")
        cur.execute("VACUUM ANALYZE bench_match_key_count")
        out["build_s"] = time.perf_counter() - t0
        store = Store(cur, table="bench_match_key", counts="bench_match_key_count", placeholder="%s",
                      any_array=True)
        out.update(_measure(store, queries, blind, compare))
        cur.execute("DROP TABLE bench_match_key")
        cur.execute("DROP TABLE bench_match_key_count")
    return out


# --- main -----------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        ram = f"{mem / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    return f"{os.cpu_count()} CPUs, {cpu}, {ram} RAM, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=10000, help="people for the quality comparison")
    parser.add_argument("--naive-entities", type=int, default=900, help="people for the all-pairs sample")
    parser.add_argument("--lookup-records", type=int, default=1_000_000)
    parser.add_argument("--lookup-queries", type=int, default=1000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"),
                        help="also measure the lookup on this PostgreSQL (a scratch table is made and dropped)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of ours and of Splink on the same records; the medians are compared")
    parser.add_argument("--only", choices=["all", "quality", "lookup"], default="all",
                        help="quality: ours, Splink and all-pairs; lookup: the lookup among --lookup-records")
    parser.add_argument("--no-compare", action="store_true",
                        help="skip timing the lookup that fetches every row (and the check that both agree)")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    print(f"machine: {machine()}")

    if args.only in ("all", "quality"):
        _report_quality(args, figures)
    if args.only in ("all", "lookup"):
        _report_lookup(args, figures)

    print()
    print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    if args.only == "lookup":
        return 0 if "lookup_sqlite_p95_ms" in figures else 1
    return 0 if "splink_f1" in figures else 1


def _report_quality(args, figures: dict) -> None:
    records = generate(args.entities, args.seed)
    truth = true_pairs(records)
    print(f"\n== quality: {len(records)} records of {args.entities} people (+ siblings), {len(truth)} true pairs ==")

    ours_times = []
    for _ in range(args.repeat):  # each run from cold: no name forms left over from the one before
        for cached in PLAINTEXT_CACHES:
            cached.cache_clear()
        t, c = time.perf_counter(), time.process_time()
        ours, info = run_ours(records)
        ours_times.append((time.perf_counter() - t, time.process_time() - c))
    ours_s, ours_cpu = (statistics.median(x) for x in zip(*ours_times))
    q = quality(ours, truth)
    print(f"ours      precision {q['precision']:.3f}  recall {q['recall']:.3f}  F1 {q['f1']:.3f}  "
          f"time {ours_s:6.2f} s (CPU {ours_cpu:.2f} s)  ({info['scored_per_record']:.1f} candidates decrypted per record)"
          f"  runs: {', '.join(f'{w:.2f}' for w, _c in ours_times)} s")
    figures.update(ours_f1=q["f1"], ours_precision=q["precision"], ours_recall=q["recall"], ours_s=ours_s,
                   ours_candidates_per_record=info["scored_per_record"])
    t, c = time.perf_counter(), time.process_time()
    one_by_one, _info = run_ours_one_by_one(records)
    one_s, one_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"          one record at a time (a record written by hand): time {one_s:6.2f} s (CPU {one_cpu:.2f} s), "
          f"{'the same' if one_by_one == ours else 'NOT the same'} pairs")
    figures.update(ours_one_by_one_s=one_s, batch_same_as_one_by_one=int(one_by_one == ours))
    try:
        splink_times = []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            splink_pairs = run_splink(records)
            splink_times.append((time.perf_counter() - t, time.process_time() - c))
        splink_s, splink_cpu = (statistics.median(x) for x in zip(*splink_times))
    except Exception as exc:  # noqa: BLE001 - report and fail below
        print(f"splink    could not run: {exc.__class__.__name__}: {exc}")
        splink_s = None
    if splink_s is not None:
        q = quality(splink_pairs, truth)
        print(f"splink    precision {q['precision']:.3f}  recall {q['recall']:.3f}  F1 {q['f1']:.3f}  "
              f"time {splink_s:6.2f} s (CPU {splink_cpu:.2f} s, all threads)"
              f"  runs: {', '.join(f'{w:.2f}' for w, _c in splink_times)} s")
        figures.update(splink_f1=q["f1"], splink_precision=q["precision"], splink_recall=q["recall"],
                       splink_s=splink_s, speedup_vs_splink=splink_s / ours_s,
                       cpu_speedup_vs_splink=splink_cpu / ours_cpu)
        print(f"          ours - splink F1 {figures['ours_f1'] - figures['splink_f1']:+.3f}; ours "
              f"{figures['speedup_vs_splink']:.1f}x faster (wall clock), {figures['cpu_speedup_vs_splink']:.1f}x (CPU)")

    sample = generate(args.naive_entities, args.seed + 10)
    truth_s = true_pairs(sample)
    n_pairs = len(sample) * (len(sample) - 1) // 2
    print(f"\n== all pairs: {len(sample)} records, {n_pairs} pairs, {len(truth_s)} true pairs ==")
    t = time.perf_counter()
    naive = run_naive(sample)
    naive_s = time.perf_counter() - t
    t = time.perf_counter()
    ours_sample, _ = run_ours(sample)
    ours_sample_s = time.perf_counter() - t
    qn, qo = quality(naive, truth_s), quality(ours_sample, truth_s)
    print(f"naive     precision {qn['precision']:.3f}  recall {qn['recall']:.3f}  F1 {qn['f1']:.3f}  time {naive_s:6.2f} s")
    print(f"ours      precision {qo['precision']:.3f}  recall {qo['recall']:.3f}  F1 {qo['f1']:.3f}  time {ours_sample_s:6.2f} s")
    figures.update(naive_f1=qn["f1"], naive_s=naive_s, ours_sample_f1=qo["f1"], ours_sample_s=ours_sample_s,
                   speedup_vs_naive=naive_s / ours_sample_s)


def _report_lookup(args, figures: dict) -> None:
    print(f"\n== candidate lookup among {args.lookup_records} records, {args.lookup_queries} new records ==")
    result = lookup_bench(args.lookup_records, args.lookup_queries, args.seed, args.pg, compare=not args.no_compare)
    print(f"generated in {result['generate_s']:.0f} s, keys and HMACs in {result['keys_s']:.0f} s; {result['keys']} keys "
          f"({result['keys'] / result['records']:.1f} per record), {result['digests']} digests; SQLite tables built "
          f"in {result['sqlite_build_s']:.0f} s")
    figures.update(lookup_records=result["records"])
    for name, label in (("sqlite", "sqlite"), ("postgres", "postgres")):
        if name not in result:
            continue
        r = result[name]
        print(f"{label:9} p50 {r['p50']:.2f} ms  p95 {r['p95']:.2f} ms  max {r['max']:.2f} ms  "
              f"({r['candidates_mean']:.1f} candidates per lookup)")
        figures.update({f"lookup_{name}_p50_ms": r["p50"], f"lookup_{name}_p95_ms": r["p95"]})
        if "full" in r:
            f = r["full"]
            print(f"{'':9} every row fetched (as before): p50 {f['p50']:.2f} ms  p95 {f['p95']:.2f} ms  "
                  f"max {f['max']:.2f} ms; same candidates for {r['same_candidates']} of {result['queries']} lookups")
            figures.update({f"lookup_{name}_full_p95_ms": f["p95"], f"lookup_{name}_same": r["same_candidates"]})


if __name__ == "__main__":
    sys.exit(main())
