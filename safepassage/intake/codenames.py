"""Codenames: the words a visitor keeps instead of an account.

A codename is drawn with ``secrets`` from a bundled word list (Russian or English, by the page's
language) with enough words for at least ``INTAKE_CODENAME_BITS`` bits of entropy. The server
never stores it: only a keyed hash (to find the thread) and a public key derived from it (to seal
replies). Typing is forgiving: case, ``ё``/``е``, hyphens and extra spaces do not matter.
"""
from __future__ import annotations

import math
import os
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from safepassage.vault import sealedbox

from . import conf

_LISTS = Path(__file__).resolve().parent / "wordlists"
_NOT_LETTERS = re.compile(r"[^\w]+|[\d_]+", re.UNICODE)


@lru_cache(maxsize=None)
def word_list(language: str) -> tuple[str, ...]:
    """The bundled list for `language` ("ru" or "en"); any other language gets the English list."""
    name = "ru.txt" if language == "ru" else "en.txt"
    words = [w.strip() for w in (_LISTS / name).read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if w and not w.startswith("#")]
    if len(set(words)) != len(words):
        raise ValueError(f"word list {name} has duplicates")
    return tuple(words)


def words_needed(language: str, bits: int | None = None) -> int:
    bits = bits or conf.get("INTAKE_CODENAME_BITS")
    return math.ceil(bits / math.log2(len(word_list(language))))


def entropy_bits(language: str) -> float:
    return words_needed(language) * math.log2(len(word_list(language)))


def generate(language: str) -> str:
    words = word_list(language)
    count = words_needed(language)
    # one uniform draw among all len(words) ** count codenames, its digits in base len(words) the
    # words: the same distribution as a choice per word, with one read of the system's randomness
    # instead of one per word
    index, picked = secrets.randbelow(len(words) ** count), []
    for _ in range(count):
        index, digit = divmod(index, len(words))
        picked.append(words[digit])
    return " ".join(picked)


def normalise(text: str) -> str:
    """The form that is hashed: NFKC, case-folded, ё as е, words separated by one space."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    return " ".join(w for w in _NOT_LETTERS.split(text) if w)


def unknown_words(text: str) -> list[int]:
    """1-based positions of typed words that are in neither list (to point at a typo)."""
    known = set(word_list("ru")) | set(word_list("en"))
    return [i for i, w in enumerate(normalise(text).split(), start=1) if w not in known]


# --- the pepper -----------------------------------------------------------------------------------

_pepper_lock = threading.Lock()
_pepper_cache: dict[tuple, bytes] = {}  # (the pepper file setting, the data directory) -> the pepper


def pepper() -> bytes:
    """The deployment's codename pepper, created (0600) on first use; shared by every process.

    Kept in a file of the data directory rather than in the database, so a database dump alone
    (a backup, a database administrator) cannot even test a codename found on someone.
    """
    # found by the settings that name the file, without building its path on every submission
    where = (conf.get("INTAKE_PEPPER_FILE"), settings.DATA_DIR)
    cached = _pepper_cache.get(where)
    if cached is not None:
        return cached
    path = conf.pepper_file()
    with _pepper_lock:
        cached = _pepper_cache.get(where)
        if cached is not None:
            return cached
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # written whole under a private name, then linked into place: a process starting at the
            # same moment sees no file or the whole file, never a half-written one, and the first
            # link wins (link, unlike rename, does not replace a pepper already there)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(sealedbox.pepper_new().hex().encode())
                    fh.flush()
                    os.fsync(fh.fileno())
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(draft)
        value = bytes.fromhex(path.read_text().strip())
        if len(value) < 32:
            raise ValueError("the intake pepper file is damaged")
        _pepper_cache[where] = value
        return value


@dataclass(frozen=True)
class CodenameKeys:
    """What the server may keep of a codename: the lookup hash and the reply public key."""

    lookup: str
    public_key: bytes


def keys_for(codename: str) -> CodenameKeys:
    normalised = normalise(codename)
    salt = pepper()
    return CodenameKeys(sealedbox.codename_lookup(salt, normalised),
                        sealedbox.codename_public_key(salt, normalised))


def open_replies(codename: str, blobs: list[bytes]) -> list[bytes | None]:
    return sealedbox.open_with_codename(pepper(), normalise(codename), blobs)
