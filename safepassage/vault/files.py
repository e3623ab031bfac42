"""Sealed files: uploaded documents stored as ciphertext under their record's data key.

On disk a file is a random name holding AEAD ciphertext; its name and type are sealed fields of
the record that owns it. Shredding the record's data key makes the file noise; deleting removes it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from . import services

MAX_BYTES = 20 * 1024 * 1024


def _path(stored_as: str) -> Path:
    if not stored_as or "/" in stored_as or stored_as.startswith("."):
        raise ValueError("not a sealed file name")
    return Path(settings.SEALED_FILES_DIR) / stored_as[:2] / stored_as


def store(key_id, content: bytes) -> str:
    """Encrypt and write; returns the random name to keep on the owning record."""
    if len(content) > MAX_BYTES:
        raise ValueError("file too large")
    stored_as = secrets.token_hex(20)
    path = _path(stored_as)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    blob = services.encrypt(key_id, content, f"file:{stored_as}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    return stored_as


def read(key_id, stored_as: str) -> bytes:
    return services.decrypt(key_id, _path(stored_as).read_bytes(), f"file:{stored_as}")


def read_raw(stored_as: str) -> bytes:
    """The ciphertext as stored (for backups, which keep files sealed)."""
    return _path(stored_as).read_bytes()


def write_raw(stored_as: str, blob: bytes) -> None:
    path = _path(stored_as)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(blob)
    os.chmod(path, 0o600)


def delete(stored_as: str) -> None:
    try:
        _path(stored_as).unlink()
    except FileNotFoundError:
        pass
