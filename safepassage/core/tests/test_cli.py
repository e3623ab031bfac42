import io
import re
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safepassage import cli
from safepassage.accounts.models import Membership, Organisation
from safepassage.audit.models import AuditEvent
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create
from safepassage.vault import services as vault
from safepassage.vault.errors import InvalidShare

SHARE = re.compile(r"Share (\d) of (\d):\s+(SP1-[A-Z0-9-]+)")


@pytest.mark.parametrize("typed,command,rest", [
    (["import", "people", "x.csv", "--dry-run"], "import_people", ["x.csv", "--dry-run"]),
    (["audit", "verify"], "audit_verify", []),
    (["keys", "rotate"], "keys_rotate", []),
    (["init", "--shares", "5"], "init", ["--shares", "5"]),
    (["serve", "--demo"], "serve", ["--demo"]),
    (["restore", "b.spbackup"], "restore", ["b.spbackup"]),
])
def test_the_words_an_operator_types_map_to_commands(typed, command, rest):
    assert cli.resolve(typed) == (command, rest)


def test_an_unknown_command_prints_the_list_and_fails(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "import people" in capsys.readouterr().err


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for words in cli.SUBCOMMANDS:
        assert " ".join(words) in out


def _stdin(monkeypatch, *lines):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


def test_init_prints_each_share_once_numbered_and_leaves_the_vault_sealed(db, capsys):
    call_command("init", "--shares", "5", "--threshold", "3")
    out = capsys.readouterr().out
    shares = SHARE.findall(out)
    assert [(n, total) for n, total, _ in shares] == [(str(i), "5") for i in range(1, 6)]
    assert len({s for _, _, s in shares}) == 5 and "any 3 of them" in out
    assert not vault.is_unsealed()
    for _, _, share in shares[:3]:
        vault.unseal_with_share(share)
    assert vault.is_unsealed()
    vault.seal()
    with pytest.raises(CommandError, match="already has a vault"):
        call_command("init")


def test_init_with_a_passphrase_from_the_environment(db, monkeypatch, capsys):
    monkeypatch.setenv("SAFEPASSAGE_PASSPHRASE", "correct horse battery staple x")
    call_command("init", "--passphrase")
    assert "SP1-" not in capsys.readouterr().out
    assert vault.unseal_with_passphrase("correct horse battery staple x")
    vault.seal()


def test_createorg_and_createmember(db, monkeypatch, capsys):
    call_command("createorg", "Frontline NGO", "--kind", "frontline", "--prefix", "fr")
    monkeypatch.setenv("SAFEPASSAGE_MEMBER_PASSWORD", "a long member password")
    call_command("createmember", "alice", "--org", "Frontline NGO", "--roles", "admin,custodian")
    member = Membership.objects.get(user__username="alice")
    assert member.roles == ["admin", "custodian"] and member.organisation.case_prefix == "FR"
    assert member.user.check_password("a long member password")
    with pytest.raises(CommandError, match="unknown roles: boss"):
        call_command("createmember", "bob", "--org", "Frontline NGO", "--roles", "boss")
    with pytest.raises(CommandError, match="no organisation"):
        call_command("createmember", "bob", "--org", "Nope", "--roles", "admin")
    assert Organisation.objects.count() == 1


def test_audit_verify_says_ok_with_counts_or_names_the_first_broken_event(db, capsys):
    call_command("createorg", "One")
    call_command("createorg", "Two")
    call_command("createorg", "Three")
    call_command("audit_verify")
    assert "OK: 3 events" in capsys.readouterr().out
    AuditEvent.objects.filter(id=2).update(action="organisation.delete")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify")
    assert exit_info.value.code == 1
    assert "BROKEN at event #2: its content was changed" in capsys.readouterr().err


def test_keys_rotate_keeps_data_readable_and_retires_the_old_shares(
        db, org, monkeypatch, capsys, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.BACKUP_DIR = tmp_path / "backups"
    old = vault.initialise(shares=3, threshold=2)
    vault.unseal_with_share(old[0])
    vault.unseal_with_share(old[1])
    from safepassage.core.testing import staff_member

    person = person_create(actor=staff_member(org, "c", ["coordinator"]), organisation=org,
                           data=PersonData(full_name="Ислам Тагаев"))
    vault.seal()
    _stdin(monkeypatch, old[2], old[0])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("keys_rotate")
    new = [s for _, _, s in SHARE.findall(capsys.readouterr().out)]
    assert len(new) == 3 and not set(new) & set(old)
    vault.seal()
    with pytest.raises(InvalidShare):
        vault.unseal_with_share(old[0])
    vault.unseal_with_share(new[1])
    vault.unseal_with_share(new[2])
    assert Person.objects.get(pk=person.pk).full_name == "Ислам Тагаев"
    vault.seal()


def test_a_wrong_share_on_standard_input_unseals_nothing(db, monkeypatch):
    shares = vault.initialise(shares=3, threshold=2)
    typo = shares[0][:-1] + ("A" if shares[0][-1] != "A" else "B")
    _stdin(monkeypatch, typo, shares[1])
    with pytest.raises(CommandError, match="Not unsealed"):
        call_command("audit_verify", "--unseal")
    assert not vault.is_unsealed()


def test_seal_and_unseal_without_a_running_server_say_so(db, capsys, settings, tmp_path):
    settings.CONTROL_SOCKET = tmp_path / "none.sock"
    vault.initialise(shares=3, threshold=2)
    call_command("seal")
    assert "No safepassage server is running" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No safepassage server is running"):
        call_command("unseal")
    call_command("status")
    out = capsys.readouterr().out
    assert "Shamir shares, 2 of 3" in out and "not running" in out


def test_serve_refuses_a_demo_vault_in_production(unsealed_vault, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="vault.E001"):
        call_command("serve")
