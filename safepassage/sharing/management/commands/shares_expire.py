from django.core.management.base import BaseCommand

from safepassage.sharing.services import shares_expire


class Command(BaseCommand):
    help = "Destroy the keys of case shares past their end date (run daily; access stops at the date anyway)."

    def handle(self, *args, **options):
        count = shares_expire()
        self.stdout.write(f"{count} expired share(s) shredded")
