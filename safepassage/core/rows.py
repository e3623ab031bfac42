"""One INSERT for a list of rows, without the ORM's per-object save machinery.

For the hot paths that write rows of a known shape and want nothing back: the anonymous intake's
submission and the audit log's events. Each value is prepared by its field exactly as ``save()``
would (defaults must already be on the objects); no signals are sent and nothing is returned, so
only models with a client-side primary key (a UUID, or an id the caller computed) belong here.
"""
from __future__ import annotations

from django.db import models, transaction


def insert_statements(objects: list[models.Model]) -> list[tuple[str, list]]:
    """The INSERT statements (SQL and parameters) for ``objects``, all of one model: one, or more
    past the database's limit on parameters."""
    if not objects:
        return []
    model = type(objects[0])
    fields = list(model._meta.concrete_fields)
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, connection.ops.bulk_batch_size(fields, objects))
    statements = []
    for start in range(0, len(objects), size):
        batch = objects[start:start + size]
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in batch for f in fields]
        statements.append((f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * len(batch))}",
                           params))
    return statements


def inserted(objects: list[models.Model]) -> None:
    """Mark ``objects`` as saved, as ``save()`` would once their INSERT ran."""
    alias = transaction.get_connection().alias
    for obj in objects:
        obj._state.adding, obj._state.db = False, alias


def insert(objects: list[models.Model]) -> None:
    """INSERT ``objects`` (all of one model) in as few statements as the database allows."""
    with transaction.get_connection().cursor() as cursor:
        for sql, params in insert_statements(objects):
            cursor.execute(sql, params)
    inserted(objects)
