"""Flood control for the public intake, without keeping anyone's address.

Threat: a crisis brings thousands of genuine requests; an adversary sends fakes by the thousand,
or guesses codenames. Counters live in this process's memory only and are never written. A client
address is used only through an HMAC under a random salt that is replaced every UTC day (and at
every restart), so yesterday's counters cannot be tied to an address even by someone who dumps
the process. Behind Tor or a local proxy every visitor arrives from a loopback address, so
address limits are skipped there and the global and per-thread limits carry the load.
"""
from __future__ import annotations

import ipaddress
import threading
import time
from datetime import datetime, timezone

from safepassage.vault import sealedbox

from . import conf


class Limiter:
    """Fixed-window counters: at most `count` events per `seconds` for one key of one bucket."""

    def __init__(self):
        self._lock = threading.Lock()
        self._day = None
        self._salt = b""
        self._counts: dict[tuple[str, str], tuple[int, int, int]] = {}

    def _rotate(self) -> None:
        day = datetime.now(timezone.utc).date()
        if day != self._day:
            self._day = day
            self._salt = sealedbox.pepper_new()
            self._counts.clear()

    def hit(self, bucket: str, key: str, limit: tuple[int, int]) -> bool:
        """Count one event; False when the bucket is full (the event must be refused)."""
        count, seconds = limit
        now = int(time.monotonic())
        with self._lock:
            self._rotate()
            hashed = sealedbox.salted_hash(self._salt, key)
            window = now // seconds
            seen_window, seen, _ = self._counts.get((bucket, hashed), (window, 0, seconds))
            if seen_window != window:
                seen = 0
            if seen >= count:
                return False
            self._counts[(bucket, hashed)] = (window, seen + 1, seconds)
            if len(self._counts) > 200_000:  # a scan of fake addresses must not exhaust memory
                self._counts = {k: v for k, v in self._counts.items() if v[0] == now // v[2]}
            return True

    def reset(self) -> None:
        with self._lock:
            self._day = None
            self._counts.clear()


limiter = Limiter()


def _address(request) -> str | None:
    """The client address if it tells visitors apart (not loopback); used only hashed, in memory."""
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        if ipaddress.ip_address(raw).is_loopback:
            return None
    except ValueError:
        return None
    return raw


def allow(request, action: str) -> bool:
    """May this request `submit` or try a `codename` now? Counts it if so."""
    upper = action.upper()
    if not limiter.hit(f"{action}:global", "-", conf.get(f"INTAKE_RATE_{upper}_GLOBAL")):
        return False
    address = _address(request)
    if address is not None and not limiter.hit(f"{action}:address", address,
                                               conf.get(f"INTAKE_RATE_{upper}_ADDRESS")):
        return False
    return True


def allow_followup(thread_id) -> bool:
    return limiter.hit("followup:thread", str(thread_id), conf.get("INTAKE_RATE_FOLLOWUP_THREAD"))
