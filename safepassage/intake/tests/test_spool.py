"""The spool: a request accepted is never lost, is filed once, and is found by whoever needs it."""
import os
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from django.db import OperationalError, connection
from hypothesis import given
from hypothesis import strategies as st

from safepassage.audit.models import AuditEvent
from safepassage.intake import codenames, services, spool
from safepassage.intake.models import HelpRequest
from safepassage.intake.services import RequestPayload, UnknownCodename, help_request_submit, visitor_thread

from .conftest import FORM, codename_from

records = st.builds(
    spool.Record,
    id=st.uuids(),
    organisation_id=st.integers(min_value=1, max_value=2**62),
    received_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                             timezones=st.just(timezone.utc)),
    codename_hash=st.binary(min_size=32, max_size=32).map(bytes.hex),
    reply_public_key=st.binary(min_size=32, max_size=32),
    sealed_request=st.binary(max_size=3000),
)


@given(st.lists(records, max_size=4))
def test_records_read_back_exactly_as_written(written):
    data = b"".join(r.encode() for r in written)
    assert spool.decode(data) == (written, len(data))


@given(st.lists(records, min_size=2, max_size=3), st.data())
def test_reading_stops_at_a_record_cut_short_or_damaged(written, data):
    whole = [r.encode() for r in written]
    *complete, last = whole
    cut = data.draw(st.integers(min_value=1, max_value=len(last) - 1))
    assert spool.decode(b"".join(complete) + last[:cut]) == (written[:-1], sum(map(len, complete)))
    damaged = bytearray(b"".join(whole))
    at = len(whole[0]) + data.draw(st.integers(min_value=0, max_value=len(whole[1]) - 1))
    damaged[at] ^= 0x01
    assert spool.decode(bytes(damaged))[0] == written[:1]


def _record(org, *, codename_hash=None, sealed=b"sealed"):
    return spool.Record(uuid.uuid4(), org.pk, datetime.now(timezone.utc), codename_hash or os.urandom(32).hex(),
                        os.urandom(32), sealed)


def _receipts():
    return AuditEvent.objects.filter(action="intake.receive").count()


@pytest.fixture
def own_spool(monkeypatch, tmp_path, settings):
    """A spool of its own for the test, in its own directory, its filer thread not started."""
    settings.INTAKE_SPOOL_DIR = str(tmp_path / "spool")
    fresh = spool.Spool()
    monkeypatch.setattr(spool, "_spool", fresh)
    monkeypatch.setattr(fresh, "_start_filer", lambda: None)
    return fresh


@pytest.mark.django_db
def test_a_request_is_filed_once_with_one_audit_event_however_often_it_is_filed(org):
    first, second = _record(org), _record(org)
    assert spool.file_records([first]) == 1
    assert spool.file_records([first, second, first]) == 1
    assert spool.file_records([second]) == 0
    assert HelpRequest.objects.count() == 2 and _receipts() == 2
    row = HelpRequest.objects.get(pk=first.id)
    assert (row.codename_hash, bytes(row.reply_public_key), bytes(row.sealed_request)) == (
        first.codename_hash, first.reply_public_key, first.sealed_request)
    assert row.received_at == row.last_visitor_at == first.received_at


@pytest.mark.django_db
def test_a_codename_already_in_use_never_opens_the_other_thread(org):
    taken = _record(org)
    spool.file_records([taken])
    clash = _record(org, codename_hash=taken.codename_hash)
    assert spool.file_records([clash, _record(org)]) == 2
    assert HelpRequest.objects.get(pk=taken.id).codename_hash == taken.codename_hash
    filed_apart = HelpRequest.objects.get(pk=clash.id)  # staff still get it, under a hash no codename yields
    assert filed_apart.codename_hash.startswith("!") and len(filed_apart.codename_hash) == 64
    assert HelpRequest.objects.count() == 3 and _receipts() == 3


@pytest.mark.django_db
def test_a_visitor_back_before_the_filer_ran_finds_their_thread(own_spool, intake_key, settings):
    settings.INTAKE_SPOOL_DELAY = 60  # the filer would wait a minute: the lookup must not
    _request_id, codename = help_request_submit(payload=RequestPayload(what="help", page_language="ru"))
    assert not HelpRequest.objects.exists()
    assert len(list(spool.directory().glob("*.spool"))) == 1
    thread = visitor_thread(codename=codename)
    assert HelpRequest.objects.filter(pk=thread.request_id).exists() and _receipts() == 1
    assert not list(spool.directory().glob("*.spool")), "a filed spool file is removed"
    with pytest.raises(UnknownCodename):
        visitor_thread(codename=codenames.generate("ru"))


@pytest.mark.django_db
def test_the_inbox_lists_what_another_live_process_spooled_without_taking_its_file(own_spool, intake_worker,
                                                                                   intake_key):
    from safepassage.intake import selectors

    path, fd = spool._open_locked(spool.directory())  # another worker's file: locked, still being written
    try:
        os.write(fd, _record(intake_key.organisation).encode() + _record(intake_key.organisation).encode())
        assert len(selectors.inbox(intake_worker).page.object_list) == 2
        assert path.exists(), "a live process's file is its own to remove"
        assert spool.file_orphans() == 0 and path.exists()
    finally:
        os.close(fd)
    assert spool.file_orphans() == 0 and not path.exists()  # its writer gone: filed already, now removed
    assert HelpRequest.objects.count() == 2 and _receipts() == 2


@pytest.mark.django_db
def test_requests_a_stopped_process_never_filed_are_filed_by_the_next(own_spool, org):
    path, fd = spool._open_locked(spool.directory())
    left = [_record(org), _record(org)]
    os.write(fd, b"".join(r.encode() for r in left) + _record(org).encode()[:40])  # and a write cut short
    os.close(fd)  # the process died: its lock went with it
    assert spool.file_orphans() == 2
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {r.id for r in left}
    assert not path.exists()


@pytest.mark.django_db
def test_when_the_database_refuses_the_requests_stay_spooled_and_are_filed_later(own_spool, org, monkeypatch):
    own_spool.accept(_record(org))  # delay 0: filed at once ...
    assert HelpRequest.objects.count() == 1
    real = spool.file_records

    def refuse(records):
        raise OperationalError("database is locked")

    monkeypatch.setattr(spool, "file_records", refuse)
    with pytest.raises(OperationalError):
        own_spool.accept(_record(org))  # ... unless the database says no: the visitor sees an error
    waiting = list(spool.directory().glob("*.spool"))
    assert len(waiting) == 1 and spool.decode(waiting[0].read_bytes())[0], "kept on disk"
    monkeypatch.setattr(spool, "file_records", real)
    assert spool.file_pending() == 1
    assert HelpRequest.objects.count() == 2 and not list(spool.directory().glob("*.spool"))


@pytest.mark.django_db(transaction=True)
def test_the_filer_files_a_burst_in_one_transaction_within_the_delay(org, tmp_path, settings, monkeypatch):
    settings.INTAKE_SPOOL_DIR = str(tmp_path / "spool")
    settings.INTAKE_SPOOL_DELAY = 0.2
    monkeypatch.setattr(spool, "IDLE_SECONDS", 0.5)
    fresh = spool.Spool()
    monkeypatch.setattr(spool, "_spool", fresh)
    batches = []
    real = spool.file_records
    monkeypatch.setattr(spool, "file_records", lambda records: batches.append(len(records)) or real(records))
    sessions_before = _other_sessions()
    closed_by = []
    close_all = spool.connections.close_all
    monkeypatch.setattr(spool.connections, "close_all",
                        lambda: closed_by.append(threading.current_thread().name) or close_all())
    burst = [_record(org) for _ in range(5)]
    for record in burst:
        fresh.accept(record)
    assert HelpRequest.objects.count() == 0, "the filer waits the delay for more"
    deadline = time.monotonic() + 10
    while (HelpRequest.objects.count() < 5 or list(spool.directory().glob("*.spool"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert HelpRequest.objects.count() == 5 and _receipts() == 5
    assert batches == [5]
    assert not list(spool.directory().glob("*.spool"))
    # idle, the filer hands its database connection back (or dropping the test database would wait)
    closed_by.clear()
    deadline = time.monotonic() + 10
    while "safepassage-intake-filer" not in closed_by and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "safepassage-intake-filer" in closed_by
    assert _other_sessions() == sessions_before


def _other_sessions() -> int | None:
    """Connections to the test database besides this thread's (PostgreSQL can tell; SQLite cannot)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_spool_flushes_to_disk_when_the_database_flushes_its_commits(tmp_path, settings):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    for options, flushed in (("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", False),
                             ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", True),
                             ("PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;", True)):
        database = DatabaseWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3",
                                    "NAME": str(tmp_path / "probe.sqlite3"), "TEST": {},
                                    "OPTIONS": {"init_command": options}})
        try:
            assert spool._commits_flushed(database) is flushed, options
        finally:
            database.close()


@pytest.mark.django_db
def test_a_full_disk_refuses_in_the_visitors_language_and_keeps_their_text(visitor, intake_key, monkeypatch):
    def full(record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spool, "accept", full)
    response = visitor.post("/help/", FORM)
    assert response.status_code == 503
    html = response.content.decode()
    assert FORM["what"] in html and "codename" not in html
    assert not HelpRequest.objects.exists()


def test_processes_starting_together_share_one_pepper(tmp_path, settings):
    """The first visitors after a deployment starts reach several workers at once."""
    import multiprocessing

    settings.INTAKE_PEPPER_FILE = str(tmp_path / "pepper")
    codenames._pepper_cache.clear()
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(6), context.Queue()
    workers = [context.Process(target=_pepper_in_child, args=(start, results)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    peppers = [results.get(timeout=5) for _ in workers]
    assert len(set(peppers)) == 1 and len(peppers[0]) == 64, peppers
    assert peppers[0] == codenames.pepper().hex()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pepper"], "no draft is left behind"


def _pepper_in_child(start, results):
    start.wait()
    try:
        results.put(codenames.pepper().hex())
    except Exception as exc:  # noqa: BLE001 (reported to the parent)
        results.put(repr(exc))


@pytest.mark.django_db
def test_a_submission_is_filed_before_its_page_when_there_is_no_delay(visitor, intake_key):
    assert visitor.post("/help/", FORM).status_code == 200
    assert HelpRequest.objects.count() == 1 and _receipts() == 1
    assert not list(spool.directory().glob("*.spool"))
    assert services.request_payload(HelpRequest.objects.get()).what == FORM["what"]


def test_a_record_keeps_the_time_to_the_microsecond():
    at = datetime(2026, 11, 24, 3, 4, 5, 678901, tzinfo=timezone.utc)
    record = spool.Record(uuid.uuid4(), 1, at, "ab" * 32, bytes(32), b"")
    assert spool.decode(record.encode())[0][0].received_at == at
    earlier = spool.Record(uuid.uuid4(), 1, at - timedelta(days=30000), "ab" * 32, bytes(32), b"")
    assert spool.decode(earlier.encode())[0][0].received_at == earlier.received_at


class _DatabaseAway:
    """A query set whose database does not answer."""

    def filter(self, *args, **kwargs):
        return self

    order_by = filter

    def first(self):
        raise OperationalError("the database is restarting")


@pytest.mark.django_db
def test_requests_are_accepted_while_the_database_cannot_file_them(own_spool, visitor, intake_key, settings,
                                                                   monkeypatch):
    settings.INTAKE_SPOOL_DELAY = 0.05
    assert visitor.post("/help/", FORM).status_code == 200  # the key is known to this process now
    spool.file_pending()
    real = spool.file_records

    def refuse(records):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(spool, "file_records", refuse)
    monkeypatch.setattr(services, "_public_key_cache", {**services._public_key_cache, "at": -1e9})  # stale
    monkeypatch.setattr(services.IntakeKey.objects, "select_related", lambda *fields: _DatabaseAway())
    monkeypatch.setattr(spool, "_database_syncs", {})  # a new worker: it has not asked how durable commits are
    monkeypatch.setattr(spool, "_commits_flushed", lambda connection: _DatabaseAway().first())
    response = visitor.post("/help/", FORM)
    assert response.status_code == 200 and codename_from(response)
    with pytest.raises(OperationalError):
        spool.file_pending()
    monkeypatch.setattr(spool, "file_records", real)
    assert spool.file_pending() == 1
    assert HelpRequest.objects.count() == 2 and _receipts() == 2


@pytest.mark.django_db
def test_a_write_cut_short_leaves_nothing_of_that_request_and_spoils_none_after_it(own_spool, org, settings,
                                                                                  monkeypatch):
    settings.INTAKE_SPOOL_DELAY = 60
    first, torn, after = _record(org), _record(org), _record(org)
    own_spool.accept(first)
    real_write = os.write
    monkeypatch.setattr(spool.os, "write", lambda fd, data: real_write(fd, data[:50]))  # the disk filled up
    with pytest.raises(OSError):
        own_spool.accept(torn)
    monkeypatch.setattr(spool.os, "write", real_write)
    own_spool.accept(after)
    [path] = spool.directory().glob("*.spool")
    assert spool.decode(path.read_bytes()) == ([first, after], path.stat().st_size)
    assert spool.file_pending() == 2
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {first.id, after.id}


def test_a_forked_worker_starts_with_nothing_of_its_parents_spool(own_spool, settings, monkeypatch):
    """gunicorn forks its workers from the process that may have spooled (the demo loads, then serves)."""
    import multiprocessing

    settings.INTAKE_SPOOL_DELAY = 60
    monkeypatch.setattr(spool, "_must_sync", lambda: False)
    own_spool.accept(spool.Record(uuid.uuid4(), 1, datetime.now(timezone.utc), "ab" * 32, bytes(32), b"x"))
    [parents] = own_spool.own_paths()
    parent_fd = own_spool._current.fd
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    with own_spool._filing:  # the parent is filing at the moment it forks
        child = context.Process(target=_look_after_fork,
                                args=(own_spool, parent_fd, parents.stat().st_ino, results))
        child.start()
        child.join(30)
    assert results.get(timeout=5) == (set(), True, True)
    assert parents.exists() and spool.file_orphans() == 0, "the parent still holds its file"


def _look_after_fork(parent_spool, parent_fd, parent_file, results):
    try:  # closed, or its number since given to another file
        closed = os.fstat(parent_fd).st_ino != parent_file
    except OSError:
        closed = True
    free = parent_spool._filing.acquire(timeout=1)
    results.put((parent_spool.own_paths(), closed, free))
