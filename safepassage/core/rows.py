"""One INSERT for a list of rows, without the ORM's per-object save machinery.

For the hot paths that write rows of a known shape and want nothing back: the anonymous intake's
submission and the audit log's events. Each value is prepared by its field exactly as ``save()``
would (defaults must already be on the objects); no signals are sent and nothing is returned, so
only models with a client-side primary key (a UUID, or an id the caller computed) belong here.
"""
from __future__ import annotations

from django.db import models, transaction

# Field classes (exactly these, not subclasses, which may encrypt or convert) whose save()
# preparation may give a value of these Python types back unchanged, and None as None. Whether it
# does depends on the database too (psycopg is handed PostgreSQL's integer types, for one), so each
# field is tried once per database with a sample, and only a field that gives the sample back
# unchanged takes its values as they are.
_AS_IS = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
}
_SAMPLE = {str: "x", int: 1, bool: True}

# (model, database vendor) -> (per concrete field: the field, its attribute, the types it takes as
# they are or None; "INSERT INTO table (columns) VALUES "; one row's placeholders). A model's columns
# never change while the process runs, so all of it is worked out once, not on every write.
_shapes: dict = {}


def _as_is(field: models.Field, connection) -> tuple[type, ...] | None:
    if field.pre_save.__func__ is not models.Field.pre_save:  # it sets the value itself (auto_now, ...)
        return None
    kind = field.target_field if type(field) is models.ForeignKey else field  # prepared as the key it points to
    if type(kind) is not type(field) and type(kind) not in (models.AutoField, models.BigAutoField):
        return None
    types = _AS_IS.get(type(kind))
    if types is None:
        return None
    sample = _SAMPLE[types[0]]
    prepared = field.get_db_prep_save(sample, connection)
    return types if type(prepared) is type(sample) and prepared == sample else None


def _shape(model: type[models.Model], connection) -> tuple[tuple, str, str]:
    key = (model, connection.vendor)
    shape = _shapes.get(key)
    if shape is None:
        fields = tuple(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
        plan = tuple((f, f.attname, _as_is(f, connection)) for f in fields)
        shape = _shapes[key] = (plan, head, "(" + ", ".join(["%s"] * len(fields)) + ")")
    return shape


_ABSENT = object()


def insert_statements(objects: list[models.Model], connection=None) -> list[tuple[str, list]]:
    """The INSERT statements (SQL and parameters) for ``objects``, all of one model: one, or more
    past the database's limit on parameters."""
    if not objects:
        return []
    connection = connection or transaction.get_connection()
    plan, head, row = _shape(type(objects[0]), connection)
    size = max(1, connection.ops.bulk_batch_size([f for f, _, _ in plan], objects)) if len(objects) > 1 else 1
    statements = []
    for start in range(0, len(objects), size):
        batch = objects[start:start + size]
        params = []
        for obj in batch:
            values = obj.__dict__
            for field, attname, as_is in plan:
                value = values.get(attname, _ABSENT) if as_is else _ABSENT
                if value is None or (value is not _ABSENT and type(value) in as_is):
                    params.append(value)
                else:  # everything else exactly as save() prepares it
                    params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
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
