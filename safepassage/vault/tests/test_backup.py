import base64
import json
import shutil

import pytest

from safepassage.audit.services import audit_verify
from safepassage.cases.models import Case, CaseNote
from safepassage.cases.services import case_add_note, case_open
from safepassage.core.testing import staff_member
from safepassage.people.models import Attachment, Person
from safepassage.people.services import PersonData, attachment_add, person_create, person_delete
from safepassage.vault import backup, crypto, keyholder
from safepassage.vault import services as vault
from safepassage.vault.errors import DecryptionFailed
from safepassage.vault.models import DataKey, SystemKey

PLANTED = ["Zelimkhan Plantedovich", "Зелимхан Посаженный", "+7 928 555-12-34", "Secret Safehouse Lane 7"]


@pytest.fixture
def dirs(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.SEALED_FILES_DIR = tmp_path / "files"
    settings.SEALED_FILES_DIR.mkdir()
    return tmp_path


@pytest.fixture
def people(org, unsealed_vault, dirs):
    coordinator = staff_member(org, "coord", ["coordinator"])
    planted = person_create(actor=coordinator, organisation=org, data=PersonData(
        full_name=PLANTED[0], other_names=[PLANTED[1]], phones=[PLANTED[2]], current_location=PLANTED[3],
        date_of_birth="1991-04", gender="man"))
    case = case_open(actor=coordinator, person=planted, summary="planted case summary", risk_level="high")
    case_add_note(actor=coordinator, case=case, body="planted note body")
    attachment_add(actor=coordinator, person=planted, filename="passport.jpg", content_type="image/jpeg",
                   content=b"planted file bytes")
    kept = person_create(actor=coordinator, organisation=org, data=PersonData(
        full_name="Хава Мусаева", other_names=["Khava"], phones=["+7 938 111-22-33"], gender="woman"))
    case_open(actor=coordinator, person=kept, summary="kept case", risk_level="low")
    return {"coordinator": coordinator, "planted": planted, "kept": kept}


def _snapshot():
    """Every table's rows as stored (ciphertext stays ciphertext), the audit log kept apart."""
    tables = {}
    for model in backup._models():
        label = model._meta.label_lower
        if label in ("audit.auditevent", "audit.audithead", "vault.datakey", "vault.systemkey", "vault.vaultstate"):
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        tables[label] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                         for row in model._base_manager.order_by("pk").values_list(*columns)]
    return tables


def _decrypted(person_id):
    person = Person.objects.get(pk=person_id)
    return {name: getattr(person, name) for name in ("full_name", "other_names", "phones", "date_of_birth",
                                                     "gender", "current_location")}


def _empty_data_dir(dirs):
    backup._wipe()
    shutil.rmtree(dirs / "files")
    (dirs / "files").mkdir()
    vault.seal()


def test_a_backup_restores_identically_into_an_empty_data_directory(people, dirs):
    master = vault.demo_master_key()
    before = _snapshot()
    planted_before = _decrypted(people["planted"].pk)
    keys_before = set(DataKey.objects.values_list("id", flat=True))
    from safepassage.audit.models import AuditEvent

    audit_before = list(AuditEvent.objects.order_by("id").values_list("id", "entry_hash"))
    report = backup.export()
    assert report.path.parent == dirs / "backups"
    assert report.path.stat().st_mode & 0o777 == 0o600
    assert (dirs / "backups" / "epoch.key").stat().st_mode & 0o777 == 0o600

    _empty_data_dir(dirs)
    assert Person.objects.count() == 0
    backup.restore(report.path, master=master)

    assert not vault.is_unsealed()  # restoring leaves this process sealed
    vault.unseal_with_key(master)
    assert _snapshot() == before
    assert set(DataKey.objects.values_list("id", flat=True)) == keys_before
    assert _decrypted(people["planted"].pk) == planted_before
    note = CaseNote.objects.get()
    assert note.body == "planted note body"
    attachment = Attachment.objects.get()
    assert attachment.filename == "passport.jpg"
    from safepassage.vault import files

    assert files.read(attachment.data_key_id, attachment.stored_as) == b"planted file bytes"
    after = list(AuditEvent.objects.order_by("id").values_list("id", "entry_hash"))
    assert after[:len(audit_before)] == audit_before
    from safepassage.audit.models import AuditEvent as Event

    added = list(Event.objects.filter(id__gt=len(audit_before)).order_by("id").values_list("action", flat=True))
    assert added == ["backup.export", "backup.restore"]  # both on record, the export inside the backup
    chain = audit_verify()
    assert chain.ok and chain.macs_checked >= chain.checked - 1  # (the organisation came before the vault)


def test_restore_refuses_a_data_directory_that_holds_data_unless_told_to_replace_it(people, dirs):
    master = vault.demo_master_key()
    report = backup.export()
    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(report.path, master=master)
    vault.unseal_with_key(master)
    assert Person.objects.count() == 2
    backup.restore(report.path, master=master, replace=True)
    vault.unseal_with_key(master)
    assert Person.objects.count() == 2 and Case.objects.count() == 2


def _encodings(text: str) -> list[bytes]:
    raw = text.encode()
    found = [raw, text.encode("utf-16-le"), text.encode("utf-16-be"), text.casefold().encode()]
    for shift in range(3):  # base64 of the value at any alignment inside a longer string
        encoded = base64.b64encode(b"\0" * shift + raw)[4:-4]
        found.append(encoded)
    return found


def test_a_backup_file_contains_no_plaintext(people, dirs):
    data = backup.export().path.read_bytes()
    for value in [*PLANTED, "planted note body", "planted case summary", "passport.jpg", "planted file bytes"]:
        for encoded in _encodings(value):
            assert encoded not in data, value


@pytest.mark.parametrize("where", ["body", "header", "truncated"])
def test_a_tampered_backup_is_refused_with_a_clear_error(people, dirs, where):
    master = vault.demo_master_key()
    path = backup.export().path
    data = bytearray(path.read_bytes())
    if where == "body":
        data[-40] ^= 0x01
    elif where == "header":
        header, body = backup._unpack(bytes(data))
        header["vault"]["threshold"] = 1
        data = bytearray(backup._pack(header, body))
    else:
        data = data[:len(data) // 2]
    path.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="altered or damaged"):
        backup.restore(path, master=master, replace=True)
    vault.unseal_with_key(master)
    assert Person.objects.count() == 2  # nothing was touched


def test_a_backup_without_its_epoch_key_does_not_open(people, dirs):
    master = vault.demo_master_key()
    path = backup.export().path
    (dirs / "backups" / "epoch.key").unlink()
    with pytest.raises(backup.BackupError, match="epoch"):
        backup.restore(path, master=master, replace=True)


def test_after_a_deletion_a_backup_made_before_it_cannot_yield_that_person(
        people, dirs, tmp_path, django_capture_on_commit_callbacks):
    master = vault.demo_master_key()
    planted, kept = people["planted"], people["kept"]
    planted_keys = {str(planted.data_key_id), *(str(k) for k in planted.cases.values_list("data_key_id", flat=True))}
    local = backup.export().path
    offsite = tmp_path / "offsite.spbackup"
    shutil.copy(local, offsite)  # a copy somebody kept elsewhere (or seized)
    old_epoch = vault.system_key("backup-epoch")
    kept_before = _decrypted(kept.pk)

    with django_capture_on_commit_callbacks(execute=True):
        person_delete(actor=people["coordinator"], person=planted)

    new_epoch = vault.system_key("backup-epoch")
    assert new_epoch != old_epoch
    # The copy kept elsewhere no longer opens at all, even with the master key and the current epoch.key.
    with pytest.raises(backup.BackupError, match="retired"):
        backup.restore(offsite, master=master, replace=True)
    vault.unseal_with_key(master)
    # Nor by trying every key the master key leads to, on every sealed part of the file.
    header, body = backup._unpack(offsite.read_bytes())
    ring_blob = base64.b64decode(header["keyring"])
    candidates = [master, new_epoch, crypto.derive(master, "data-key-wrap v1"),
                  crypto.derive(master, "system-key-wrap v1"),
                  crypto.derive(master, backup._EPOCH_FILE_PURPOSE),
                  *(vault.system_key(name) for name in SystemKey.objects.values_list("name", flat=True))]
    for key in candidates:
        with pytest.raises(DecryptionFailed):
            crypto.open_(key, ring_blob, backup._core(header))
        with pytest.raises(DecryptionFailed):
            crypto.open_(key, body, f"backup body:{header['id']}".encode())

    # The local backup was rewritten: it opens, the deleted person is not in it, everyone else is.
    header, ring, content = backup.open_backup(local, master=master)
    assert not planted_keys & set(ring["data_keys"])
    assert content["files"] == {}  # the deleted person's sealed file went with them
    dump = json.dumps(content)
    assert str(planted.pk) not in dump and planted.reference not in dump
    assert str(kept.pk) in dump
    backup.restore(local, master=master, replace=True)
    vault.unseal_with_key(master)
    assert not Person.objects.filter(pk=planted.pk).exists()
    assert not DataKey.objects.filter(pk__in=planted_keys).exists()
    assert _decrypted(kept.pk) == kept_before
    assert Case.objects.count() == 1 and CaseNote.objects.count() == 0 and Attachment.objects.count() == 0
    assert audit_verify().ok


def test_rotating_the_master_key_keeps_local_backups_restorable_with_the_new_key(
        people, dirs, django_capture_on_commit_callbacks):
    path = backup.export().path
    with django_capture_on_commit_callbacks(execute=True):
        vault.rotate()
    new_master = vault.demo_master_key()
    assert keyholder.master_key() == new_master
    backup.restore(path, master=new_master, replace=True)
    vault.unseal_with_key(new_master)
    assert _decrypted(people["kept"].pk)["full_name"] == "Хава Мусаева"
