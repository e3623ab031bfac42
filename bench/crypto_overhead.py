#!/usr/bin/env python
"""What sealing costs: the case list (50 cases, names decrypted) with encrypted vs plaintext fields.

Two gunicorn servers run side by side on loopback, from the same code and settings, each with its own
data directory holding the same generated people and cases: one real, one the plaintext twin
(bench/plain_wsgi.py: encryption replaced by the identity, no data keys fetched). A coordinator logs in
to each through the real login and TOTP pages; then the first page of /cases/ is fetched in
alternating rounds from both, and from a bare Django view (/health) as a floor. The figure is the
ratio of mean page times, encrypted / plaintext (goal <= 1.3).

    .venv/bin/python bench/crypto_overhead.py [--cases 2000] [--rounds 7] [--requests 40]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import http.cookiejar
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOTP_KEY = "3132333435363738393031323334353637383930"  # fixed bench key, hex
PASSWORD = "bench-password-not-secret"


def seed(data_dir: str, plain: bool, cases: int) -> None:
    """Runs in a child process: migrate, demo vault, an org, a coordinator, people with cases."""
    os.environ["SAFEPASSAGE_DATA_DIR"] = data_dir
    # dev settings: the same as production but for cookies marked Secure, which plain HTTP on loopback drops
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()
    if plain:
        from bench.plain_wsgi import make_plaintext

        make_plaintext()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from faker import Faker

    from safepassage.accounts.services import organisation_create
    from safepassage.cases.services import case_open
    from safepassage.core.testing import staff_member
    from safepassage.people.services import PersonData, person_create
    from safepassage.vault import services as vault

    vault.initialise(mode="demo")
    org = organisation_create(name="Bench NGO")
    coordinator = staff_member(org, "bench", ["coordinator"], password=PASSWORD, totp_key=TOTP_KEY)
    fake = Faker("ru_RU")
    Faker.seed(7)
    risks = ["critical", "high", "medium", "low"]
    for i in range(cases):
        person = person_create(actor=coordinator, organisation=org, audit=False, data=PersonData(
            full_name=fake.name(), other_names=[fake.first_name()], date_of_birth=str(1970 + i % 35),
            phones=[fake.phone_number()], current_location=fake.city(), notes=fake.text(200)))
        case_open(actor=coordinator, person=person, summary=fake.text(300), risk_level=risks[i % 4])
    print(json.dumps({"key": vault.demo_master_key().hex()}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(key_hex: str, at: float | None = None) -> str:
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


class Server:
    def __init__(self, name: str, data_dir: str, app: str):
        self.name, self.data_dir, self.port = name, data_dir, free_port()
        env = dict(os.environ, SAFEPASSAGE_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="config.settings.dev",
                   SAFEPASSAGE_BIND=f"127.0.0.1:{self.port}", SAFEPASSAGE_WORKERS="1",
                   PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"), app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.get("/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} server did not start")

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body

    def unseal(self, key_hex: str) -> None:
        sys.path.insert(0, str(ROOT))
        from safepassage.vault import control

        reply = control.send(Path(self.data_dir) / "run" / "control.sock", "load", key=bytes.fromhex(key_hex))
        if not reply.get("ok"):
            raise RuntimeError(f"could not unseal {self.name}: {reply}")

    def login(self) -> str:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.port}"

        def post(path, fields):
            page = opener.open(base + path).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
            request = urllib.request.Request(base + path, data=data, headers={"Referer": base + path})
            return opener.open(request)

        post("/accounts/login/", {"username": "bench", "password": PASSWORD})
        post("/accounts/otp/", {"token": totp(TOTP_KEY)})
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        status, body = self.get("/cases/", cookie)
        if status != 200 or body.count(b"<tr>") < 50:
            raise RuntimeError(f"{self.name}: the case list did not show 50 cases after login ({status})")
        return cookie

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def mean_time(server: Server, path: str, cookie: str, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        status, _body = server.get(path, cookie)
        if status != 200:
            raise RuntimeError(f"{server.name} {path} answered {status}")
    return (time.perf_counter() - start) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed, args.plain, args.cases)
        return 0

    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
            for name, plain, app in [("encrypted", False, "config.wsgi:application"),
                                     ("plaintext", True, "bench.plain_wsgi:application")]:
                data_dir = os.path.join(tmp, name)
                env = dict(os.environ, PYTHONPATH=str(ROOT))
                env.pop("DATABASE_URL", None)  # SQLite in each data directory: the two stay apart
                out = subprocess.run([sys.executable, __file__, "--seed", data_dir, "--cases", str(args.cases)]
                                     + (["--plain"] if plain else []), cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout
                key = json.loads(out.strip().splitlines()[-1])["key"]
                server = Server(name, data_dir, app)
                servers.append(server)
                server.unseal(key)
                time.sleep(31 if servers[0] is not server else 0)  # a TOTP code is good once per 30 s
            cookies = [s.login() for s in servers]
            times = {"encrypted": [], "plaintext": [], "bare": []}
            for _ in range(args.rounds):
                for server, cookie in zip(servers, cookies):
                    times[server.name].append(mean_time(server, "/cases/", cookie, args.requests))
                times["bare"].append(mean_time(servers[0], "/health", "", args.requests))
    except Exception as exc:  # could not measure: say why, exit non-zero
        print(f"crypto_overhead: could not measure: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            server.stop()

    enc = statistics.median(times["encrypted"]) * 1000
    plain = statistics.median(times["plaintext"]) * 1000
    bare = statistics.median(times["bare"]) * 1000
    ratio = enc / plain
    print(f"case list, 50 cases of {args.cases}: encrypted {enc:.2f} ms, plaintext {plain:.2f} ms, "
          f"bare Django view {bare:.2f} ms (median of {args.rounds} rounds x {args.requests} requests)")
    print(f"encrypted/plaintext ratio {ratio:.3f} (goal <= 1.3)")
    print(f"encrypted_ms={enc:.2f} plaintext_ms={plain:.2f} bare_ms={bare:.2f} ratio={ratio:.3f} cases={args.cases}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
