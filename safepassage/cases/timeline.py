"""How each kind of timeline line reads. The apps that write a kind say how it reads, at start-up.

A timeline line (``CaseEvent``) holds a kind and clear codes and ids only; the words come from here,
in the reader's language. The case page shows the cases app's own kinds itself; every other app
registers its kinds (``register_event_kind`` in its ``AppConfig.ready``) with a function of the
line's detail, so the case page never has to know the journey apps.
"""
from __future__ import annotations

from typing import Callable

_describers: dict[str, Callable[[dict], str]] = {}


def register_event_kind(kind: str, describe) -> None:
    """`describe` is a (lazy) string, or a function of the line's detail returning one."""
    _describers[kind] = describe if callable(describe) else (lambda _detail, text=describe: text)


def event_text(kind: str, detail: dict | None) -> str:
    """The sentence for a line of another app's kind; "" when nobody registered the kind."""
    describe = _describers.get(kind)
    if describe is None:
        return ""
    try:
        return str(describe(detail or {}))
    except (KeyError, TypeError, ValueError):  # an old line written before its detail changed shape
        return ""


def choice_label(choices, code) -> str:
    """A code's label in a list of (code, label) choices; the code itself when it is not there."""
    return str(dict(choices).get(code, code or ""))
