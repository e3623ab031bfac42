"""Submissions per second to /help/ through the real HTTP stack, versus a bare Django view.

Starts the real server (gunicorn with config/gunicorn.conf.py, 2 sync workers) on a free loopback
port with a fresh data directory and a file database, the vault initialised and sealed as a real
deployment starts; a load client on loopback posts the same Russian form to /help/ (sealed box,
codename, one row and its audit event) and to a bare view (`HttpResponse("ok")`, same middleware).

The machine may be shared, so load changes while the benchmark runs: the two are measured in
alternating rounds (bare then intake, then intake then bare, ...), each round's ratio taken from its
own two measurements, and the median ratio reported with the spread. Prints requests per second for
each and the ratio (goal >= 0.5); the last line is name=value pairs. After the server is stopped (as a
deployment stops it) it counts the requests and their audit events in the database: every visitor
given a codename must be there. Exits non-zero if it could not measure, or if one is missing.

    .venv/bin/python bench/intake.py [--requests 2000] [--rounds 6] [--threads 8]   (DATABASE_URL for PostgreSQL)
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "config" / "gunicorn.conf.py"
FORM = urllib.parse.urlencode({
    "lang": "ru", "urgency": "now", "region": "Грозный", "contact_mode": "here", "language": "ru", "name": "Аня",
    "what": "Родственники узнали обо мне и угрожают. Я не могу оставаться дома, у меня нет загранпаспорта. " * 3,
}).encode()
SETUP = """
from safepassage.accounts.services import organisation_create
from safepassage.intake.services import intake_key_ensure
from safepassage.vault import services as vault
vault.initialise(mode="demo")
intake_key_ensure(actor=None, organisation=organisation_create(name="Bench NGO"))
vault.seal()
"""
COUNT = """
from safepassage.audit.models import AuditEvent
from safepassage.intake.models import HelpRequest
print(HelpRequest.objects.count(), AuditEvent.objects.filter(action="intake.receive").count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=FORM, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def measure(port: int, path: str, requests: int, threads: int) -> tuple[float, int]:
    """(requests per second, failures) for `requests` POSTs spread over `threads` clients."""
    failures = [0]
    lock = threading.Lock()
    per_thread = [requests // threads + (1 if i < requests % threads else 0) for i in range(threads)]

    def run(count):
        for _ in range(count):
            try:
                ok = post(port, path) == 200
            except OSError:
                ok = False
            if not ok:
                with lock:
                    failures[0] += 1

    workers = [threading.Thread(target=run, args=(n,)) for n in per_thread]
    start = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return requests / (time.perf_counter() - start), failures[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per path, over all rounds")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="safepassage-bench-intake-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEPASSAGE_"))}
    env.update(SAFEPASSAGE_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="config.settings.bench_intake",
               SAFEPASSAGE_SECRET_KEY="bench-" + uuid.uuid4().hex, PYTHONPATH=str(ROOT),
               SAFEPASSAGE_WORKERS=str(args.workers))
    database, admin_url = None, os.environ.get("DATABASE_URL", "")
    if admin_url.startswith("postgres"):
        import psycopg

        database = f"bench_intake_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + database

    def manage(*argv):
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *argv], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise SystemExit(f"manage.py {argv[0]} failed:\n{done.stderr[-2000:]}")

    def stop(server):
        """SIGTERM, as a deployment stops it: workers file what they spooled before they exit."""
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    server = None
    try:
        manage("migrate", "--noinput")
        manage("shell", "-c", SETUP)
        port = free_port()
        env["SAFEPASSAGE_BIND"] = f"127.0.0.1:{port}"
        command = ([sys.executable, "-m", "gunicorn", "-c", str(CONF)] if CONF.exists() else
                   [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", env["SAFEPASSAGE_BIND"],
                    "config.wsgi:application"])
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(data / "bench-server.err", "wb"),
                                  start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                if post(port, "/help/bench-bare/") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                print("the server did not answer", file=sys.stderr)
                return 1
            time.sleep(0.2)
        failures = {"/help/bench-bare/": 0, "/help/": 0}
        sent = {"/help/bench-bare/": 1, "/help/": 0}
        for path in ("/help/bench-bare/", "/help/"):  # warm up both (templates, connections, caches)
            failures[path] += measure(port, path, 100, args.threads)[1]
            sent[path] += 100
        per_round = max(args.threads, args.requests // args.rounds)
        bares, intakes, ratios = [], [], []
        for i in range(args.rounds):
            order = ("/help/bench-bare/", "/help/") if i % 2 == 0 else ("/help/", "/help/bench-bare/")
            rates = {}
            for path in order:
                rates[path], failed = measure(port, path, per_round, args.threads)
                failures[path] += failed
                sent[path] += per_round
            bares.append(rates["/help/bench-bare/"])
            intakes.append(rates["/help/"])
            ratios.append(rates["/help/"] / rates["/help/bench-bare/"])
        stop(server)
        # every submission answered with a codename must be in the database, with its audit event
        accepted = sent["/help/"] - failures["/help/"]
        counted = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", COUNT], env=env, cwd=ROOT,
                                 capture_output=True, text=True, timeout=300)
        filed = ([int(n) for n in counted.stdout.strip().splitlines()[-1].split()] if counted.returncode == 0
                 else [-1, -1])
        bare, intake, ratio = statistics.median(bares), statistics.median(intakes), statistics.median(ratios)
        db = "postgresql" if database else "sqlite"
        print(f"bare view:      {bare:8.1f} requests/s (median of {args.rounds} rounds: "
              f"{', '.join(f'{r:.0f}' for r in bares)})")
        print(f"intake submit:  {intake:8.1f} submissions/s ({', '.join(f'{r:.0f}' for r in intakes)})")
        print(f"ratio:          {ratio:8.2f} (goal >= 0.5; per round {min(ratios):.2f}..{max(ratios):.2f})")
        print(f"filed:          {filed[0]} requests, {filed[1]} audit events for {accepted} codenames given")
        print(f"intake_rps={intake:.1f} bare_rps={bare:.1f} ratio={ratio:.2f} ratio_min={min(ratios):.2f} "
              f"ratio_max={max(ratios):.2f} requests={per_round * args.rounds} rounds={args.rounds} "
              f"threads={args.threads} workers={args.workers} db={db} failures={sum(failures.values())} "
              f"accepted={accepted} filed={filed[0]}")
        return 0 if not sum(failures.values()) and intake > 0 and filed == [accepted, accepted] else 1
    finally:
        stop(server)
        if database:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
