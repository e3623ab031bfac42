"""Normalising names and phone numbers for blind-index lookups.

A name typed as "Магомед", "MAGOMED" or "Magomed " must produce the same lookup token; a phone
typed as "+7 (928) 123-45-67" or "8 928 1234567" the same digits. The Russian romanisation table is
our own (close to the passport/ICAO 2013 rules, with common alternatives folded to one spelling),
so Cyrillic and Latin spellings of one name meet. Other scripts fall back to Unidecode.
"""
from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

# Cyrillic (Russian and the letters Chechen adds) to Latin, ICAO-like.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ӏ": "", "і": "i", "ї": "i", "є": "e", "ў": "u", "ґ": "g",
}

# Latin spellings that different transliteration systems produce for the same Cyrillic letters.
_LATIN_FOLDS = [
    ("shch", "shch"), ("sch", "shch"),
    ("yu", "iu"), ("ju", "iu"), ("ya", "ia"), ("ja", "ia"), ("yo", "e"), ("jo", "e"),
    ("zh", "zh"), ("j", "zh"),
    ("kh", "kh"), ("sh", "sh"), ("ch", "ch"), ("x", "ks"), ("h", "kh"),
    ("tz", "ts"), ("cz", "ch"),
    ("w", "v"), ("y", "i"),
]

_TOKEN_SPLIT = re.compile(r"[^\w]+", re.UNICODE)
_ROMAN = str.maketrans(_CYRILLIC)
_NOT_DIGITS = re.compile(r"[^0-9]+")


def romanise(text: str) -> str:
    """Lower-case Latin letters for any script; Cyrillic by our table, the rest by Unidecode."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_ROMAN)  # the table gives only ASCII
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else unidecode(ch).lower() for ch in text)


def fold_latin(token: str) -> str:
    """Fold alternative Latin spellings of the same sound into one (yu/ju/iu, h/kh, ...)."""
    out, i = [], 0
    while i < len(token):
        for src, dst in _LATIN_FOLDS:
            if token.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            out.append(token[i])
            i += 1
    return "".join(out)


def name_tokens(*names: str) -> set[str]:
    """The lookup tokens of one or more names: romanised, folded words of two letters or more."""
    tokens = set()
    for name in names:
        if not name:
            continue
        for word in _TOKEN_SPLIT.split(romanise(name)):
            word = "".join(ch for ch in word if ch.isalnum())
            if len(word) >= 2:
                tokens.add(fold_latin(word))
    return tokens


def phone_digits(phone: str) -> str:
    """The last ten digits: "+7 928 123-45-67", "8 (928) 1234567" and "9281234567" meet."""
    if phone.isascii():
        digits = _NOT_DIGITS.sub("", phone)
    else:  # other scripts' digits count too
        digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-10:] if len(digits) >= 6 else ""
