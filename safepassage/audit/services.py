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

from safepassage.core.rows import insert_statements, inserted
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
    if not vault.is_unsealed():  # the common case on the public intake: no key, no exception to pay for
        return ""
    try:
        return vault.mac("audit", entry_hash.encode()).hex()
    except VaultSealed:  # sealed since the check
        return ""


def _event(*, actor, action: str, target, organisation, detail, prev_id: int, prev_hash: str, at) -> AuditEvent:
    event = AuditEvent(
        id=prev_id + 1,
        created_at=at,
        actor_id=getattr(actor, "pk", actor),
        organisation_id=getattr(organisation, "pk", organisation) or getattr(target, "organisation_id", None),
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=json.loads(json.dumps(detail, default=str)) if detail else {},
        prev_hash=prev_hash,
    )
    event.entry_hash = hashlib.sha256(_canonical(event)).hexdigest()
    event.mac = _mac(event.entry_hash)
    return event


def audit_record(*, actor, action: str, target=None, organisation=None, **detail) -> AuditEvent:
    """Append one event. `detail` must hold ids and field names only, never sensitive values."""
    return audit_record_many([dict(actor=actor, action=action, target=target, organisation=organisation, **detail)])[0]


def audit_record_many(entries) -> list[AuditEvent]:
    """Append several events (each a dict of ``audit_record``'s arguments) under one lock of the
    chain's head and in one insert: what a service that touches a hundred cases at once needs.

    Inside the caller's transaction (no savepoint of its own: an event that cannot be written fails
    the caller's work with it), in three short statements: lock and read the head, insert the events,
    move the head (on PostgreSQL the last two are one statement: one round trip fewer). The head
    stays locked until the caller commits, so the chain never forks.
    """
    entries = list(entries)
    if not entries:
        return []
    connection = transaction.get_connection()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        prev_id, prev_hash = _head_locked(connection, cursor)
        now, events = timezone.now(), []
        for entry in entries:
            entry = dict(entry)
            event = _event(actor=entry.pop("actor"), action=entry.pop("action"), target=entry.pop("target", None),
                           organisation=entry.pop("organisation", None), detail=entry, prev_id=prev_id,
                           prev_hash=prev_hash, at=now)
            events.append(event)
            prev_id, prev_hash = event.id, event.entry_hash
        statements = insert_statements(events, connection)
        move_head = _sql(connection)[1]
        if connection.vendor == "postgresql" and len(statements) == 1:
            # one round trip instead of two: the insert and the head's move in one statement
            sql, params = statements[0]
            cursor.execute(f"WITH written AS ({sql}) {move_head}", [*params, prev_id, prev_hash])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(move_head, [prev_id, prev_hash])
        inserted(events, connection)
    return events


_head_sql: dict[str, tuple[str, str]] = {}  # database vendor -> (read and lock the head, move it)


def _sql(connection) -> tuple[str, str]:
    """The head's two statements for this kind of database, built once per process."""
    sql = _head_sql.get(connection.vendor)
    if sql is None:
        table = connection.ops.quote_name(AuditHead._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = _head_sql[connection.vendor] = (f"SELECT last_id, last_hash FROM {table} WHERE id = 1{lock}",
                                              f"UPDATE {table} SET last_id = %s, last_hash = %s WHERE id = 1")
    return sql


def _head_locked(connection, cursor) -> tuple[int, str]:
    """The chain's newest id and hash, its row locked until the transaction ends (SQLite: the whole
    write transaction is already exclusive, ``BEGIN IMMEDIATE``)."""
    cursor.execute(_sql(connection)[0])
    row = cursor.fetchone()
    if row is None:  # the first event ever: create the head (two first writers meet in get_or_create)
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_id, head.last_hash
    return row[0], row[1]


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
