"""Create an organisation's intake key pair (the vault must be unsealed in this process)."""
from django.core.management.base import BaseCommand, CommandError

from safepassage.accounts.models import Organisation
from safepassage.intake.services import intake_key_ensure
from safepassage.vault import services as vault


class Command(BaseCommand):
    help = "Create the intake key pair of an organisation so /help/ can accept requests."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation name")

    def handle(self, *args, org, **options):
        organisation = Organisation.objects.filter(name=org).first()
        if organisation is None:
            raise CommandError(f"no organisation named {org!r}")
        if not vault.is_unsealed():
            master = vault.demo_master_key()
            if master is None:
                raise CommandError("the vault is sealed in this process; unseal it (demo vaults unseal themselves)")
            vault.unseal_with_key(master)
        key = intake_key_ensure(actor=None, organisation=organisation)
        self.stdout.write(f"intake key of {organisation.name}: {bytes(key.public_key).hex()}")
