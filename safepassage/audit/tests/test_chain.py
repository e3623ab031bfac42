import pytest
from django.db import connection

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import audit_record, audit_record_many, audit_verify
from safepassage.vault import services as vault


@pytest.fixture
def chain(unsealed_vault, org):
    for i in range(5):
        audit_record(actor=None, action="test.event", organisation=org, n=i)
    return list(AuditEvent.objects.order_by("id"))


def test_an_untouched_log_verifies(chain):
    report = audit_verify()
    assert report.ok and report.checked == len(chain) and report.macs_checked == len(chain)


def test_events_written_in_one_batch_continue_the_chain_and_verify(chain):
    written = audit_record_many([dict(actor=None, action="test.batch", organisation=chain[0].organisation_id, n=i)
                                 for i in range(3)])
    audit_record(actor=None, action="test.after", organisation=chain[0].organisation_id)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert [e.id for e in written] == ids[len(chain):len(chain) + 3]
    assert written[0].prev_hash == chain[-1].entry_hash
    assert audit_verify().ok and audit_verify().checked == len(chain) + 4
    AuditEvent.objects.filter(pk=written[1].pk).update(detail={"n": 7})
    assert audit_verify().broken_at == written[1].pk


def test_editing_a_row_is_detected_at_that_row(chain):
    target = chain[2]
    AuditEvent.objects.filter(pk=target.pk).update(action="person.read.hidden")
    report = audit_verify()
    assert not report.ok and report.broken_at == target.pk and "changed" in report.reason


def test_deleting_a_row_in_the_middle_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    report = audit_verify()
    assert not report.ok and report.broken_at == chain[1].pk


def test_deleting_the_newest_rows_is_detected(chain):
    AuditEvent.objects.filter(pk__gte=chain[3].pk).delete()
    report = audit_verify()
    assert not report.ok and "end" in report.reason


def test_a_rebuilt_chain_without_the_audit_key_fails_its_macs(chain):
    """A database-only attacker who recomputes every hash still cannot forge the MACs."""
    import hashlib

    from safepassage.audit.services import _canonical

    prev = "0" * 64
    for event in AuditEvent.objects.order_by("id"):
        if event.pk == chain[2].pk:
            event.detail = {"n": 99}
        event.prev_hash = prev
        event.entry_hash = hashlib.sha256(_canonical(event)).hexdigest()
        event.save()
        prev = event.entry_hash
    from safepassage.audit.models import AuditHead

    AuditHead.objects.filter(pk=1).update(last_hash=prev)
    report = audit_verify()
    assert not report.ok and report.broken_at == chain[2].pk and "MAC" in report.reason


def test_events_never_hold_sensitive_values(unsealed_vault, coordinator, org):
    from safepassage.people.services import PersonData, person_create

    person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Planted Zelimkhanov"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT detail, action FROM audit_auditevent")
        rows = cursor.fetchall()
    assert rows and not any("Zelimkhanov" in str(row) for row in rows)


def test_the_chain_still_verifies_while_sealed_without_macs(chain):
    vault.seal()
    report = audit_verify()
    assert report.ok and report.macs_checked == 0


def test_a_large_batch_is_split_under_the_databases_parameter_limit_and_still_one_chain(chain):
    written = audit_record_many([dict(actor=None, action="test.bulk", organisation=chain[0].organisation_id, n=i)
                                 for i in range(4000)])  # 44 000 parameters: more than one statement
    assert [e.id for e in written] == list(range(chain[-1].id + 1, chain[-1].id + 4001))
    assert AuditEvent.objects.count() == len(chain) + 4000
    assert audit_verify().ok


def test_work_that_fails_after_its_event_takes_the_event_with_it(chain):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit_record(actor=None, action="test.doomed", organisation=chain[0].organisation_id)
            raise RuntimeError("the service failed after auditing")
    assert not AuditEvent.objects.filter(action="test.doomed").exists()
    after = audit_record(actor=None, action="test.after", organisation=chain[0].organisation_id)
    assert after.id == chain[-1].id + 1 and after.prev_hash == chain[-1].entry_hash
    assert audit_verify().ok
