"""`safepassage createmember USERNAME --org NAME --roles admin,custodian`."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import member_create
from safepassage.policy.roles import ROLES

from ._common import read_new_secret


class Command(BaseCommand):
    help = ("Create a staff account. The password is typed twice (or read from SAFEPASSAGE_MEMBER_PASSWORD); "
            "the member sets up their authenticator app at first login.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="the organisation's name")
        parser.add_argument("--roles", required=True, help=f"comma-separated: {', '.join(ROLES)}")

    def handle(self, *args, username, org, roles, **options):
        organisation = Organisation.objects.filter(name=org).first()
        if organisation is None:
            raise CommandError(f"no organisation is called {org!r} (create it with `safepassage createorg`)")
        role_list = [r.strip() for r in roles.split(",") if r.strip()]
        unknown = sorted(set(role_list) - set(ROLES))
        if unknown or not role_list:
            raise CommandError(f"unknown roles: {', '.join(unknown) or '(none given)'}; choose from {', '.join(ROLES)}")
        password = read_new_secret(f"Password for {username} (at least 12 characters): ",
                                   env="SAFEPASSAGE_MEMBER_PASSWORD", min_length=12)
        try:
            member_create(actor=None, organisation=organisation, username=username, password=password,
                          roles=role_list)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except IntegrityError:
            raise CommandError(f"the username {username!r} is taken") from None
        self.stdout.write(f"Member {username!r} created in {organisation.name!r} with roles {', '.join(role_list)}.\n"
                          "At first login they scan a QR code with an authenticator app.\n")
