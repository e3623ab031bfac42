"""`safepassage demo [--serve]`: the clearly-labelled demo (fictional people, DEMO key), then serve it."""
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from safepassage.core import demo


class Command(BaseCommand):
    help = ("Migrate, load the DEMO organisations with fictional people and their journeys (once), and with "
            "--serve unseal with the DEMO key and serve on http://127.0.0.1:8000.")

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--people", type=int, default=demo.DEFAULT_PEOPLE,
                            help="fictional people in all: the cast followed through the journey, and a crowd "
                                 "at its early stages making up the rest")

    def handle(self, *args, serve, bind, workers, people, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = demo.demo_load(people=people, progress=self.stderr)
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if summary is None:
            self.stdout.write(f"The demo organisation {demo.DEMO_ORG!r} is already loaded.\n")
        else:
            self.stdout.write(f"Loaded {demo.DEMO_ORG!r} and {demo.DEMO_LIAISON_ORG!r}: {summary.people} fictional "
                              f"people, {summary.cases} cases, {summary.notes} notes, {summary.staff} staff, "
                              f"{summary.houses} safe houses, {summary.travel_plans} travel plans, "
                              f"{summary.referrals} referrals, {summary.testimonies} testimonies, "
                              f"{summary.help_requests} help requests; exposure incidents: "
                              f"{summary.exposure_incidents}.\n")
        if serve:
            call_command("serve", bind=bind, workers=workers, demo=True)
        else:
            self.stdout.write(f"Logins: {', '.join(u for u, _r, _k in demo.DEMO_STAFF)}; password "
                              f"{demo.DEMO_PASSWORD}. Serve with `safepassage demo --serve`.\n")
