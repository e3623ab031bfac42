"""`safepassage serve`: gunicorn (sync workers) with the control socket, starting sealed.

The server process is gunicorn's master: it creates the shared key mapping and serves the control
socket before forking (see config/gunicorn.conf.py). Nothing here holds a database connection when
the workers fork. With --demo, once the server answers, the DEMO key is loaded through the control
socket, exactly as `safepassage unseal` would load a real one.
"""
from __future__ import annotations

import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from safepassage.vault import control
from safepassage.vault import services as vault

CONF = Path(__import__("config").__file__).resolve().parent / "gunicorn.conf.py"


def _url(bind: str) -> str:
    host, _, port = bind.rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def demo_banner(url: str) -> str:
    from safepassage.core import demo

    rule = "#" * 76
    logins = "\n".join(f"#     {username:<14} {', '.join(roles)}" for username, roles, _key in demo.DEMO_STAFF)
    return (f"\n{rule}\n"
            "#  DEMO - UNSEALED WITH THE DEMO KEY (stored in the clear: never use it for real data)\n"
            f"#  Every person here is FICTIONAL ({demo.DEMO_ORG}).\n#\n"
            f"#  Open {url}\n#\n"
            f"#  Log in as one of these, password: {demo.DEMO_PASSWORD}\n"
            f"{logins}\n"
            "#  The one-time-code page shows the current demo code (demo accounts only).\n"
            "#  Stop with Ctrl-C.\n"
            f"{rule}\n")


def _wait_then_announce(*, bind: str, demo_key: bytes | None, out, timeout: float = 60.0) -> None:
    """Wait until the workers answer, then (demo) load the key through the control socket and say so."""
    url = _url(bind)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        out.write("The server did not answer within a minute; see the server log.\n")
        return
    if demo_key is not None:
        reply = control.send(settings.CONTROL_SOCKET, "load", key=demo_key)
        if not reply.get("ok"):
            out.write("Could not load the demo key into the server.\n")
            return
        out.write(demo_banner(url))
    else:
        out.write(f"safepassage is serving on {url}. It is SEALED: custodians run `safepassage unseal` "
                  "(or use the unseal page after logging in).\n")
    out.flush()


def _serious_problems() -> list:
    """System checks, deployment ones included (vault.E001 refuses a demo vault in production)."""
    return [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]


class Command(BaseCommand):
    help = "Serve the staff site with gunicorn. Starts sealed; `safepassage unseal` loads the key."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--demo", action="store_true",
                            help="unseal with the DEMO key once started (demo data directories only)")

    def handle(self, *args, bind, workers, demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        problems = _serious_problems()
        if problems:
            raise CommandError("Refusing to serve:\n" + "\n".join(f"  {p.id}: {p.msg} {p.hint or ''}"
                                                                 for p in problems))
        demo_key = None
        if demo:
            demo_key = vault.demo_master_key()
            if demo_key is None:
                raise CommandError("--demo needs a demo data directory (`safepassage demo` creates one).")
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the workers must not inherit an open database connection

        from gunicorn.app.base import Application

        class Server(Application):
            def load_config(self):
                self.load_config_from_file(str(CONF))
                self.cfg.set("bind", [bind])
                self.cfg.set("workers", workers)

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        self.stdout.write(f"Starting safepassage on {_url(bind)} with {workers} workers "
                          f"(logs in {settings.LOG_DIR}).\n")
        self.stdout.flush()
        threading.Thread(target=_wait_then_announce, kwargs={"bind": bind, "demo_key": demo_key,
                                                            "out": self.stdout}, daemon=True).start()
        sys.argv = [sys.argv[0]]  # gunicorn must not read our own options as its own
        try:
            Server().run()
        except SystemExit as exc:
            if exc.code not in (None, 0):
                log = Path(settings.LOG_DIR) / "server.log"
                tail = log.read_text(errors="replace").splitlines()[-8:] if log.exists() else []
                self.stderr.write("The server stopped with an error. Last lines of the server log:\n"
                                  + "\n".join(tail) + "\n")
            raise
