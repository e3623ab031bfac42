"""The vault: sealing, unsealing, data keys, encryption of record fields, blind indexes, shredding.

Threat: a seized server, a stolen backup, a curious database administrator. Every sensitive value
is stored as AEAD ciphertext under its record's own data key; data keys are wrapped by a key derived
from the master key; the master key lives only in shared memory while unsealed (keyholder). Code
outside this package never sees a key: it asks for ``encrypt``/``decrypt``/``blind_index``.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import crypto, keyholder
from .errors import DecryptionFailed, InvalidShare, KeyShredded, VaultNotInitialised, VaultSealed
from .models import DataKey, SystemKey, VaultState

_CHECK = b"safepassage vault check v1"
_KEK_PURPOSE = "data-key-wrap v1"
_SYSTEM_PURPOSE = "system-key-wrap v1"


# --- process-local derived keys, dropped whenever the shared generation changes -----------------

class _Derived:
    def __init__(self):
        self.lock = threading.Lock()
        self.generation = -1
        self.kek: bytearray | None = None
        self.system_kek: bytearray | None = None
        self.data_keys: OrderedDict[uuid.UUID, bytearray] = OrderedDict()
        self.system_keys: dict[str, bytearray] = {}

    def wipe(self):
        for buf in [self.kek, self.system_kek, *self.data_keys.values(), *self.system_keys.values()]:
            if buf is not None:
                buf[:] = b"\0" * len(buf)
        self.kek = self.system_kek = None
        self.data_keys.clear()
        self.system_keys.clear()


_derived = _Derived()


@dataclass(frozen=True)
class _Keys:
    """This request's view of the derived keys: copies of the wrapping keys, the shared caches."""

    kek: bytes
    system_kek: bytes
    data_keys: OrderedDict
    system_keys: dict


def _fresh() -> _Keys:
    """The process's derived keys, valid for the current unseal; raises VaultSealed when sealed.

    Callers get copies of the wrapping keys taken under the lock, so a seal arriving mid-request
    (from the watcher thread) cannot pull a key out from under them.
    """
    with _derived.lock:
        gen = keyholder.generation()
        if gen != _derived.generation or _derived.kek is None:
            _derived.wipe()
            master = keyholder.master_key()
            _derived.generation = gen
            if master is None:
                raise VaultSealed()
            _derived.kek = bytearray(crypto.derive(master, _KEK_PURPOSE))
            _derived.system_kek = bytearray(crypto.derive(master, _SYSTEM_PURPOSE))
        if not keyholder.is_unsealed():
            raise VaultSealed()
        return _Keys(bytes(_derived.kek), bytes(_derived.system_kek), _derived.data_keys, _derived.system_keys)


_plaintext_caches: list = []


def register_plaintext_cache(clear) -> None:
    """`clear()` empties a process-local cache of decrypted values (e.g. the name forms matching keeps
    per worker); it is called whenever this process drops its keys, so a seal leaves no plaintext
    behind in memory that the keys would have been needed to produce."""
    _plaintext_caches.append(clear)


def _forget_plaintext() -> None:
    for clear in _plaintext_caches:
        clear()


def drop_local_keys_if_sealed() -> None:
    """Called by a watcher thread in each worker: wipe derived keys as soon as the vault seals."""
    with _derived.lock:
        if keyholder.generation() != _derived.generation and _derived.kek is not None:
            _derived.wipe()
            _derived.generation = -1
            _forget_plaintext()


# --- state --------------------------------------------------------------------------------------

def is_unsealed() -> bool:
    return keyholder.is_unsealed()


def state() -> VaultState | None:
    return VaultState.objects.filter(pk=1).first()


@dataclass(frozen=True)
class UnsealProgress:
    unsealed: bool
    accepted: int
    threshold: int


def _check_master(vault: VaultState, master: bytes) -> bool:
    try:
        return crypto.open_(master, vault.key_check, _CHECK) == _CHECK
    except DecryptionFailed:
        return False


def _build_state(master: bytes, *, mode: str, shares: int, threshold: int, passphrase: str | None):
    fields = {
        "mode": mode, "threshold": threshold, "share_count": shares,
        "key_check": crypto.seal(master, _CHECK, _CHECK), "share_hashes": [],
        "passphrase_salt": None, "passphrase_params": None, "wrapped_master": None, "demo_master": None,
    }
    printed: list[str] = []
    if mode == VaultState.MODE_SHAMIR:
        parts = crypto.split(master, shares, threshold)
        fields["share_hashes"] = [crypto.sha256(p).hex() for p in parts]
        printed = [crypto.share_encode(p) for p in parts]
    elif mode == VaultState.MODE_PASSPHRASE:
        if not passphrase or len(passphrase) < 16:
            raise ValueError("the passphrase must be at least 16 characters")
        salt = crypto.random_salt()
        params = dict(crypto.ARGON2_PARAMS)
        fields.update(passphrase_salt=salt, passphrase_params=params,
                      wrapped_master=crypto.seal(crypto.passphrase_key(passphrase, salt, params), master, b"master"))
    elif mode == VaultState.MODE_DEMO:
        fields["demo_master"] = master
    else:
        raise ValueError(f"unknown vault mode {mode!r}")
    return fields, printed


@transaction.atomic
def initialise(*, mode: str = VaultState.MODE_SHAMIR, shares: int = 5, threshold: int = 3,
               passphrase: str | None = None) -> list[str]:
    """Create the master key. Returns the shares to print once (empty for passphrase/demo modes)."""
    if VaultState.objects.exists():
        raise ValueError("the vault is already initialised")
    if mode == VaultState.MODE_SHAMIR and not (2 <= threshold <= shares <= 16):
        raise ValueError("need 2 <= threshold <= shares <= 16")
    master = crypto.random_key()
    fields, printed = _build_state(master, mode=mode, shares=shares, threshold=threshold, passphrase=passphrase)
    VaultState.objects.create(pk=1, **fields)
    keyholder.load(master)
    for name in SYSTEM_KEYS:
        _system_key_create(name)
    if mode != VaultState.MODE_DEMO:
        keyholder.wipe()  # a real deployment starts sealed: custodians prove they can unseal
    return printed


def _require_state() -> VaultState:
    vault = state()
    if vault is None:
        raise VaultNotInitialised("run `safepassage init` first")
    return vault


def unseal_with_key(master: bytes) -> bool:
    vault = _require_state()
    if not _check_master(vault, master):
        return False
    keyholder.load(master)
    return True


def unseal_with_share(text: str) -> UnsealProgress:
    """Add one custodian's share; once `threshold` verified shares are in, the vault unseals."""
    vault = _require_state()
    if vault.mode != VaultState.MODE_SHAMIR:
        raise InvalidShare("this vault is not protected by shares")
    if keyholder.is_unsealed():
        return UnsealProgress(True, vault.threshold, vault.threshold)
    share = crypto.share_decode(text)
    if crypto.sha256(share).hex() not in vault.share_hashes:
        raise InvalidShare("this share does not belong to this vault (or to its current key)")
    pending = keyholder.add_pending_share(share)
    if len(pending) < vault.threshold:
        return UnsealProgress(False, len(pending), vault.threshold)
    master = crypto.combine(pending)
    if not unseal_with_key(master):
        keyholder.clear_pending_shares()
        raise InvalidShare("the shares did not combine into this vault's key")
    return UnsealProgress(True, vault.threshold, vault.threshold)


def unseal_with_passphrase(passphrase: str) -> bool:
    vault = _require_state()
    if vault.mode != VaultState.MODE_PASSPHRASE:
        raise InvalidShare("this vault is not protected by a passphrase")
    pkey = crypto.passphrase_key(passphrase, bytes(vault.passphrase_salt), vault.passphrase_params)
    try:
        master = crypto.open_(pkey, vault.wrapped_master, b"master")
    except DecryptionFailed:
        return False
    return unseal_with_key(master)


def share_check(text: str, *, vault: VaultState | None = None) -> None:
    """Raise InvalidShare unless `text` is a well-formed share of the vault's current key.

    `vault` defaults to this deployment's; a restore passes the state carried by the backup.
    """
    vault = vault or _require_state()
    if vault.mode != VaultState.MODE_SHAMIR:
        raise InvalidShare("this vault is not protected by shares")
    if crypto.sha256(crypto.share_decode(text)).hex() not in vault.share_hashes:
        raise InvalidShare("this share does not belong to this vault (or to its current key)")


def recover_master_key(*, shares=(), passphrase: str | None = None, vault: VaultState | None = None) -> bytes:
    """The master key from custodians' shares or the passphrase, checked but NOT loaded here.

    For ``safepassage unseal`` (which hands it to the running server over the control socket) and
    for restoring a backup. Raises InvalidShare when the secrets do not open the vault.
    """
    vault = vault or _require_state()
    if vault.mode == VaultState.MODE_DEMO:
        master = bytes(vault.demo_master)
    elif vault.mode == VaultState.MODE_PASSPHRASE:
        pkey = crypto.passphrase_key(passphrase or "", bytes(vault.passphrase_salt), vault.passphrase_params)
        try:
            master = crypto.open_(pkey, vault.wrapped_master, b"master")
        except DecryptionFailed:
            raise InvalidShare("that passphrase does not open this vault") from None
    else:
        parts = []
        for text in shares:
            share_check(text, vault=vault)
            part = crypto.share_decode(text)
            if part not in parts:
                parts.append(part)
        if len(parts) < vault.threshold:
            raise InvalidShare(f"{vault.threshold} different shares are needed, {len(parts)} given")
        master = crypto.combine(parts)
    if not _check_master(vault, master):
        raise InvalidShare("the secrets did not combine into this vault's key")
    return master


def demo_master_key() -> bytes | None:
    vault = state()
    return bytes(vault.demo_master) if vault and vault.mode == VaultState.MODE_DEMO else None


def seal() -> None:
    keyholder.wipe()
    with _derived.lock:
        _derived.wipe()
        _derived.generation = -1
        _forget_plaintext()


def pending_share_count() -> int:
    return len(keyholder.pending_shares())


# --- system keys --------------------------------------------------------------------------------

SYSTEM_KEYS = ("blind-index", "audit", "backup-epoch", "intake")


def _system_key_create(name: str) -> bytes:
    key = crypto.random_key()
    derived = _fresh()
    SystemKey.objects.update_or_create(
        name=name, defaults={"wrapped": crypto.seal(bytes(derived.system_kek), key, name.encode())})
    derived.system_keys.pop(name, None)
    return key


def system_key(name: str) -> bytes:
    derived = _fresh()
    cached = derived.system_keys.get(name)
    if cached is not None:
        return bytes(cached)
    row = SystemKey.objects.filter(name=name).first()
    key = (crypto.open_(bytes(derived.system_kek), row.wrapped, name.encode()) if row
           else _system_key_create(name))
    derived.system_keys[name] = bytearray(key)
    return key


def system_key_replace(name: str) -> bytes:
    """A new random key under `name`; the old one is gone (used to retire backup epochs)."""
    return _system_key_create(name)


def system_key_import(name: str, key: bytes) -> None:
    """Store a known system key under `name`, wrapped by the current master key (restoring a backup)."""
    derived = _fresh()
    SystemKey.objects.update_or_create(
        name=name, defaults={"wrapped": crypto.seal(bytes(derived.system_kek), key, name.encode())})
    derived.system_keys.pop(name, None)


# --- data keys and record encryption ------------------------------------------------------------

def data_key_create() -> uuid.UUID:
    derived = _fresh()
    key = crypto.random_key()
    key_id = uuid.uuid4()
    DataKey.objects.create(id=key_id, wrapped=crypto.seal(bytes(derived.kek), key, key_id.bytes))
    _cache_put(derived, key_id, key)
    return key_id


def _cache_put(derived: _Keys, key_id: uuid.UUID, key: bytes) -> None:
    derived.data_keys[key_id] = bytearray(key)
    derived.data_keys.move_to_end(key_id)
    while len(derived.data_keys) > settings.VAULT_DATA_KEY_CACHE:
        _, old = derived.data_keys.popitem(last=False)
        old[:] = b"\0" * len(old)


def _data_key(key_id) -> bytes:
    derived = _fresh()
    key_id = key_id if isinstance(key_id, uuid.UUID) else uuid.UUID(str(key_id))
    cached = derived.data_keys.get(key_id)
    if cached is not None:
        return bytes(cached)
    row = DataKey.objects.filter(pk=key_id).first()
    if row is None:
        raise KeyShredded()
    key = crypto.open_(bytes(derived.kek), row.wrapped, key_id.bytes)
    _cache_put(derived, key_id, key)
    return key


def preload_data_keys(key_ids) -> None:
    """Unwrap many data keys with one query (a page of 50 cases costs one round trip, not 50)."""
    derived = _fresh()
    wanted = {uuid.UUID(str(k)) for k in key_ids if k} - set(derived.data_keys)
    for row in DataKey.objects.filter(pk__in=wanted):
        _cache_put(derived, row.id, crypto.open_(bytes(derived.kek), row.wrapped, row.id.bytes))


def encrypt(key_id, plaintext: bytes, aad: str) -> bytes:
    return crypto.seal(_data_key(key_id), plaintext, aad.encode())


def decrypt(key_id, blob: bytes, aad: str) -> bytes:
    return crypto.open_(_data_key(key_id), blob, aad.encode())


def export_data_key(key_id) -> bytes:
    """The raw data key, for the backup writer only (it wraps it again under the backup epoch)."""
    return _data_key(key_id)


def import_data_key(key_id: uuid.UUID, key: bytes) -> None:
    """Store a data key recovered from a backup, wrapped under the current master key."""
    derived = _fresh()
    DataKey.objects.update_or_create(
        id=key_id, defaults={"wrapped": crypto.seal(bytes(derived.kek), key, key_id.bytes)})
    _cache_put(derived, key_id, key)


def shred(key_ids) -> int:
    """Destroy data keys: every ciphertext under them, wherever it is copied, becomes noise.

    Backups are handled by ``backup.after_shred`` (the backup epoch is retired), run on commit.
    """
    ids = [uuid.UUID(str(k)) for k in key_ids if k]
    with _derived.lock:
        for key_id in ids:
            buf = _derived.data_keys.pop(key_id, None)
            if buf is not None:
                buf[:] = b"\0" * len(buf)
    deleted, _ = DataKey.objects.filter(pk__in=ids).delete()
    if deleted:
        from .backup import after_shred

        transaction.on_commit(after_shred)
    return deleted


def blind_index(purpose: str, normalised: str) -> str:
    """Keyed HMAC of an already-normalised value: equal values match, nothing else is revealed."""
    key = system_key("blind-index")
    return crypto.mac(key, purpose.encode() + b"\0" + normalised.encode()).hex()[:32]


def blind_indexes(items) -> list[str]:
    """``blind_index`` of each (purpose, normalised value) in `items`, in order, the key fetched once."""
    key = system_key("blind-index")
    return [digest.hex()[:32] for digest in
            crypto.macs(key, [purpose.encode() + b"\0" + normalised.encode() for purpose, normalised in items])]


def mac(purpose: str, data: bytes) -> bytes:
    """A MAC under the named system key (audit chain, backups); raises VaultSealed when sealed."""
    return crypto.mac(system_key(purpose), data)


def sha256(data: bytes) -> bytes:
    return crypto.sha256(data)


# --- rotation -----------------------------------------------------------------------------------

@transaction.atomic
def rotate(*, shares: int | None = None, threshold: int | None = None, passphrase: str | None = None) -> list[str]:
    """A new master key: every data key and system key re-wrapped, new shares printed.

    The old shares stop working at once. Runs in one transaction: it all happens or none of it.
    """
    vault = VaultState.objects.select_for_update().get(pk=1)
    derived = _fresh()
    old_kek, old_skek = bytes(derived.kek), bytes(derived.system_kek)
    new_master = crypto.random_key()
    new_kek = crypto.derive(new_master, _KEK_PURPOSE)
    new_skek = crypto.derive(new_master, _SYSTEM_PURPOSE)
    for row in DataKey.objects.all().iterator(chunk_size=2000):
        key = crypto.open_(old_kek, row.wrapped, row.id.bytes)
        DataKey.objects.filter(pk=row.pk).update(wrapped=crypto.seal(new_kek, key, row.id.bytes))
    for row in SystemKey.objects.all():
        key = crypto.open_(old_skek, row.wrapped, row.name.encode())
        row.wrapped = crypto.seal(new_skek, key, row.name.encode())
        row.save(update_fields=["wrapped"])
    fields, printed = _build_state(
        new_master, mode=vault.mode, shares=shares or vault.share_count,
        threshold=threshold or vault.threshold, passphrase=passphrase)
    for name, value in fields.items():
        setattr(vault, name, value)
    vault.rotated_at = timezone.now()
    vault.save()
    transaction.on_commit(lambda: keyholder.load(new_master))
    from .backup import after_rotate

    transaction.on_commit(after_rotate)  # epoch.key and local backup headers follow the new master key
    return printed
