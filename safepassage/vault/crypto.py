"""Cryptographic primitives. The only module in safepassage that imports crypto libraries.

- AEAD: AES-256-GCM with a random 96-bit nonce; every ciphertext is bound by associated data to
  where it belongs (table, field, record id), so a ciphertext moved to another row fails to open.
- Key wrapping: a data key is AEAD-encrypted under a key-encryption key with its id as associated data.
- Blind indexes: HMAC-SHA256 under a dedicated key, truncated; lookups without decryption.
- Shamir: the master key is split with pyshamir (GF(256), HashiCorp Vault's scheme).
- Passphrase wrapping: argon2id (memory-hard) derives the wrapping key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
import pyshamir

from .errors import DecryptionFailed, InvalidShare

KEY_SIZE = 32
_VERSION = b"\x01"
_NONCE = 12


def random_key() -> bytes:
    return secrets.token_bytes(KEY_SIZE)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_(key: bytes, blob: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    if not blob or blob[:1] != _VERSION:
        raise DecryptionFailed("unknown ciphertext format")
    try:
        return AESGCM(key).decrypt(blob[1:1 + _NONCE], blob[1 + _NONCE:], aad)
    except InvalidTag:
        raise DecryptionFailed("ciphertext does not open with this key") from None


def derive(key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=purpose.encode()).derive(key)


def mac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def macs(key: bytes, messages) -> list[bytes]:
    """``mac`` of each message, the same bytes: the keyed state is made once and copied for each, with
    cryptography's HMAC, whose copy is a quarter of the cost of the standard library's (an import
    hashes tens of thousands of blind keys)."""
    keyed = crypto_hmac.HMAC(key, hashes.SHA256())
    out = []
    for data in messages:
        one = keyed.copy()
        one.update(data)
        out.append(one.finalize())
    return out


def mac_matches(key: bytes, data: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(mac(key, data), bytes(expected))


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- Shamir shares -------------------------------------------------------------------------------
# A share is printed as "SP1-" + base32(share bytes + 2-byte checksum), in groups of five letters,
# so a custodian reading it aloud or typing it gets a clear error on a typo before it is ever used.

def split(secret: bytes, shares: int, threshold: int) -> list[bytes]:
    return [bytes(part) for part in pyshamir.split(secret, shares, threshold)]


def combine(parts: list[bytes]) -> bytes:
    return bytes(pyshamir.combine([bytearray(p) for p in parts]))


def share_encode(share: bytes) -> str:
    body = base64.b32encode(share + sha256(share)[:2]).decode().rstrip("=")
    return "SP1-" + "-".join(body[i:i + 5] for i in range(0, len(body), 5))


def share_decode(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if not cleaned.startswith("SP1"):
        raise InvalidShare("a share starts with SP1-")
    body = cleaned[3:]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except Exception:
        raise InvalidShare("the share contains characters that are not in a share") from None
    share, check = raw[:-2], raw[-2:]
    if len(share) < 2 or sha256(share)[:2] != check:
        raise InvalidShare("the share has a typo (its checksum does not match)")
    return share


# --- passphrase mode -----------------------------------------------------------------------------

ARGON2_PARAMS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 2}


def passphrase_key(passphrase: str, salt: bytes, params: dict) -> bytes:
    return hash_secret_raw(
        passphrase.encode(), salt, hash_len=KEY_SIZE, type=Type.ID,
        time_cost=params["time_cost"], memory_cost=params["memory_cost"], parallelism=params["parallelism"],
    )


def random_salt() -> bytes:
    return secrets.token_bytes(16)
