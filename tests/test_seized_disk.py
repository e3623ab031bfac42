"""A seized server must expose nobody.

The operator's path, end to end: `safepassage init` with shares, a real server (gunicorn, two
workers), unsealed by custodians from the shell; people imported from a spreadsheet with planted
unique values in every sealed column; an attachment, a case and a note; staff searching and reading
those people through the real pages; an encrypted backup. Then the server is sealed and stopped,
and every byte under the data directory (database with its WAL and journal, sealed files, logs,
backups) is scanned for each planted value in UTF-8, UTF-16 and base64. None may be there. On
PostgreSQL the database lives outside the data directory, so every row of every table is scanned too.
"""
import base64
import csv
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from safepassage.core.testing import free_port, http_status, run_cli, serve_start, serve_stop, wait_for

pytestmark = pytest.mark.e2e

SHARE = re.compile(r"Share \d of \d:\s+(SP1-[A-Z0-9-]+)")
TOTP_KEY = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"
PASSWORD = "seized disk test password"
TAG = uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))  # letters only: digits read as a phone
PLANTED = {
    "full_name": f"Zelimkhan Qvorixtan{TAG}",
    "other_names": f"Жёлудьхан{TAG}",
    "phone": f"+7 928 {uuid.uuid4().int % 10**7:07d}",
    "current_location": f"Planted Location Xyvrek{TAG}",
    "notes": f"planted note words Ubbfrol{TAG}",
    "case_summary": f"planted case summary Kwaxim{TAG}",
    "case_note": f"planted case note Drelvon{TAG}",
    "attachment": f"planted attachment bytes Smorqa{TAG}",
    "attachment_name": f"passport-Trivol{TAG}.txt",
    "contact_name": f"Planted Contact Vorshek{TAG}",
    "connection_details": f"planted connection details Glimbar{TAG}",
    "incident_notes": f"planted detention notes Oskrit{TAG}",
}

STAFF_SETUP = f"""
from safepassage.accounts.models import Organisation
from safepassage.core.testing import staff_member
staff_member(Organisation.objects.get(name="Seized NGO"), "lead", ["coordinator"], password={PASSWORD!r},
             totp_key={TOTP_KEY!r})
"""

CASEWORK = f"""
import sys
from safepassage.accounts.models import User
from safepassage.cases.services import case_add_note, case_open
from safepassage.core.management.commands._common import gather_master_key
from safepassage.people.models import Person
from safepassage.people.services import attachment_add
from safepassage.vault import services as vault
vault.unseal_with_key(gather_master_key())
lead = User.objects.get(username="lead")
person = Person.objects.get()
attachment_add(actor=lead, person=person, filename={PLANTED["attachment_name"]!r}, content_type="text/plain",
               content={PLANTED["attachment"]!r}.encode())
case = case_open(actor=lead, person=person, summary={PLANTED["case_summary"]!r}, risk_level="critical")
case_add_note(actor=lead, case=case, body={PLANTED["case_note"]!r})
# who they know, and then their detention: the graph and the incident it opens
from safepassage.exposure.services import connection_create, exposure_record
from safepassage.people.services import PersonData, person_create
contact = person_create(actor=lead, organisation=person.organisation,
                        data=PersonData(full_name={PLANTED["contact_name"]!r}))
case_open(actor=lead, person=contact, risk_level="low")
connection_create(actor=lead, person=person, other=contact, relationship="partner", person_knows=["name", "address"],
                  details={PLANTED["connection_details"]!r})
exposure_record(actor=lead, person=person, kind="detained", notes={PLANTED["incident_notes"]!r})
print(person.pk, case.pk)
"""


def _run_python(env, code: str, stdin: str = "") -> str:
    script = "import django; django.setup()\n" + code
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            input=stdin, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _totp(key_hex: str) -> str:
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


def _encodings(value: str) -> dict[str, bytes]:
    """The forms a value could take on disk; base64 in each of its three alignments."""
    raw = value.encode()
    forms = {"utf-8": raw, "utf-16-le": value.encode("utf-16-le"), "utf-16-be": value.encode("utf-16-be")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms[f"base64+{shift}"] = encoded[4 if shift else 0:-4]  # drop the edges that depend on neighbours
    return forms


def _scan(blobs: dict[str, bytes]) -> list[str]:
    found = []
    for label, value in PLANTED.items():
        for encoding, needle in _encodings(value).items():
            for where, blob in blobs.items():
                if needle in blob:
                    found.append(f"{label} ({encoding}) in {where}")
    return found


def _data_dir_bytes(data_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}


def _postgres_rows(env) -> dict[str, bytes]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return {f"table {t}": "\n".join(repr(row) for row in conn.execute(f'SELECT * FROM "{t}"')).encode()
                + b"".join(bytes(v) for row in conn.execute(f'SELECT * FROM "{t}"') for v in row
                           if isinstance(v, (bytes, memoryview)))
                for t in tables}


class _Browser:
    """A cookie-keeping HTTP client that submits forms as a person would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def submit(self, path: str, fields: dict, form_page: str | None = None) -> str:
        page = form_page if form_page is not None else self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()


def test_nothing_planted_is_readable_from_a_sealed_and_stopped_servers_disk(make_cli_env, tmp_path):
    env = make_cli_env()
    env["SAFEPASSAGE_MEMBER_PASSWORD"] = PASSWORD
    # production settings but for Secure cookies, which plain HTTP on loopback would drop
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    data_dir = Path(env["SAFEPASSAGE_DATA_DIR"])
    shares = SHARE.findall(run_cli(env, "init", "--shares", "3", "--threshold", "2").stdout)
    two_shares = f"{shares[0]}\n{shares[2]}\n"
    run_cli(env, "createorg", "Seized NGO")
    _run_python(env, STAFF_SETUP)

    sheet = tmp_path / "people.csv"  # outside the data directory, as an organisation's spreadsheet is
    with open(sheet, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["full_name", "other_names", "date_of_birth", "gender", "phone", "current_location", "notes"])
        writer.writerow([PLANTED["full_name"], PLANTED["other_names"], "1991-04", "woman", PLANTED["phone"],
                         PLANTED["current_location"], PLANTED["notes"]])
    assert "1 imported" in run_cli(env, "import", "people", str(sheet), "--org", "Seized NGO", stdin=two_shares).stdout
    person_id, case_id = _run_python(env, CASEWORK, stdin=two_shares).split()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve_start(env, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", log=tmp_path / "serve.out")
    try:
        wait_for(lambda: http_status(f"{base}/health") == 200, log=tmp_path / "serve.out")
        run_cli(env, "unseal", stdin=two_shares)
        staff = _Browser(base)
        otp_page = staff.submit("/accounts/login/", {"username": "lead", "password": PASSWORD})
        staff.submit("/accounts/otp/", {"token": _totp(TOTP_KEY)}, form_page=otp_page)
        found = staff.submit("/cases/", {"q": PLANTED["full_name"].split()[1]})
        assert PLANTED["full_name"] in found  # the staff really saw the planted values through the server
        assert PLANTED["case_note"] in staff.get(f"/cases/{case_id}/")
        assert PLANTED["notes"] in staff.get(f"/people/{person_id}/")
        assert PLANTED["connection_details"] in staff.get(f"/exposure/people/{person_id}/")
        assert http_status(f"{base}/people/{person_id}/?q={urllib.parse.quote(PLANTED['full_name'])}") in (302, 200)
        run_cli(env, "export", stdin=two_shares)
        assert "Sealed" in run_cli(env, "seal").stdout
        assert http_status(f"{base}/cases/") in (302, 503)
    finally:
        serve_stop(server)

    blobs = _data_dir_bytes(data_dir)
    assert any(name.startswith("backups/") for name in blobs), "the backup was not written"
    assert any(name.startswith("files/") for name in blobs), "the attachment was not stored"
    assert any("access.log" in name for name in blobs), "the server's log was not written"
    if env.get("DATABASE_URL", "").startswith("postgres"):
        blobs.update(_postgres_rows(env))
    # the scan can see: names that are meant to be in the clear are found
    assert any(b"Seized NGO" in blob for blob in blobs.values())
    assert _scan(blobs) == []
