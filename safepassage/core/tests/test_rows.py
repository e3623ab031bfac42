"""core.rows writes exactly what save() would: the same parameters, the same row."""
import uuid
from datetime import timezone

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone as django_time
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.audit.models import AuditEvent
from safepassage.core import rows
from safepassage.intake.models import HelpRequest


def _as_save_prepares(obj) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in obj._meta.concrete_fields]


def _params(obj) -> list:
    [(_sql, params)] = rows.insert_statements([obj], connection)
    return params


def _same(left: list, right: list) -> bool:
    return len(left) == len(right) and all(map(_same_value, left, right))


def _same_value(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, memoryview):
        return bytes(a) == bytes(b)
    if hasattr(a, "obj"):  # psycopg's wrappers (Binary, Jsonb) are equal if they wrap equal values
        return _same_value(a.obj, b.obj)
    return a == b


text = st.text(max_size=40)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
times = st.datetimes(timezones=st.just(timezone.utc))

help_requests = st.builds(
    HelpRequest, id=st.uuids(), organisation_id=st.integers(1, 2**40), received_at=times, last_visitor_at=times,
    status=text, codename_hash=text, reply_public_key=st.binary(max_size=32), awaiting_staff=st.booleans(),
    triaged_at=maybe(times), case_id=maybe(st.uuids()), sealed_request=maybe(st.binary(max_size=64)),
    triaged_by_id=maybe(st.integers(1, 2**40)), duplicate_of_id=maybe(st.uuids()))
audit_events = st.builds(
    AuditEvent, id=st.integers(1, 2**62), created_at=times, actor_id=maybe(st.integers(1, 2**40)),
    organisation_id=maybe(st.integers(1, 2**40)), action=text, target_type=text, target_id=text,
    detail=st.dictionaries(text, maybe(text) | st.integers(), max_size=3), prev_hash=text, entry_hash=text,
    mac=text)


@settings(max_examples=200)
@given(help_requests | audit_events)
def test_the_parameters_are_those_save_prepares(obj):
    assert _same(_params(obj), _as_save_prepares(obj))


@given(st.sampled_from([True, 1, "1", 7.0]))
def test_a_value_of_another_type_is_prepared_as_save_would(value):
    # an int given to a text column, a str to an integer one, a bool to an integer one: converted
    event = AuditEvent(id=1, created_at=None, action=value, target_type="", target_id=value,
                       organisation_id=value if not isinstance(value, float) else 3, detail={},
                       prev_hash="", entry_hash="", mac="")
    assert _same(_params(event), _as_save_prepares(event))


@pytest.mark.django_db
def test_only_plain_fields_are_taken_as_they_are():
    """No field that converts its value (sealed fields, dates, keys, JSON, auto times) skips save()'s
    preparation, in any model of the project."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            as_is = rows._as_is(field, connection)
            if as_is is None:
                continue
            assert type(field) in rows._AS_IS or type(field) is models.ForeignKey, (model, field)
            assert field.pre_save.__func__ is models.Field.pre_save, (model, field)
            assert as_is in ((str,), (int,), (bool,)), (model, field)


@pytest.mark.django_db
def test_a_row_written_reads_back_as_given():
    from safepassage.accounts.services import organisation_create

    org = organisation_create(name="Rows NGO")
    now = django_time.now()
    request = HelpRequest(id=uuid.uuid4(), organisation_id=org.pk, received_at=now, last_visitor_at=now,
                          codename_hash="ab" * 32,
                          reply_public_key=b"\x00\x01" * 16, sealed_request=b"sealed")
    rows.insert([request])
    stored = HelpRequest.objects.get(pk=request.pk)
    assert (stored.codename_hash, bytes(stored.reply_public_key), bytes(stored.sealed_request), stored.status,
            stored.awaiting_staff, stored.received_at) == (request.codename_hash, request.reply_public_key,
                                                           b"sealed", "new", True, request.received_at)
