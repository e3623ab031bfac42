"""`safepassage unseal`: custodians type their shares; the checked key goes to the running server."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safepassage.audit.services import audit_record
from safepassage.vault import control

from ._common import gather_master_key, require_state


class Command(BaseCommand):
    help = ("Unseal the running server: reads shares (or the passphrase) from the terminal, or one per line "
            "from standard input; checks them here, then loads the key into the server.")

    def handle(self, *args, **options):
        require_state()
        try:
            status = control.send(settings.CONTROL_SOCKET, "status")
        except ConnectionError:
            raise CommandError("No safepassage server is running on this data directory "
                               "(start it with `safepassage serve`).") from None
        if status.get("unsealed"):
            self.stdout.write("The server is already unsealed.\n")
            return
        master = gather_master_key(stderr=self.stderr)
        reply = control.send(settings.CONTROL_SOCKET, "load", key=master)
        del master
        if not reply.get("ok"):
            raise CommandError("The server did not accept the key.")
        audit_record(actor=None, action="vault.unseal", via="control-socket")
        self.stdout.write("Unsealed: the server can read sealed records now. `safepassage seal` seals it at once.\n")
