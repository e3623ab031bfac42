"""The hash-chained audit log. Written by services inside their own transaction.

Threat: a coerced or malicious insider (or a database administrator) who reads people's records and
then tries to hide it. Every read, create, change, delete and export of a person or case is recorded
here; removing or editing a row is detected by ``verify``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safepassage.vault import services as vault
from safepassage.vault.errors import VaultSealed

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    return json.dumps({
        "id": event.id,
        "at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "org": event.organisation_id,
        "action": event.action,
        "target": [event.target_type, event.target_id],
        "detail": event.detail,
        "prev": event.prev_hash,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _mac(entry_hash: str) -> str:
    try:
        return vault.mac("audit", entry_hash.encode()).hex()
    except VaultSealed:
        return ""


def _event(*, actor, action: str, target, organisation, detail, prev: AuditEvent | AuditHead, at) -> AuditEvent:
    event = AuditEvent(
        id=(prev.id if isinstance(prev, AuditEvent) else prev.last_id) + 1,
        created_at=at,
        actor_id=getattr(actor, "pk", actor),
        organisation_id=getattr(organisation, "pk", organisation) or getattr(target, "organisation_id", None),
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=json.loads(json.dumps(detail, default=str)),
        prev_hash=prev.entry_hash if isinstance(prev, AuditEvent) else prev.last_hash,
    )
    event.entry_hash = hashlib.sha256(_canonical(event)).hexdigest()
    event.mac = _mac(event.entry_hash)
    return event


def audit_record(*, actor, action: str, target=None, organisation=None, **detail) -> AuditEvent:
    """Append one event. `detail` must hold ids and field names only, never sensitive values."""
    return audit_record_many([dict(actor=actor, action=action, target=target, organisation=organisation, **detail)])[0]


def audit_record_many(entries) -> list[AuditEvent]:
    """Append several events (each a dict of ``audit_record``'s arguments) under one lock of the
    chain's head and in one insert: what a service that touches a hundred cases at once needs."""
    entries = list(entries)
    if not entries:
        return []
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        now, prev, events = timezone.now(), head, []
        for entry in entries:
            entry = dict(entry)
            event = _event(actor=entry.pop("actor"), action=entry.pop("action"), target=entry.pop("target", None),
                           organisation=entry.pop("organisation", None), detail=entry, prev=prev, at=now)
            events.append(event)
            prev = event
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
        head.last_id, head.last_hash = prev.id, prev.entry_hash
        head.save(update_fields=["last_id", "last_hash"])
    return events


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    macs_checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_verify() -> ChainReport:
    """Walk the chain from the first event; name the first broken link."""
    prev, expected_id, checked, macs = GENESIS, 1, 0, 0
    can_mac = vault.is_unsealed()
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        if event.id != expected_id:
            return ChainReport(False, checked, macs, expected_id, f"event {expected_id} is missing")
        if event.prev_hash != prev:
            return ChainReport(False, checked, macs, event.id, "it does not follow the previous event")
        if hashlib.sha256(_canonical(event)).hexdigest() != event.entry_hash:
            return ChainReport(False, checked, macs, event.id, "its content was changed after it was written")
        if can_mac and event.mac:
            if _mac(event.entry_hash) != event.mac:
                return ChainReport(False, checked, macs, event.id, "its seal (MAC) does not match")
            macs += 1
        prev, expected_id, checked = event.entry_hash, event.id + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_id != checked or head.last_hash != prev):
        return ChainReport(False, checked, macs, checked + 1, "events at the end of the log were removed")
    return ChainReport(True, checked, macs)
