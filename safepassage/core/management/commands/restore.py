"""`safepassage restore FILE`: bring a backup back (into an empty data directory, or --replace)."""
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from safepassage.vault import backup

from ._common import MODE_LABELS, gather_master_key


class Command(BaseCommand):
    help = ("Restore an encrypted backup. Needs the latest epoch.key (from BACKUP_DIR, beside the backup, "
            "or --epoch-key) and the shares (or passphrase) of the vault the backup was made from.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--epoch-key", type=Path, help="the latest epoch.key (default: BACKUP_DIR/epoch.key)")
        parser.add_argument("--replace", action="store_true",
                            help="discard everything in this data directory and put the backup in its place")

    def handle(self, *args, file, epoch_key, replace, **options):
        if not file.is_file():
            raise CommandError(f"{file} does not exist")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            info = backup.read_header(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        vault_label = MODE_LABELS.get(info.vault.mode, info.vault.mode)
        if info.vault.mode == "shamir":
            vault_label += f", {info.vault.threshold} of {info.vault.share_count}"
        self.stderr.write(f"Backup made {info.created_at}; its vault: {vault_label}.\n")
        master = gather_master_key(state=info.vault, stderr=self.stderr)
        try:
            report = backup.restore(file, master=master, epoch_file=epoch_key, replace=replace)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {report.rows} rows in {report.tables} tables, {report.data_keys} data keys "
                          f"and {report.files} sealed files.\nStart (or restart) the server and unseal it with "
                          "the same shares.\n")
