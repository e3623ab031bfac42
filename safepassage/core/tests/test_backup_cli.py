"""Export from one deployment, restore into an empty data directory, as an operator would."""
import re
import subprocess
import sys
from pathlib import Path

from safepassage.core.testing import run_cli

SHARE = re.compile(r"Share \d of \d:\s+(SP1-[A-Z0-9-]+)")

_READ_PEOPLE = """
import django, sys
django.setup()
from safepassage.vault import services as vault
from safepassage.people.models import Person
for share in sys.argv[1:]:
    vault.unseal_with_share(share)
print(sorted(p.full_name for p in Person.objects.all()))
"""


def test_a_backup_comes_back_in_an_empty_data_directory_with_the_same_shares(make_cli_env, tmp_path):
    source = make_cli_env("source")
    shares = SHARE.findall(run_cli(source, "init", "--shares", "3", "--threshold", "2").stdout)
    run_cli(source, "createorg", "Frontline NGO")
    source_with_password = {**source, "SAFEPASSAGE_MEMBER_PASSWORD": "a long member password"}
    run_cli(source_with_password, "createmember", "coord", "--org", "Frontline NGO", "--roles", "coordinator")
    sheet = tmp_path / "people.csv"
    sheet.write_text("ФИО,телефон\nМагомед Цуев,+7 928 123-45-67\nSeda Isaeva,\n", encoding="utf-8")
    two_shares = f"{shares[0]}\n{shares[2]}\n"
    assert "2 imported" in run_cli(source, "import", "people", str(sheet), stdin=two_shares).stdout
    exported = run_cli(source, "export", stdin=two_shares).stdout
    backup = Path(re.search(r"Backup written: (\S+)", exported).group(1))
    assert backup.parent == Path(source["SAFEPASSAGE_DATA_DIR"]) / "backups"

    target = make_cli_env("target")
    epoch = backup.parent / "epoch.key"
    restored = run_cli(target, "restore", str(backup), "--epoch-key", str(epoch), stdin=f"{shares[1]}\n{shares[0]}\n")
    assert "Restored" in restored.stdout
    assert "OK:" in run_cli(target, "audit", "verify", "--unseal", stdin=two_shares).stdout
    assert "Shamir shares, 2 of 3" in run_cli(target, "status").stdout
    names = subprocess.run([sys.executable, "-c", _READ_PEOPLE, shares[0], shares[1]],
                           env={**target, "DJANGO_SETTINGS_MODULE": "config.settings.prod"},
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert names.strip() == str(sorted(["Магомед Цуев", "Seda Isaeva"]))

    again = run_cli(target, "restore", str(backup), stdin=two_shares, check=False)
    assert again.returncode != 0 and "already holds data" in again.stderr
