"""SQLite writers queue on a file lock: the second starts the moment the first is done, never later
than SQLite's own timeout, and a crashed holder frees it."""
import fcntl
import os
import threading
import time

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def own_databases(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _connection(path, timeout=5):
    handler = ConnectionHandler({"default": {
        "ENGINE": "safepassage.core.sqlite", "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}})
    return handler["default"]


def _begin(connection):
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()


def test_a_second_writer_starts_as_soon_as_the_first_commits_without_sleeping(tmp_path):
    path = tmp_path / "db.sqlite3"
    first = _connection(path)
    first.ensure_connection()
    first.cursor().execute("CREATE TABLE t (n integer)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    started = {}

    def second_writer():
        second = _connection(path)
        _begin(second)
        started["at"] = time.monotonic()
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.2)
    assert "at" not in started  # it waits for the first writer
    committed = time.monotonic()
    first.commit()
    thread.join(5)
    assert started["at"] >= committed
    assert started["at"] - committed < 0.015  # SQLite's busy handler alone wakes up to 30 ms late here
    assert [r[0] for r in first.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()] == [1, 2]
    first.close()


def test_a_rolled_back_or_closed_writer_frees_the_lock(tmp_path):
    path = tmp_path / "db.sqlite3"
    first = _connection(path, timeout=0.3)
    _begin(first)
    first.rollback()
    _begin(first)
    first.close()
    other = _connection(path, timeout=0.3)
    began = time.monotonic()
    _begin(other)
    assert time.monotonic() - began < 0.1
    other.rollback()
    other.close()


def test_a_lock_held_too_long_is_given_up_after_sqlites_timeout(tmp_path):
    """Whoever holds the file lock (here: a stuck process) delays a writer by SQLite's timeout at most."""
    path = tmp_path / "db.sqlite3"
    stuck = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(stuck, fcntl.LOCK_EX)
    try:
        writer = _connection(path, timeout=0.3)
        began = time.monotonic()
        _begin(writer)  # SQLite itself is free: it begins once the wait is over
        waited = time.monotonic() - began
        assert 0.3 <= waited < 1.5
        writer.cursor().execute("CREATE TABLE t (n integer)")
        writer.commit()
        writer.close()
    finally:
        os.close(stuck)


def test_an_in_memory_database_has_no_lock_file(tmp_path):
    handler = ConnectionHandler({"default": {"ENGINE": "safepassage.core.sqlite", "NAME": ":memory:",
                                             "OPTIONS": {"transaction_mode": "IMMEDIATE"}}})
    connection = handler["default"]
    _begin(connection)
    connection.commit()
    assert connection._writer_fd is None
    connection.close()
