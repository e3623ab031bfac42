"""The bulk-view alarm: an account opening far more person records than it usually does.

Threat: a coerced or compromised insider (or a stolen session or API token) copying the records
within their reach, one page at a time. Every record read is already on the audit log
(``person.read``, ``case.read``, ``share.read``, and each case on a list page); this module counts
the distinct records an account opened within a sliding window and compares that with the account's
own baseline: its median daily reads over the past weeks (days it read anything), with a floor so
a new account is not throttled on its first busy day. Crossing max(floor, multiplier × baseline)
throttles the account (HTTP 429 on every staff page and API call until the throttle ends or an admin
lifts it), alerts the organisation's admins, and writes ``alarm.bulk_view`` to the audit log.
Each organisation tunes the numbers (``ReadAlarmSettings``).
"""
from __future__ import annotations

import math
import statistics
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import audit_record

from .models import AccessAlert, Membership, ReadAlarmSettings, ReadBaseline

READ_ACTIONS = ("person.read", "case.read", "share.read", "testimony.read")
# list pages decrypt many records at once: the audit detail names them under this key
LIST_ACTIONS = {"case.list": "cases", "person.list": "people"}


def alarm_settings(organisation_id) -> ReadAlarmSettings:
    found = ReadAlarmSettings.objects.filter(organisation_id=organisation_id).first()
    return found or ReadAlarmSettings(organisation_id=organisation_id)


def _records(events) -> dict:
    """{day: set of (type, id)} of the records named by these audit events."""
    days: dict = {}
    for action, target_type, target_id, detail, at in events:
        seen = days.setdefault(at.date(), set())
        if action in LIST_ACTIONS:
            key = LIST_ACTIONS[action]
            seen.update((key, str(i)) for i in (detail or {}).get(key, []) or [])
        elif target_id:
            seen.add((target_type, target_id))
    return days


def _events(user_id, since, until=None):
    rows = AuditEvent.objects.filter(actor_id=user_id, created_at__gte=since,
                                     action__in=(*READ_ACTIONS, *LIST_ACTIONS))
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows.values_list("action", "target_type", "target_id", "detail", "created_at").iterator(chunk_size=2000)


def reads_in_window(user_id, *, minutes: int, now=None) -> int:
    """Distinct records the account opened in the last `minutes`."""
    now = now or timezone.now()
    days = _records(_events(user_id, now - timedelta(minutes=minutes)))
    return len(set().union(*days.values())) if days else 0


def baseline(user_id, *, days: int, now=None) -> float:
    """Median distinct records read per active day over the `days` days before today (cached a day)."""
    now = now or timezone.now()
    today = now.date()
    cached = ReadBaseline.objects.filter(user_id=user_id).first()
    if cached is not None and cached.computed_on == today:
        return cached.median_daily
    end = timezone.make_aware(datetime.combine(today, time.min))
    start = end - timedelta(days=days)
    per_day = [len(records) for records in _records(_events(user_id, start, end)).values() if records]
    median = float(statistics.median(per_day)) if per_day else 0.0
    ReadBaseline.objects.update_or_create(user_id=user_id, defaults={"median_daily": median, "computed_on": today})
    return median


def threshold(member: Membership, *, settings: ReadAlarmSettings | None = None, now=None) -> int:
    settings = settings or alarm_settings(member.organisation_id)
    usual = baseline(member.user_id, days=settings.baseline_days, now=now)
    return max(int(settings.floor), math.ceil(settings.multiplier * usual))


def is_throttled(member: Membership, *, now=None) -> bool:
    now = now or timezone.now()
    return member.throttled_until is not None and member.throttled_until > now


def check(member: Membership, *, now=None) -> bool:
    """True when the member must be refused now: already throttled, or crossing the threshold now."""
    if member is None:
        return False
    now = now or timezone.now()
    if is_throttled(member, now=now):
        return True
    settings = alarm_settings(member.organisation_id)
    if not settings.enabled:
        return False
    reads = reads_in_window(member.user_id, minutes=settings.window_minutes, now=now)
    if reads < settings.floor:  # below the floor nothing can fire: spare the baseline lookup
        return False
    limit = threshold(member, settings=settings, now=now)
    if reads < limit:
        return False
    _fire(member, reads=reads, limit=limit, settings=settings, now=now)
    return True


@transaction.atomic
def _fire(member: Membership, *, reads: int, limit: int, settings: ReadAlarmSettings, now) -> None:
    until = now + timedelta(minutes=settings.throttle_minutes)
    Membership.objects.filter(pk=member.pk).update(throttled_until=until)
    member.throttled_until = until
    alert = AccessAlert.objects.create(organisation_id=member.organisation_id, member_id=member.user_id,
                                       kind=AccessAlert.KIND_BULK_VIEW,
                                       detail={"reads": reads, "threshold": limit,
                                               "window_minutes": settings.window_minutes,
                                               "until": until.isoformat()})
    audit_record(actor=member.user_id, action="alarm.bulk_view", organisation=member.organisation_id,
                 member=member.user_id, reads=reads, threshold=limit, window_minutes=settings.window_minutes,
                 alert=alert.pk)
