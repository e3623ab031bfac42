"""The intake's spool: a help request is on disk the moment it is accepted, and filed into the
database a moment later, many at a time.

Why: filing each request in its own write transaction (the row, its audit event, the chain's head,
the commit) cost more than everything else a submission does together, and every worker queued on
the one database writer for it. Here the request handler appends one framed record to its process's
spool file (one ``write``) and answers; a filer thread in the same process files what gathered in
``INTAKE_SPOOL_DELAY`` seconds in one transaction. With a delay of 0 a request is filed before the
handler answers (tests, the demo).

Durability is the database's: a record is written before the visitor sees a codename, so it survives
the process; with ``INTAKE_SPOOL_FSYNC`` (on with PostgreSQL, whose commits are flushed; off with
SQLite, whose write-ahead log runs ``synchronous=NORMAL``) it survives the machine too. A record that
a dead process never filed is filed by the next process that looks: each spool file is locked
(``flock``) by its writer for as long as it lives, so an unlocked file is an orphan.

Filing is idempotent: a record carries the request's id, a row with that id already there is skipped
(``ON CONFLICT (id) DO NOTHING``) and only rows written get their ``intake.receive`` audit event. So
any process may file any record it reads: the staff inbox and a codename that finds no thread file
every spool of the data directory first, and nothing a visitor was told they sent is missing.

Threat: a seized server. A record holds what the request's row holds and nothing more: the sealed
request (sealed in the handler to the intake public key), the codename's keyed hash and its reply
public key, the organisation and the time. Files are 0600 in a 0700 directory and are overwritten
with zeros before they are removed (as SQLite's ``secure_delete``; a journalling file system or an
SSD may keep older blocks, which is why the threat model asks for full-disk encryption).
"""
from __future__ import annotations

import atexit
import errno
import fcntl
import logging
import os
import secrets
import struct
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connections, transaction

from safepassage.audit.services import audit_record_many
from safepassage.core.rows import insert_statements, inserted

from . import conf
from .models import HelpRequest

log = logging.getLogger(__name__)

_MAGIC = b"SPR1"
_FRAME = struct.Struct(">4sII")  # magic, length of the body, CRC-32 of the body
_FIELDS = struct.Struct(">16sqq32s32s")  # id, organisation, received (µs since 1970 UTC), codename hash, reply key
_SUFFIX = ".spool"
IDLE_SECONDS = 5.0  # the filer closes its database connection after this long with nothing to file
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Record:
    """One accepted help request, as its row will hold it."""

    id: uuid.UUID
    organisation_id: int
    received_at: datetime
    codename_hash: str  # 64 hexadecimal digits
    reply_public_key: bytes  # 32 bytes
    sealed_request: bytes

    def encode(self) -> bytes:
        micros = (self.received_at - _EPOCH) // _MICROSECOND
        body = _FIELDS.pack(self.id.bytes, self.organisation_id, micros, bytes.fromhex(self.codename_hash),
                            self.reply_public_key) + self.sealed_request
        return _FRAME.pack(_MAGIC, len(body), zlib.crc32(body)) + body


_MICROSECOND = _EPOCH.resolution


def decode(data: bytes) -> tuple[list[Record], int]:
    """The whole records at the start of ``data``, and how many bytes they take: reading stops at the
    first record that is incomplete (still being written) or damaged (a write cut short by a crash)."""
    records, at = [], 0
    while at + _FRAME.size <= len(data):
        magic, length, crc = _FRAME.unpack_from(data, at)
        start, end = at + _FRAME.size, at + _FRAME.size + length
        if magic != _MAGIC or length < _FIELDS.size or end > len(data) or zlib.crc32(data[start:end]) != crc:
            break
        ident, organisation, micros, lookup, reply_key = _FIELDS.unpack_from(data, start)
        records.append(Record(uuid.UUID(bytes=ident), organisation, _EPOCH + micros * _MICROSECOND, lookup.hex(),
                              reply_key, data[start + _FIELDS.size:end]))
        at = end
    return records, at


# --- filing into the database ---------------------------------------------------------------------

def file_records(records: list[Record]) -> int:
    """Write the requests not filed yet, each with its ``intake.receive`` event, in one transaction.
    Returns how many were new. Safe to call again with the same records, from any process."""
    if not records:
        return 0
    rows = [_row(record) for record in sorted({r.id: r for r in records}.values(), key=lambda r: r.id)]
    try:
        with transaction.atomic():
            return _insert_new(rows)
    except IntegrityError:
        # A codename's hash already in use (about 2^-80 a pair): file the others, that one apart.
        return sum(_file_alone(row) for row in rows)


def _row(record: Record) -> HelpRequest:
    return HelpRequest(id=record.id, organisation_id=record.organisation_id, received_at=record.received_at,
                       last_visitor_at=record.received_at, codename_hash=record.codename_hash,
                       reply_public_key=record.reply_public_key, sealed_request=record.sealed_request)


def _insert_new(rows: list[HelpRequest]) -> int:
    """Insert the rows whose id is not there yet (the others were filed by another process) and
    audit those only. Rows are inserted in id order, so two filers of one batch never deadlock."""
    connection = transaction.get_connection()
    returning = connection.ops.quote_name(HelpRequest._meta.pk.column)
    new_ids = set()
    with connection.cursor() as cursor:
        for sql, params in insert_statements(rows, connection):
            cursor.execute(f"{sql} ON CONFLICT ({returning}) DO NOTHING RETURNING {returning}", params)
            new_ids.update(connection.ops.convert_uuidfield_value(value, None, connection)
                           if connection.vendor == "sqlite" else value for (value,) in cursor.fetchall())
    new = [row for row in rows if row.pk in new_ids]
    if new:
        audit_record_many([dict(actor=None, action="intake.receive", target=row) for row in new])
        inserted(new, connection)
    return len(new)


def _file_alone(row: HelpRequest) -> int:
    try:
        with transaction.atomic():
            return _insert_new([row])
    except IntegrityError:
        pass
    # Its codename's hash belongs to another thread. Staff still get the request; its visitor cannot
    # come back with that codename (they would reach the other thread), so it is filed under a hash
    # no codename yields ("!" is no hexadecimal digit).
    log.error("a help request's codename collided with an earlier one; filed without a way back")
    row.codename_hash = "!" + secrets.token_hex(32)[:63]
    with transaction.atomic():
        return _insert_new([row])


# --- the spool files ------------------------------------------------------------------------------

def directory() -> Path:
    configured = conf.get("INTAKE_SPOOL_DIR")
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "intake" / "spool"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _must_sync() -> bool:
    configured = conf.get("INTAKE_SPOOL_FSYNC")
    if configured is not None:
        return bool(configured)
    if _database_syncs.get("default") is None:
        try:
            _database_syncs["default"] = _commits_flushed(connections["default"])
        except DatabaseError:  # the database is away: flush (the safe side), and ask again next time
            return True
    return _database_syncs["default"]


_database_syncs: dict = {}  # asked once per process: a database's durability does not change under it


def _commits_flushed(connection) -> bool:
    """Does this database flush a commit to the disk before it returns? The spool promises the same."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            level = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            wal = cursor.fetchone()[0].lower() == "wal"
            return level >= 2 or (not wal and level >= 1)  # WAL with NORMAL: survives the process only
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('fsync') = 'on' AND current_setting('synchronous_commit') <> 'off'")
            return bool(cursor.fetchone()[0])
    return True


@dataclass
class _Batch:
    """One spool file and the records this process wrote to it."""

    path: Path
    fd: int
    records: list
    size: int = 0  # bytes of whole records written

    def remove(self) -> None:
        """Filed: overwrite, remove, and let go of the lock (closing the file releases it)."""
        try:
            size = os.fstat(self.fd).st_size
            if size:
                os.pwrite(self.fd, bytes(size), 0)
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        finally:
            os.close(self.fd)


def _open_locked(where: Path) -> tuple[Path, int]:
    """A new spool file, locked before anyone can see it: made under a name the readers skip,
    locked, then renamed (the lock belongs to the open file, so it survives the rename)."""
    name = f"{os.getpid()}-{secrets.token_hex(8)}"
    hidden = where / f".{name}.new"
    fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    path = where / f"{name}{_SUFFIX}"
    os.rename(hidden, path)
    return path, fd


class Spool:
    """This process's side of the spool: the file it appends to, and its filer thread."""

    def __init__(self):
        self._start_over()

    def _start_over(self) -> None:
        self._lock = threading.Lock()  # the current file and its records
        self._arrived = threading.Condition(self._lock)
        self._filing = threading.Lock()  # one filing at a time in this process
        self._current: _Batch | None = None
        self._unfiled: list[_Batch] = []  # taken from _current, not filed yet (the database said no)
        self._filer = None

    def forked(self) -> None:
        """In a child just forked (gunicorn's workers): the parent's files, records, thread and locks
        are the parent's. Its copies of the files are closed, or they would keep the parent's locks
        alive after the parent is gone and its files would never look orphaned."""
        for batch in [*self._unfiled, *([self._current] if self._current else [])]:
            try:
                os.close(batch.fd)
            except OSError:
                pass
        self._start_over()

    def accept(self, record: Record) -> None:
        """Keep ``record`` on disk (durably, if the database's commits are), then file it: now when
        the delay is 0, else within the delay, with whatever else arrived meanwhile."""
        framed = record.encode()
        delay = conf.get("INTAKE_SPOOL_DELAY")
        with self._lock:
            batch = self._batch()
            try:
                written = os.write(batch.fd, framed)
                if written != len(framed):
                    raise OSError(errno.ENOSPC, f"the intake spool took {written} of {len(framed)} bytes")
                if _must_sync():
                    os.fdatasync(batch.fd)
            except OSError:  # a full disk: the visitor is told to send again, so nothing of it may stay
                self._cut_back(batch)
                raise
            batch.size += len(framed)
            batch.records.append(record)
            if delay > 0:
                self._start_filer()
                self._arrived.notify()
        if delay <= 0:
            self.file_pending()

    def _cut_back(self, batch: _Batch) -> None:
        """Drop what a failed write left at the end of the file; if even that fails, the file takes
        no more records (a torn record would hide those after it from a reader)."""
        try:
            os.ftruncate(batch.fd, batch.size)
        except OSError:
            self._unfiled.append(batch)
            self._current = None

    def _batch(self) -> _Batch:
        if self._current is None:
            self._current = _Batch(*_open_locked(directory()), [])
        return self._current

    def own_paths(self) -> set[Path]:
        with self._lock:
            return {b.path for b in [*self._unfiled, *([self._current] if self._current else [])]}

    def file_pending(self) -> int:
        """File what this process accepted. Returns how many rows were new; raises if the database
        refuses (the records stay spooled and are tried again next time). Inside a caller's
        transaction the rows are that transaction's: the demo and tests, which roll back as a whole."""
        with self._filing:
            with self._lock:
                if self._current is not None:
                    self._unfiled.append(self._current)
                    self._current = None
                batches = list(self._unfiled)
            filed = 0
            for batch in batches:
                filed += file_records(batch.records)
                with self._lock:
                    self._unfiled.remove(batch)
                batch.remove()
            return filed

    def _start_filer(self) -> None:
        if self._filer is not None:
            return
        self._filer = threading.Thread(target=self._file_forever, name="safepassage-intake-filer", daemon=True)
        self._filer.start()
        atexit.register(self._file_at_exit)

    def _file_forever(self) -> None:
        try:
            file_orphans()  # whatever a process that died before filing left
        except Exception as exc:  # noqa: BLE001 (the database may be away: the loop below tries again)
            log.error("could not file the spool files of stopped processes: %s", type(exc).__name__)
        finally:
            connections.close_all()
        pause = 0.0
        while True:
            with self._lock:
                busy = self._arrived.wait_for(self._has_work, timeout=IDLE_SECONDS)
            if not busy:  # a quiet spell: give the database its connection back until the next request
                connections.close_all()
                with self._lock:
                    self._arrived.wait_for(self._has_work)
            time.sleep(max(conf.get("INTAKE_SPOOL_DELAY"), pause))
            close_old_connections()
            try:
                self.file_pending()
                pause = 0.0
            except Exception as exc:  # noqa: BLE001 (kept on disk; tried again, less often while it fails)
                # the error's name only: a database's message may quote the values it refused
                log.error("could not file spooled help requests (%s); they stay spooled", type(exc).__name__)
                pause = min(max(pause * 2, 0.5), 30.0)

    def _has_work(self) -> bool:
        return bool(self._unfiled or (self._current is not None and self._current.records))

    def _file_at_exit(self) -> None:
        try:
            self.file_pending()
        except Exception as exc:  # noqa: BLE001 (left on disk: the next process files them)
            log.error("spooled help requests left for the next process to file (%s)", type(exc).__name__)


_spool = Spool()
os.register_at_fork(after_in_child=lambda: _spool.forked())


def accept(record: Record) -> None:
    _spool.accept(record)


def file_pending() -> int:
    """File what this process accepted (for a caller that needs the rows now: the demo, tests)."""
    return _spool.file_pending()


def file_orphans() -> int:
    """File and remove the spool files no live process holds (their writer stopped before filing)."""
    return _file_others(live_too=False)


def file_all() -> int:
    """File every request accepted so far on this machine's spool: this process's, other live
    processes' (their files are read, not taken: the writer removes its own once filed) and
    orphans'. For readers that must miss nothing: the staff inbox, a codename that finds no thread."""
    return file_pending() + _file_others(live_too=True)


def _file_others(*, live_too: bool) -> int:
    where, own, filed = directory(), _spool.own_paths(), 0
    for path in sorted(where.glob(f"*{_SUFFIX}")):
        if path in own:
            continue
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:  # filed and removed meanwhile
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # its writer is alive
                if live_too:
                    filed += file_records(decode(_read(fd))[0])
                continue
            data = _read(fd)
            records, used = decode(data)
            if used < len(data):
                log.warning("a spool file ended in %d bytes that are no whole record (a write cut short)",
                            len(data) - used)
            filed += file_records(records)
            _Batch(path, os.dup(fd), records).remove()
        finally:
            os.close(fd)
    return filed


def _read(fd: int) -> bytes:
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)
