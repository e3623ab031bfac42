"""Work the unsealed server does by itself, every few minutes: missed travel check-ins, expired shares.

Apps register their jobs in ``AppConfig.ready()`` (core knows none of them). Each worker of the staff
server runs the jobs from one daemon thread (``start``, called from gunicorn's ``post_fork``), so an
alarm does not wait for someone to set up cron. Every job must be safe to run from several processes
at once — it locks and marks what it handles in the same transaction — because every worker runs it.
Nothing runs while the vault is sealed: the jobs need keys, and the first pass after unsealing
catches up on whatever fell due meanwhile.

The log says which job ran and how many things it handled, never what they were.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db import connections

from safepassage.vault import services as vault

log = logging.getLogger("safepassage.periodic")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]  # returns how many things it handled
    every: float  # seconds


_JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], int], *, every: float) -> None:
    """Run `run()` about every `every` seconds while the server is unsealed."""
    _JOBS[name] = Job(name=name, run=run, every=every)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def run_due(last_run: dict, now: float) -> dict[str, int]:
    """Run every job whose time has come (a job never run is due); `last_run` (name -> monotonic
    time) is updated. Returns {job name: things handled} for the jobs that ran. A failing job is
    logged by its exception's class only and tried again at its next turn."""
    if not vault.is_unsealed():
        return {}
    done = {}
    for job in jobs():
        if now - last_run.get(job.name, float("-inf")) < job.every:
            continue
        last_run[job.name] = now
        try:
            done[job.name] = job.run()
        except Exception as exc:  # noqa: BLE001 (one job's failure must not stop the others)
            log.error("periodic job %s failed: %s", job.name, type(exc).__name__)
            continue
        finally:
            _close_connections()
        if done[job.name]:
            log.info("periodic job %s handled %d", job.name, done[job.name])
    return done


def _close_connections() -> None:
    """This thread's connections, between turns (never one inside a transaction: a caller's)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def start() -> threading.Thread | None:
    """The worker's job thread (a daemon: it dies with the worker). None when switched off."""
    tick = float(getattr(settings, "PERIODIC_TICK_SECONDS", 0) or 0)
    if tick <= 0 or not jobs():
        return None

    def loop():
        last_run: dict = {}
        time.sleep(random.uniform(0, tick))  # workers started together need not query together
        while True:
            run_due(last_run, time.monotonic())
            time.sleep(tick)

    thread = threading.Thread(target=loop, name="safepassage-periodic", daemon=True)
    thread.start()
    return thread
