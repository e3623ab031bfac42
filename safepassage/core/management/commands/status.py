"""`safepassage status`: is there a vault, is a server running, is it sealed."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from safepassage.vault import backup, control
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

from ._common import MODE_LABELS


class Command(BaseCommand):
    help = "Show the vault, the server and the backups of this data directory."

    def handle(self, *args, **options):
        state = vault.state()
        if state is None:
            self.stdout.write("Vault:    not initialised (run `safepassage init`)\n")
        elif state.mode == VaultState.MODE_SHAMIR:
            self.stdout.write(f"Vault:    {MODE_LABELS[state.mode]}, {state.threshold} of {state.share_count} unseal\n")
        else:
            self.stdout.write(f"Vault:    {MODE_LABELS[state.mode]}\n")
        try:
            reply = control.send(settings.CONTROL_SOCKET, "status")
            self.stdout.write(f"Server:   running, {'UNSEALED' if reply.get('unsealed') else 'sealed'}\n")
        except ConnectionError:
            self.stdout.write("Server:   not running\n")
        self.stdout.write(f"Data:     {settings.DATA_DIR} ({connection.vendor})\n")
        backups = backup.local_backups()
        latest = f", latest {backups[-1].name}" if backups else ""
        self.stdout.write(f"Backups:  {len(backups)} in {settings.BACKUP_DIR}{latest}\n")
