"""Intake settings with their defaults, read when used (never at import time).

A deployment overrides any of them in its settings module; ``config/settings/intake.py`` is the
intake-only server's.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

DEFAULTS = {
    # Name of the organisation the public page files requests for; None: the first with an intake key.
    "INTAKE_ORGANISATION": None,
    # Where the codename pepper lives (0600). Default: <data dir>/intake/pepper.
    "INTAKE_PEPPER_FILE": None,
    # Minimum entropy of a codename, in bits; the word count follows from the word-list size.
    "INTAKE_CODENAME_BITS": 80,
    # Largest request body the public pages read, in bytes (a form well filled in is under 30 KB).
    "INTAKE_MAX_BODY": 64 * 1024,
    # Rate limits as (count, seconds). Address limits use a salted hash kept in memory only and are
    # skipped for loopback clients (Tor, a local reverse proxy): there every visitor shares one address.
    "INTAKE_RATE_SUBMIT_GLOBAL": (120, 60),
    "INTAKE_RATE_SUBMIT_ADDRESS": (6, 3600),
    "INTAKE_RATE_CODENAME_GLOBAL": (300, 60),
    "INTAKE_RATE_CODENAME_ADDRESS": (30, 600),
    "INTAKE_RATE_FOLLOWUP_THREAD": (20, 3600),
    # How long the follow-up form shown after a codename login stays usable, in seconds.
    "INTAKE_FOLLOWUP_TOKEN_AGE": 30 * 60,
    # Seconds a worker gathers accepted requests before filing them in one transaction (0: each is
    # filed before the visitor's page is sent). They are on disk in the spool meanwhile.
    "INTAKE_SPOOL_DELAY": 0.05,
    # Where the spool files live. Default: <data dir>/intake/spool (the same disk as the database).
    "INTAKE_SPOOL_DIR": None,
    # Flush each spooled request to the disk before answering. None: as the database's commits
    # (PostgreSQL yes; SQLite, whose write-ahead log runs synchronous=NORMAL, no).
    "INTAKE_SPOOL_FSYNC": None,
    # The inbox decrypts at most this many pending requests to sort them by urgency.
    "INTAKE_INBOX_DECRYPT_LIMIT": 1000,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def pepper_file() -> Path:
    configured = get("INTAKE_PEPPER_FILE")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "intake" / "pepper"
