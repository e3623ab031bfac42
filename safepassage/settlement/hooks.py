"""The settlement side of the case workflow: closing a case whose settlement plan still has open
items needs a second person, who is shown how many are open before confirming."""
from __future__ import annotations

from django.utils.translation import ngettext


def close_guard(case, data) -> list[str]:
    from .selectors import open_items

    remaining = open_items(case)
    if not remaining:
        return []
    return [ngettext(
        "The settlement plan still has %(n)d open item.",
        "The settlement plan still has %(n)d open items.", remaining) % {"n": remaining}]


def connect() -> None:
    from safepassage.cases import workflow

    # confirmable: the open items do not forbid closing; they make a second person confirm it
    workflow.register_guard("closed", close_guard, confirmable=True)
