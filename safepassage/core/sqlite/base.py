"""SQLite whose writers queue on a file lock instead of sleeping in SQLite's busy handler.

Every transaction here is ``BEGIN IMMEDIATE`` (the audit chain must never fork), so two workers
writing at once always meet: the second is refused, and SQLite's busy handler sleeps 1 ms, then 2,
then 5... before it tries again, even when the first is done 0.1 ms later. Measured on the intake
benchmark, one transaction in five waited so, for about 1 ms each time (``docs/performance.md``).

Here a transaction first takes an exclusive ``flock`` on a file next to the database, then begins,
and gives the lock back at commit or rollback: the second writer polls that lock every 50 µs at
first (backing off to 1 ms) and starts as soon as the first is done. The kernel drops the lock of a
process that dies. After SQLite's own ``timeout`` the writer stops waiting for the file lock and
begins anyway, meeting SQLite's lock and busy handler as before, so no wait is longer than it was.
Statements outside a transaction do not take the file lock. An in-memory database has none.
"""
from __future__ import annotations

import fcntl
import os
import time

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_fd = None
        self._writer_pid = None
        self._writer_locked = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        if self._writer_fd is not None:
            os.close(self._writer_fd)
            self._writer_fd = None
        if self.transaction_mode and not self.is_in_memory_db() and not name.startswith("file:"):
            self._writer_fd = self._open_lock_file()
        return connection

    def _open_lock_file(self) -> int:
        # flock belongs to the open file, which a forked child shares with its parent: each process
        # opens its own
        self._writer_pid = os.getpid()
        return os.open(f"{self.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def _take_writer_lock(self) -> None:
        if self._writer_pid != os.getpid():
            self._writer_fd = self._open_lock_file()
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's own lock and timeout decide from here
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
            else:
                self._writer_locked = True
                return

    def _release_writer_lock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        if self._writer_fd is not None and not self._writer_locked:
            self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            super()._close()
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
