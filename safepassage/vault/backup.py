"""Encrypted backups (export and restore) and what shredding does to them.

Threat: a backup copy that outlives a deletion. Deleting a person shreds their data key; a backup
made before must then yield nothing about them, even to someone holding that backup file *and* the
master key (a coerced custodian, a seized off-site copy). So a backup never carries a data key, or
the key that opens its body, in any form the master key alone can open:

- The body (every table's rows, as stored, and the sealed files, still sealed) is AEAD-encrypted
  under a random body key. Sealed fields stay ciphertext under their records' data keys.
- The body key and every data key travel in the header's *key ring*, AEAD-encrypted under the
  current **backup epoch key** (system key ``backup-epoch``). The epoch key is never in a backup.
  It lives in the database (wrapped by the master key) and in ``BACKUP_DIR/epoch.key`` (wrapped by
  the master key, overwritten on every change). Restoring needs the backup *and* the latest
  epoch.key; keep only the latest epoch.key off-site, next to the latest backups.
- After every shred (``after_shred``, run on commit) the epoch key is replaced. The backups in
  BACKUP_DIR are rewritten first: the shredded records are pruned from their bodies (with every row
  that depended on them, as the database itself does), the body gets a new key, the key ring keeps
  only the data keys that still exist, and everything is sealed under the new epoch. Every other
  copy, wherever it is, was sealed under a retired epoch key that no longer exists: it is noise.
- Rotating the master key (``after_rotate``) re-wraps epoch.key and rewrites the headers of local
  backups so they open with the new shares; copies elsewhere still need the old shares.

The header also carries what an empty data directory needs to come back: the vault's state (how to
check the shares) and the system keys other than the epoch (wrapped by the master key), so a
restore asks the custodians for their usual shares, then opens the key ring with epoch.key.

File layout (mode 0600)::

    MAGIC | header length (8 bytes, big endian) | header (JSON) | body

The key ring's associated data is the canonical header without the key ring, so editing any header
field is detected; the header records the body's SHA-256, so editing the body is detected too.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import fcntl
import json
import logging
import os
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import crypto, keyholder, services
from . import files as sealed_files
from .errors import DecryptionFailed, VaultError, VaultSealed
from .models import DataKey, SystemKey, VaultState

log = logging.getLogger(__name__)

MAGIC = b"SAFEPASSAGE-BACKUP v1\n"
SUFFIX = ".spbackup"
EPOCH_FILE = "epoch.key"
EPOCH_KEY = "backup-epoch"
_EPOCH_FILE_PURPOSE = "backup-epoch-file v1"
_EPOCH_ID = b"safepassage backup epoch id v1"
# Not in the body: the vault's own tables travel in the header (or, for data keys, in the key ring).
_VAULT_TABLES = {"vault.vaultstate", "vault.systemkey", "vault.datakey"}
_VAULT_FIELDS = ["mode", "threshold", "share_count", "share_hashes", "key_check", "passphrase_salt",
                 "passphrase_params", "wrapped_master", "demo_master", "created_at", "rotated_at"]


class BackupError(VaultError):
    """A backup cannot be written or opened; the message says why, never what is inside."""


@dataclass
class BackupInfo:
    """What the clear header says: enough to ask the right custodians, nothing about people."""

    path: Path
    backup_id: str
    created_at: str
    vault: VaultState
    epoch: str


@dataclass
class BackupReport:
    path: Path
    rows: int = 0
    tables: int = 0
    data_keys: int = 0
    files: int = 0
    counts: dict = field(default_factory=dict)


# --- encoding -----------------------------------------------------------------------------------

def _b64(data) -> str:
    return base64.b64encode(bytes(data)).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


def _plain(value):
    """A column value as JSON; decoded again by the field's own ``to_python``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _b64(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _models():
    """Every concrete table Django manages and the database has, including many-to-many tables."""
    existing = set(connection.introspection.table_names())
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and not m._meta.swapped and m._meta.db_table in existing]


def _columns(model) -> list:
    return list(model._meta.concrete_fields)


# --- locking and files --------------------------------------------------------------------------

def _dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@contextmanager
def _locked():
    """One writer at a time in BACKUP_DIR (an export and a shred in two workers must not interleave)."""
    fd = os.open(_dir() / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically (temp file + rename), owner-only from the first byte."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pack(header: dict, body: bytes) -> bytes:
    head = _canonical(header)
    return MAGIC + len(head).to_bytes(8, "big") + head + body


def _unpack(data: bytes) -> tuple[dict, bytes]:
    if not data.startswith(MAGIC):
        raise BackupError("This is not a safepassage backup.")
    at = len(MAGIC)
    size = int.from_bytes(data[at:at + 8], "big")
    try:
        header = json.loads(data[at + 8:at + 8 + size])
        body = data[at + 8 + size:]
        if header.get("format") != 1 or not isinstance(header.get("keyring"), str):
            raise ValueError
    except ValueError:
        raise BackupError("This backup has been altered or damaged: its header cannot be read.") from None
    return header, body


def _core(header: dict) -> bytes:
    return _canonical({k: v for k, v in header.items() if k != "keyring"})


# --- the epoch key ------------------------------------------------------------------------------

def _epoch_id(epoch_key: bytes) -> str:
    return crypto.mac(epoch_key, _EPOCH_ID).hex()[:32]


def _master() -> bytes:
    master = keyholder.master_key()
    if master is None:
        raise VaultSealed()
    return master


def _write_epoch_file(epoch_key: bytes, master: bytes, path: Path | None = None) -> None:
    epoch = _epoch_id(epoch_key)
    wrapped = crypto.seal(crypto.derive(master, _EPOCH_FILE_PURPOSE), epoch_key, f"epoch:{epoch}".encode())
    _write_private(path or _dir() / EPOCH_FILE,
                   _canonical({"format": 1, "epoch": epoch, "wrapped": _b64(wrapped)}) + b"\n")


def _read_epoch_file(path: Path, master: bytes) -> bytes:
    try:
        data = json.loads(Path(path).read_bytes())
        wrapped = _unb64(data["wrapped"])
        epoch = data["epoch"]
    except FileNotFoundError:
        raise BackupError(f"The backup epoch key {path} is missing: a backup cannot be opened without "
                          "the latest epoch.key.") from None
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path} is not a backup epoch key.") from None
    try:
        key = crypto.open_(crypto.derive(master, _EPOCH_FILE_PURPOSE), wrapped, f"epoch:{epoch}".encode())
    except DecryptionFailed:
        raise BackupError(f"{path} does not open with this vault's key (it belongs to another deployment, "
                          "or to a master key that was rotated since).") from None
    if _epoch_id(key) != epoch:
        raise BackupError(f"{path} has been altered.")
    return key


# --- header parts -------------------------------------------------------------------------------

def _vault_header(vault: VaultState) -> dict:
    return {name: _plain(getattr(vault, name)) for name in _VAULT_FIELDS}


def _vault_from_header(data: dict) -> VaultState:
    vault = VaultState(pk=1)
    for name in _VAULT_FIELDS:
        value = data.get(name)
        field_ = VaultState._meta.get_field(name)
        setattr(vault, name, None if value is None else field_.to_python(value))
    for name in ("key_check", "passphrase_salt", "wrapped_master", "demo_master"):
        value = getattr(vault, name)
        if value is not None:
            setattr(vault, name, bytes(value))
    return vault


def _system_keys_header() -> dict:
    return {row.name: {"wrapped": _b64(row.wrapped), "created_at": row.created_at.isoformat()}
            for row in SystemKey.objects.exclude(name=EPOCH_KEY).order_by("name")}


def _schema() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _seal_keyring(header: dict, epoch_key: bytes, body_key: bytes, data_keys: dict) -> None:
    ring = {"body_key": _b64(body_key), "data_keys": data_keys}
    header["keyring"] = _b64(crypto.seal(epoch_key, _canonical(ring), _core(header)))


def _open_keyring(header: dict, epoch_key: bytes) -> dict:
    if header.get("epoch") != _epoch_id(epoch_key):
        raise BackupError(
            "This backup was sealed under a backup epoch that has been retired: a person was deleted "
            "after it was made, so every copy made before that deletion was made unreadable on purpose "
            "(or the epoch.key given is not the latest one).")
    try:
        return json.loads(crypto.open_(epoch_key, _unb64(header["keyring"]), _core(header)))
    except (DecryptionFailed, ValueError, KeyError):
        raise BackupError("This backup has been altered or damaged: its key ring does not open.") from None


def _open_body(header: dict, body: bytes, ring: dict) -> dict:
    if crypto.sha256(body).hex() != header.get("body_sha256"):
        raise BackupError("This backup has been altered or damaged: its contents do not match its header.")
    try:
        plain = crypto.open_(_unb64(ring["body_key"]), body, f"backup body:{header['id']}".encode())
        return json.loads(zlib.decompress(plain))
    except (DecryptionFailed, ValueError, KeyError, zlib.error):
        raise BackupError("This backup has been altered or damaged: its contents do not open.") from None


def _seal_body(header: dict, content: dict) -> tuple[bytes, bytes]:
    body_key = crypto.random_key()
    body = crypto.seal(body_key, zlib.compress(_canonical(content), 6), f"backup body:{header['id']}".encode())
    header["body_sha256"] = crypto.sha256(body).hex()
    return body_key, body


# --- export -------------------------------------------------------------------------------------

def _dump_tables() -> dict:
    tables = {}
    for model in _models():
        label = model._meta.label_lower
        if label in _VAULT_TABLES:
            continue
        cols = _columns(model)
        rows = model._base_manager.order_by(model._meta.pk.attname).values_list(*[f.attname for f in cols])
        tables[label] = {"columns": [f.attname for f in cols],
                         "rows": [[_plain(v) for v in row] for row in rows.iterator(chunk_size=2000)]}
    return tables


def _dump_data_keys() -> dict:
    keys = {}
    rows = list(DataKey.objects.order_by("id").values_list("id", "created_at"))
    for start in range(0, len(rows), 1000):
        chunk = rows[start:start + 1000]
        services.preload_data_keys([key_id for key_id, _ in chunk])
        for key_id, created_at in chunk:
            keys[str(key_id)] = [_b64(services.export_data_key(key_id)), created_at.isoformat()]
    return keys


def _dump_files() -> dict:
    root = Path(settings.SEALED_FILES_DIR)
    found = {}
    for path in sorted(root.glob("*/*")):
        if path.is_file() and not path.name.startswith(".") and path.parent.name == path.name[:2]:
            found[path.name] = _b64(sealed_files.read_raw(path.name))
    return found


def export(*, output: Path | None = None, actor=None) -> BackupReport:
    """Write an encrypted backup of everything (default: a new file in BACKUP_DIR). Needs the vault unsealed."""
    from safepassage.audit.services import audit_record

    epoch_key = services.system_key(EPOCH_KEY)  # raises VaultSealed first
    master = _master()
    backup_id = uuid.uuid4().hex
    now = timezone.now()
    with _locked():
        _write_epoch_file(epoch_key, master)
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # one consistent snapshot of every table
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            audit_record(actor=actor, action="backup.export", backup=backup_id)
            vault = VaultState.objects.get(pk=1)
            tables = _dump_tables()
            data_keys = _dump_data_keys()
            header = {
                "format": 1, "id": backup_id, "created_at": now.isoformat(), "schema": _schema(),
                "vault": _vault_header(vault), "system_keys": _system_keys_header(),
                "epoch": _epoch_id(epoch_key),
            }
        files = _dump_files()
        counts = {label: len(t["rows"]) for label, t in tables.items()}
        body_key, body = _seal_body(header, {"tables": tables, "files": files, "counts": counts})
        _seal_keyring(header, epoch_key, body_key, data_keys)
        path = Path(output) if output else _dir() / f"safepassage-{now:%Y%m%d-%H%M%S}-{backup_id[:8]}{SUFFIX}"
        _write_private(path, _pack(header, body))
    return BackupReport(path=path, rows=sum(counts.values()), tables=len(tables), data_keys=len(data_keys),
                        files=len(files), counts=counts)


# --- restore ------------------------------------------------------------------------------------

def read_header(path: Path) -> BackupInfo:
    """The clear part of a backup: which vault it needs (to ask for the right shares)."""
    header, _body = _unpack(Path(path).read_bytes())
    return BackupInfo(path=Path(path), backup_id=header["id"], created_at=header["created_at"],
                      vault=_vault_from_header(header["vault"]), epoch=header["epoch"])


def _epoch_file_for(path: Path, epoch_file: Path | None) -> Path:
    if epoch_file:
        return Path(epoch_file)
    local = _dir() / EPOCH_FILE
    beside = Path(path).resolve().parent / EPOCH_FILE
    return local if local.exists() or not beside.exists() else beside


def open_backup(path: Path, *, master: bytes, epoch_file: Path | None = None) -> tuple[dict, dict, dict]:
    """(header, key ring, body) of a backup, after every check. Raises BackupError with the reason."""
    header, body = _unpack(Path(path).read_bytes())
    vault = _vault_from_header(header["vault"])
    if not services._check_master(vault, master):
        raise BackupError("That key does not open this backup's vault (these are not its custodians' shares).")
    epoch_key = _read_epoch_file(_epoch_file_for(path, epoch_file), master)
    ring = _open_keyring(header, epoch_key)
    return header, ring, _open_body(header, body, ring)


def _is_empty() -> bool:
    """Nothing but what migrations put there: no vault, no account, no event ever recorded.

    (Reference rows seeded by data migrations, such as permissions, do not count: the backup
    brings its own copy of them.)"""
    from django.contrib.auth import get_user_model

    return not (VaultState.objects.exists() or get_user_model()._base_manager.exists()
                or apps.get_model("audit", "AuditEvent")._base_manager.exists())


def _wipe() -> None:
    with connection.cursor() as cursor:
        for model in _models():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _insert(model, columns: list[str], rows: list[list]) -> None:
    if not rows:
        return
    by_name = {f.attname: f for f in _columns(model)}
    fields_ = [by_name[c] for c in columns if c in by_name]
    missing = [c for c in columns if c not in by_name]
    if missing:
        raise BackupError(f"This backup's table {model._meta.label_lower} does not match this version.")
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields_)}) "
           f"VALUES ({', '.join(['%s'] * len(fields_))})")
    params = []
    for row in rows:
        values = []
        for f, value in zip(fields_, row):
            if value is not None:
                value = f.to_python(value)
                if isinstance(value, memoryview):
                    value = bytes(value)
            values.append(f.get_db_prep_save(value, connection))
        params.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(params), 500):
            cursor.executemany(sql, params[start:start + 500])


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def restore(path: Path, *, master: bytes, epoch_file: Path | None = None, replace: bool = False) -> BackupReport:
    """Bring a backup back into this data directory, identically. Nothing is written unless every check passes.

    The database must be empty (a fresh data directory, migrated) unless `replace` is true, in which
    case everything in it is replaced. The schema must be the one the backup was made with.
    """
    from safepassage.audit.services import audit_record

    header, ring, content = open_backup(path, master=master, epoch_file=epoch_file)
    epoch_key = _read_epoch_file(_epoch_file_for(path, epoch_file), master)
    if sorted(map(list, header["schema"])) != _schema():
        raise BackupError("This backup was made by a different version of safepassage (its database "
                          "migrations differ); restore it with that version, then upgrade.")
    tables = content["tables"]
    unknown = set(tables) - {m._meta.label_lower for m in _models()}
    if unknown:
        raise BackupError("This backup holds tables this version does not know.")
    by_label = {m._meta.label_lower: m for m in _models()}
    vault = _vault_from_header(header["vault"])
    try:
        with transaction.atomic():
            if not replace and not _is_empty():
                raise BackupError("This data directory already holds data. Restore into an empty data "
                                  "directory, or pass --replace to discard everything in it.")
            _wipe()
            vault.save(force_insert=True)
            VaultState.objects.filter(pk=1).update(created_at=vault.created_at)
            for name, row in header["system_keys"].items():
                SystemKey.objects.create(name=name, wrapped=_unb64(row["wrapped"]))
                SystemKey.objects.filter(name=name).update(created_at=dt.datetime.fromisoformat(row["created_at"]))
            keyholder.load(master)
            services.system_key_import(EPOCH_KEY, epoch_key)
            kek = bytes(services._fresh().kek)
            DataKey.objects.bulk_create([
                DataKey(id=uuid.UUID(key_id), wrapped=crypto.seal(kek, _unb64(key), uuid.UUID(key_id).bytes))
                for key_id, (key, _created) in ring["data_keys"].items()], batch_size=500)
            for key_id, (_key, created) in ring["data_keys"].items():
                DataKey.objects.filter(pk=key_id).update(created_at=dt.datetime.fromisoformat(created))
            for label, table in tables.items():
                _insert(by_label[label], table["columns"], table["rows"])
            _reset_sequences()
            audit_record(actor=None, action="backup.restore", backup=header["id"])
        if replace:
            for stale in Path(settings.SEALED_FILES_DIR).glob("*/*"):
                if stale.is_file() and stale.name not in content["files"]:
                    stale.unlink()
        for name, blob in content["files"].items():
            sealed_files.write_raw(name, _unb64(blob))
        if not (_dir() / EPOCH_FILE).exists() or epoch_file:
            _write_epoch_file(epoch_key, master)
    finally:
        services.seal()  # this process only held the key to re-wrap the data keys
    counts = content.get("counts", {})
    return BackupReport(path=Path(path), rows=sum(counts.values()), tables=len(tables),
                        data_keys=len(ring["data_keys"]), files=len(content["files"]), counts=counts)


# --- shredding and rotation ---------------------------------------------------------------------

def _prune(tables: dict, shredded: set[str]) -> dict[str, list[dict]]:
    """Remove every row sealed under a shredded key, then every row that depended on one (as the
    database's own cascades did when the record was deleted). Returns the removed rows by table."""
    by_label = {m._meta.label_lower: m for m in _models()}
    removed: dict[str, list[dict]] = {}
    live: dict[str, list[dict]] = {}
    for label, table in tables.items():
        cols = table["columns"]
        rows = [dict(zip(cols, row)) for row in table["rows"]]
        keep, gone = [], []
        for row in rows:
            (gone if row.get("data_key_id") in shredded else keep).append(row)
        live[label], removed[label] = keep, gone
    changed = True
    while changed:
        changed = False
        for label, rows in live.items():
            model = by_label.get(label)
            if model is None:
                continue
            for f in _columns(model):
                if not f.is_relation or f.remote_field is None:
                    continue
                target = f.related_model._meta.label_lower
                if not removed.get(target):
                    continue
                gone_values = {r.get(f.target_field.attname) for r in removed[target]}
                keep = []
                for row in rows:
                    if row.get(f.attname) is not None and row.get(f.attname) in gone_values:
                        if f.remote_field.on_delete is models.SET_NULL:
                            row[f.attname] = None
                            keep.append(row)
                        else:
                            removed[label].append(row)
                            changed = True
                    else:
                        keep.append(row)
                rows[:] = keep
    for label, table in tables.items():
        cols = table["columns"]
        table["rows"] = [[row.get(c) for c in cols] for row in live[label]]
    return removed


def _prune_files(content: dict, removed: dict[str, list[dict]]) -> None:
    """Drop sealed files that only removed rows named (noise under a shredded key, but not kept)."""
    def names(rows):
        return {v for row in rows for v in row.values() if isinstance(v, str)}

    gone = names(r for rows in removed.values() for r in rows)
    kept = names(dict(zip(t["columns"], row)) for t in content["tables"].values() for row in t["rows"])
    content["files"] = {name: blob for name, blob in content["files"].items() if name not in gone - kept}


def _rewrite(path: Path, *, old_epoch: bytes, new_epoch: bytes, live_keys: set[str],
             vault: VaultState, system_keys: dict) -> bytes:
    """A backup's new bytes: shredded records pruned, current vault header, sealed under `new_epoch`."""
    header, body = _unpack(path.read_bytes())
    ring = _open_keyring(header, old_epoch)
    content = None
    shredded = set(ring["data_keys"]) - live_keys
    if shredded:
        content = _open_body(header, body, ring)
        _prune_files(content, _prune(content["tables"], shredded))
        content["counts"] = {label: len(t["rows"]) for label, t in content["tables"].items()}
        ring["data_keys"] = {k: v for k, v in ring["data_keys"].items() if k not in shredded}
    header.update(vault=_vault_header(vault), system_keys=system_keys, epoch=_epoch_id(new_epoch))
    header.pop("keyring", None)
    if content is not None:
        body_key, body = _seal_body(header, content)
    else:
        body_key = _unb64(ring["body_key"])
    _seal_keyring(header, new_epoch, body_key, ring["data_keys"])
    return _pack(header, body)


def local_backups() -> list[Path]:
    return sorted(_dir().glob(f"*{SUFFIX}"))


def _refresh_local_backups(*, new_epoch: bool) -> None:
    old_epoch = services.system_key(EPOCH_KEY)
    epoch_key = crypto.random_key() if new_epoch else old_epoch
    live_keys = {str(k) for k in DataKey.objects.values_list("id", flat=True)}
    vault = VaultState.objects.get(pk=1)
    system_keys = _system_keys_header()
    rewritten = []
    for path in local_backups():
        try:
            rewritten.append((path, _rewrite(path, old_epoch=old_epoch, new_epoch=epoch_key,
                                             live_keys=live_keys, vault=vault, system_keys=system_keys)))
        except BackupError as exc:
            log.warning("backup %s left as it is: %s", path.name, exc)
    if new_epoch:
        services.system_key_import(EPOCH_KEY, epoch_key)  # the old epoch key is gone from the database
    _write_epoch_file(epoch_key, _master())
    for path, data in rewritten:
        _write_private(path, data)


def after_shred() -> None:
    """Retire the backup epoch so copies made before a shred can no longer be opened.

    Local backups are rewritten first (without the shredded records) under the new epoch. If the vault
    is sealed here the epoch is simply destroyed: every backup becomes unreadable, which errs on the
    side of the people who asked to be forgotten.
    """
    with _locked():
        try:
            _refresh_local_backups(new_epoch=True)
        except VaultSealed:
            SystemKey.objects.filter(name=EPOCH_KEY).delete()
            (_dir() / EPOCH_FILE).unlink(missing_ok=True)
            log.warning("backup epoch destroyed while sealed: existing backups can no longer be opened")


def after_rotate() -> None:
    """After a new master key: epoch.key and local backup headers are re-wrapped to open with it."""
    with _locked():
        try:
            _refresh_local_backups(new_epoch=False)
        except VaultSealed:
            log.warning("backups not re-wrapped after rotation: the vault is sealed in this process")
