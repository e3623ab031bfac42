"""Task kinds: a code kept in the clear and a translated label to show.

A generated task needs no words of its own ("Verify identity" says it all), so nothing about the
person is written down. Apps that generate tasks register their kinds here at import time.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CUSTOM = "custom"

_labels: dict[str, object] = {CUSTOM: _("Task")}


def register_task_kind(code: str, label) -> None:
    _labels[code] = label


def is_known(code: str) -> bool:
    return code in _labels


def task_kind_label(code: str) -> str:
    return str(_labels.get(code, code))
