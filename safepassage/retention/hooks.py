"""Holds on shredding, registered by other apps without this one importing them.

``register_retention_hold(fn)``: ``fn(case) -> bool``; True keeps the case (and its person) past the
retention period, e.g. a testimony whose consent asks for it to be kept for prosecutors. A hold is
asked on every preview and every run, so withdrawing that consent lets the case go at the next run.
Holds may read sealed data: retention runs only while the vault is unsealed when any hold is registered.
"""
from __future__ import annotations

from typing import Callable

_holds: list[Callable] = []


def register_retention_hold(fn: Callable) -> None:
    if fn not in _holds:
        _holds.append(fn)


def holds() -> list[Callable]:
    return list(_holds)


def is_held(case) -> bool:
    return any(fn(case) for fn in holds())
