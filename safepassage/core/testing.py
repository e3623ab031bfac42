"""Building blocks shared by the test suite and the demo seed: organisations, staff with TOTP."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts.services import member_create


def staff_member(organisation, username: str, roles: list[str], *, password: str = "correct horse battery staple",
                 totp_key: str | None = None):
    """A member with a confirmed TOTP device (key given as 40 hex digits, or random)."""
    user = member_create(actor=None, organisation=organisation, username=username, password=password,
                         roles=roles, validate=False)
    device = TOTPDevice(user=user, name="authenticator", confirmed=True)
    if totp_key:
        device.key = totp_key
    device.save()
    return user


def login_verified(client, user) -> None:
    """Log a test client in as `user` with the second factor already passed."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def current_totp(user) -> str:
    from django_otp.oath import TOTP

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def browser_login(page, base_url: str, user, password: str = "correct horse battery staple") -> None:
    """Log in through the real login and second-factor pages."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.fill("input[name=token]", current_totp(user))
    page.click("main button[type=submit]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(env, *args, stdin: str = "", timeout: float = 120, check: bool = True):
    result = subprocess.run([sys.executable, "-m", "safepassage.cli", *args], env=env, input=stdin,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"safepassage {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


# --- the real server, run as an operator would ---

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_status(url: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_for(predicate, timeout: float = 60.0, what: str = "the server", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.25)
    said = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} did not come up within {timeout}s\n{said}")


def serve_start(env, *args, log: Path) -> subprocess.Popen:
    out = open(log, "w")
    return subprocess.Popen([sys.executable, "-m", "safepassage.cli", *args], env=env, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def serve_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
