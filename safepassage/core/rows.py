"""One INSERT for a list of rows, without the ORM's per-object save machinery.

For the hot paths that write rows of a known shape and want nothing back: the anonymous intake's
submission and the audit log's events. Each value is prepared by its field exactly as ``save()``
would (defaults must already be on the objects); no signals are sent and nothing is returned, so
only models with a client-side primary key (a UUID, or an id the caller computed) belong here.
"""
from __future__ import annotations

from django.db import models, transaction

# (model, database vendor) -> (its concrete fields, "INSERT INTO table (columns) VALUES ", one row's
# placeholders). A model's columns never change while the process runs, so the statement's text is
# built once instead of quoting every column name on every write.
_shapes: dict = {}


def _shape(model: type[models.Model], connection) -> tuple[tuple, str, str]:
    key = (model, connection.vendor)
    shape = _shapes.get(key)
    if shape is None:
        fields = tuple(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
        shape = _shapes[key] = (fields, head, "(" + ", ".join(["%s"] * len(fields)) + ")")
    return shape


def insert_statements(objects: list[models.Model], connection=None) -> list[tuple[str, list]]:
    """The INSERT statements (SQL and parameters) for ``objects``, all of one model: one, or more
    past the database's limit on parameters."""
    if not objects:
        return []
    connection = connection or transaction.get_connection()
    fields, head, row = _shape(type(objects[0]), connection)
    size = max(1, connection.ops.bulk_batch_size(fields, objects)) if len(objects) > 1 else 1
    statements = []
    for start in range(0, len(objects), size):
        batch = objects[start:start + size]
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in batch for f in fields]
        statements.append((head + ", ".join([row] * len(batch)), params))
    return statements


def inserted(objects: list[models.Model], connection=None) -> None:
    """Mark ``objects`` as saved, as ``save()`` would once their INSERT ran."""
    alias = (connection or transaction.get_connection()).alias
    for obj in objects:
        obj._state.adding, obj._state.db = False, alias


def insert(objects: list[models.Model]) -> None:
    """INSERT ``objects`` (all of one model) in as few statements as the database allows."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        for sql, params in insert_statements(objects, connection):
            cursor.execute(sql, params)
    inserted(objects, connection)
