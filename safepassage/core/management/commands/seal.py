"""`safepassage seal`: the panic button from a shell. The key leaves every worker at once."""
from django.conf import settings
from django.core.management.base import BaseCommand

from safepassage.audit.services import audit_record
from safepassage.vault import control


class Command(BaseCommand):
    help = "Seal the running server now: every worker drops the key; staff see only the unseal page."

    def handle(self, *args, **options):
        try:
            reply = control.send(settings.CONTROL_SOCKET, "seal")
        except ConnectionError:
            self.stdout.write("No safepassage server is running on this data directory: nothing holds the key.\n")
            return
        audit_record(actor=None, action="vault.seal", via="control-socket")
        if reply.get("ok"):
            self.stdout.write("Sealed: the key has left every worker. Custodians unseal with `safepassage unseal`.\n")
