"""The real server, as deployed: gunicorn with config/gunicorn.conf.py (its own logging), a fresh
data directory, a file database. It proves two things a seized machine must not give away:

- words planted in a request, a follow-up and a staff reply appear in no raw byte under the data
  directory (database and its write-ahead log, logs, sealed files), nor — on PostgreSQL — in the
  database server's files; the codename appears nowhere either;
- no client address, user agent or referrer is written to any log or table, even for a request
  the server rejects.
The server starts sealed, as a real one does: the intake works with the public key alone.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONF = ROOT / "config" / "gunicorn.conf.py"
VISITOR_ADDRESS = "127.0.0.77"
USER_AGENT = "Mozilla/5.0 (SeizedDiskProbe-7d1f)"
REFERRER = "https://referrer-probe-4c2a.example/page"

SETUP = """
from safepassage.accounts.services import organisation_create
from safepassage.core.testing import staff_member
from safepassage.intake.services import intake_key_ensure
from safepassage.vault import services as vault
vault.initialise(mode="demo")
org = organisation_create(name="Frontline")
intake_key_ensure(actor=None, organisation=org)
staff_member(org, "intake1", ["intake"])
"""

STAFF = """
import sys
from safepassage.accounts.models import User
from safepassage.intake import selectors, services
from safepassage.people.services import PersonData
from safepassage.vault import services as vault
vault.unseal_with_key(vault.demo_master_key())
worker = User.objects.get(username="intake1")
request = selectors.inbox(worker).page.object_list[0].request
services.help_request_reply(actor=worker, help_request=request, body=sys.argv[1])
services.help_request_convert(actor=worker, help_request=request, data=services.ConversionData(
    person=PersonData(full_name=sys.argv[2]), summary="see the first note", risk_level="high"))
print(request.case.reference if request.case else services.HelpRequest.objects.get(pk=request.pk).case.reference)
"""

DELIVER = """
from safepassage.accounts.models import User
from safepassage.intake import services
from safepassage.vault import services as vault
vault.unseal_with_key(vault.demo_master_key())
worker = User.objects.get(username="intake1")
print(services.followups_deliver(actor=worker, organisation=worker.membership.organisation))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def deployment(tmp_path):
    if not CONF.exists():
        pytest.skip("config/gunicorn.conf.py (the server's configuration) is not in this checkout")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEPASSAGE_"))}
    env.update(SAFEPASSAGE_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="config.settings.prod",
               SAFEPASSAGE_SECRET_KEY="real-server-test-" + uuid.uuid4().hex, PYTHONPATH=str(ROOT))
    database = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        database = f"test_safepassage_{os.environ.get('SAFEPASSAGE_TEST_DB', 'main')}_server"
        admin_url = os.environ["DATABASE_URL"]
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + database
    else:
        env.pop("DATABASE_URL", None)

    def manage(*args, stdin=None):
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, input=stdin, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput")
    manage("shell", "-c", SETUP)
    port = _free_port()
    env["SAFEPASSAGE_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONF)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the server did not start: " + server.stdout.read().decode()[-2000:])
    state = {"port": port, "manage": manage, "data": tmp_path / "data", "server": server, "env": env,
             "database": database}
    try:
        yield state
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        state["output"] = server.stdout.read().decode(errors="replace") if server.stdout else ""
        if database:
            import psycopg

            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _request(port, method, path, fields=None, raw=None):
    """From a distinctive loopback address, with a user agent and a referrer to look for later."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(VISITOR_ADDRESS, 0))
    try:
        if raw is not None:
            conn.connect()
            conn.sock.sendall(raw)
            return conn.sock.recv(65536).decode(errors="replace")
        body = urllib.parse.urlencode(fields or {})
        conn.request(method, path, body=body if method == "POST" else None, headers={
            "User-Agent": USER_AGENT, "Referer": REFERRER, "X-Forwarded-For": "198.51.100.23",
            "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return response.read().decode()
    finally:
        conn.close()


def _all_files(state) -> list[Path]:
    roots = [state["data"]]
    if state["database"]:
        import psycopg

        with psycopg.connect(state["env"]["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            roots.append(Path(conn.execute("SHOW data_directory").fetchone()[0]))
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("cp1251")]


def test_a_seized_disk_shows_no_planted_words_no_codename_and_no_visitor(deployment):
    port, manage = deployment["port"], deployment["manage"]
    tag = uuid.uuid4().hex[:10]
    planted = {"request": f"ПосадилиДруга{tag}", "followup": f"ЯсейчасВ{tag}", "reply": f"ВстречаУ{tag}",
               "name": f"Зарема{tag}"}

    _request(port, "GET", "/help/?lang=ru")
    html = _request(port, "POST", "/help/", {"lang": "ru", "what": f"Помогите {planted['request']}",
                                             "urgency": "now", "region": "Грозный", "name": planted["name"]})
    codename = re.search(r'<p class="codename"[^>]*><strong>([^<]+)</strong>', html).group(1)
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                           "import sys; sys.argv = ['x', %r, %r]\n" % (f"Ждём {planted['reply']}", planted["name"])
                           + STAFF], env=deployment["env"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    reference = done.stdout.strip().splitlines()[-1]
    html = _request(port, "POST", "/help/return/", {"lang": "ru", "codename": codename,
                                                    "text": f"Пишу {planted['followup']}"})
    assert planted["reply"] in html and "Ваше сообщение отправлено" in html
    assert manage("shell", "-c", DELIVER).strip().splitlines()[-1] == "1"  # the follow-up reached the case once unsealed
    _request(port, "GET", "/help/", raw=b"GARBAGE \x00\x01 NOT-HTTP\r\n\r\n")  # a request the server rejects

    files = _all_files(deployment)
    found_reference = False
    leaks = []
    needles = [(name, enc) for name, word in planted.items() for enc in _encodings(word)]
    needles += [("codename", " ".join(codename.split()).encode())]
    needles += [("visitor address", VISITOR_ADDRESS.encode()), ("forwarded address", b"198.51.100.23"),
                ("user agent", b"SeizedDiskProbe-7d1f"), ("referrer", b"referrer-probe-4c2a")]
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found_reference = found_reference or reference.encode() in data
        leaks += [f"{name} in {path}" for name, needle in needles if needle in data]
    assert found_reference, "the search did not reach the database's bytes"
    assert leaks == []
    logs = b"".join(p.read_bytes() for p in (deployment["data"] / "logs").glob("*"))
    assert b"POST /help/" in logs, "the access log was not written: the test would prove nothing"
    assert b"Invalid request from ip=[address]" in logs  # the rejected request was logged, without its address


KILLED_WORKER = """
import os
from django.conf import settings
from safepassage.intake.services import RequestPayload, help_request_submit
settings.INTAKE_SPOOL_DELAY = 3600  # its filer would wait an hour: the process dies first
request_id, _codename = help_request_submit(payload=RequestPayload(what="help", page_language="ru"))
print(request_id, flush=True)
os._exit(0)  # as a worker killed mid-flight: no exit handler, no filing
"""

NEXT_PROCESS = """
from safepassage.audit.models import AuditEvent
from safepassage.intake import spool
from safepassage.intake.models import HelpRequest
left = len(list(spool.directory().glob("*.spool")))
filed = spool.file_orphans()
print(left, filed, len(list(spool.directory().glob("*.spool"))), HelpRequest.objects.filter(pk=%r).count(),
      AuditEvent.objects.filter(action="intake.receive", target_id=%r).count())
"""


def test_a_worker_killed_before_filing_loses_no_request(deployment):
    manage = deployment["manage"]
    request_id = manage("shell", "-c", KILLED_WORKER).strip().splitlines()[-1]
    left, filed, remaining, rows, events = manage("shell", "-c", NEXT_PROCESS % (request_id, request_id)).split()[-5:]
    assert (left, filed, remaining, rows, events) == ("1", "1", "0", "1", "1")
