"""Public-key sealing for the anonymous intake: libsodium sealed boxes and codename keys.

Threat: a seized intake server. The public intake holds only the organisation's intake *public*
key, so what it accepted cannot be read back from its disk, its database or its memory once the
request handler returns. The matching private key is stored only wrapped under the vault's
``intake`` system key, so it opens only while the vault is unsealed, on the staff side.

Replies go the other way: each visitor's codename deterministically yields an X25519 key pair;
the server keeps only the public half, so a staff reply sealed to it can be read only by someone
who types the codename. Nothing derived from the codename that could open a reply is ever stored.

The codename is looked up by a keyed hash (HMAC-SHA256 under a per-deployment pepper). Codenames
carry at least 80 bits of entropy, so neither the hash nor the stored public key can be inverted
by guessing, and no deliberately slow hash is needed (one per submission would let a flood buy
the server's CPU). See docs/threat-model.md, "Anonymous intake".
"""
from __future__ import annotations

import secrets
import threading

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from . import crypto, keyholder
from . import services as vault
from .errors import DecryptionFailed

_WRAP_AAD = b"intake private key v1:"
_LOOKUP = b"codename lookup v1\0"
_REPLY_KEY = b"codename reply key v1\0"
PUBLIC_KEY_SIZE = 32


# --- the organisation's intake key pair ----------------------------------------------------------

def keypair_create() -> tuple[bytes, bytes]:
    """A new intake key pair: (public key, private key wrapped by the vault). Needs the vault unsealed."""
    private = PrivateKey.generate()
    public = bytes(private.public_key)
    wrapped = crypto.seal(vault.system_key("intake"), bytes(private), _WRAP_AAD + public)
    return public, wrapped


def seal_to(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt for the holder of the private key; anyone may do it, only they can open it."""
    return SealedBox(PublicKey(bytes(public_key))).encrypt(plaintext)


class _Openers:
    """Unwrapped intake private keys, for the current unseal only (dropped on every seal)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generation = -1
        self.boxes: dict[bytes, SealedBox] = {}


_openers = _Openers()


def _opener(public_key: bytes, wrapped_private: bytes) -> SealedBox:
    public_key = bytes(public_key)
    generation = keyholder.generation()
    with _openers.lock:
        if _openers.generation != generation:
            _openers.boxes.clear()
            _openers.generation = generation
        box = _openers.boxes.get(public_key)
    if box is not None and keyholder.is_unsealed():
        return box
    # system_key raises VaultSealed while sealed
    private = crypto.open_(vault.system_key("intake"), bytes(wrapped_private), _WRAP_AAD + public_key)
    box = SealedBox(PrivateKey(private))
    with _openers.lock:
        if _openers.generation == generation:
            _openers.boxes[public_key] = box
    return box


def open_sealed(public_key: bytes, wrapped_private: bytes, blob: bytes) -> bytes:
    """Open a sealed box addressed to the intake key (staff side, vault unsealed)."""
    try:
        return _opener(public_key, wrapped_private).decrypt(bytes(blob))
    except CryptoError:
        raise DecryptionFailed("the sealed box does not open with this intake key") from None


# --- codenames ------------------------------------------------------------------------------------

def pepper_new() -> bytes:
    return secrets.token_bytes(32)


def codename_lookup(pepper: bytes, normalised: str) -> str:
    """The keyed hash under which a thread is filed; reveals nothing of the codename."""
    return crypto.mac(pepper, _LOOKUP + normalised.encode()).hex()


def _codename_private(pepper: bytes, normalised: str) -> PrivateKey:
    return PrivateKey(crypto.mac(pepper, _REPLY_KEY + normalised.encode()))


def codename_public_key(pepper: bytes, normalised: str) -> bytes:
    """The public key replies to this codename are sealed to (stored with the thread)."""
    return bytes(_codename_private(pepper, normalised).public_key)


def open_with_codename(pepper: bytes, normalised: str, blobs: list[bytes]) -> list[bytes | None]:
    """Open replies with the key the codename yields; None for any that does not open.

    The private key exists only for the duration of this call, in the visitor's own request.
    """
    box = SealedBox(_codename_private(pepper, normalised))
    opened = []
    for blob in blobs:
        try:
            opened.append(box.decrypt(bytes(blob)))
        except CryptoError:
            opened.append(None)
    return opened


def salted_hash(salt: bytes, value: str) -> str:
    """For in-memory rate-limit keys: HMAC of a client address under a short-lived random salt."""
    return crypto.mac(salt, value.encode()).hex()[:32]
