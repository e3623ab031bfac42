"""The real server: gunicorn with two workers, unsealed and sealed from the shell (loopback only)."""
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path


from safepassage.core.testing import free_port, http_status, run_cli, serve_start, serve_stop, wait_for

SHARE = re.compile(r"Share \d of \d:\s+(SP1-[A-Z0-9-]+)")


def _statuses(url: str, count: int = 30) -> set[int]:
    with ThreadPoolExecutor(max_workers=4) as pool:  # concurrent, so both workers answer
        return set(pool.map(lambda _: http_status(url), range(count)))


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def test_a_seal_from_the_shell_drops_the_key_from_every_worker(cli_env, tmp_path):
    shares = SHARE.findall(run_cli(cli_env, "init", "--shares", "3", "--threshold", "2").stdout)
    assert len(shares) == 3
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve_start(cli_env, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", log=tmp_path / "serve.out")
    try:
        wait_for(lambda: http_status(f"{base}/health") == 200 and len(_workers(proc.pid)) == 2,
                  log=tmp_path / "serve.out")
        assert _statuses(f"{base}/cases/") == {503}  # it starts sealed

        result = run_cli(cli_env, "unseal", stdin=f"{shares[2]}\n{shares[0]}\n")
        assert "Unsealed" in result.stdout
        assert "SP1-" not in result.stdout + result.stderr  # shares are never echoed
        assert _statuses(f"{base}/cases/") == {302}  # every worker reads the key: on to the login page
        assert "UNSEALED" in run_cli(cli_env, "status").stdout

        assert "Sealed" in run_cli(cli_env, "seal").stdout
        assert _statuses(f"{base}/cases/") == {503}  # and every worker lost it at once
        assert "running, sealed" in run_cli(cli_env, "status").stdout

        http_status(f"{base}/accounts/login/?next=/people/secret-query")
    finally:
        serve_stop(proc)
    access = (Path(cli_env["SAFEPASSAGE_DATA_DIR"]) / "logs" / "access.log").read_text()
    assert '"GET /accounts/login/" 200' in access
    assert "127.0.0.1" not in access and "secret-query" not in access and "Python-urllib" not in access
    assert (Path(cli_env["SAFEPASSAGE_DATA_DIR"]) / "logs" / "server.log").exists()


def test_the_demo_serves_unsealed_and_its_logins_work(cli_env, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.out"
    proc = serve_start(cli_env, "demo", "--serve", "--people", "8", "--bind", f"127.0.0.1:{port}", log=log)
    try:
        wait_for(lambda: "Stop with Ctrl-C" in log.read_text(), timeout=120, what="the demo", log=log)
        banner = log.read_text()
        assert "FICTIONAL" in banner and "demo-password-not-secret" in banner and "coordinator" in banner

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        def post(path, page, fields):
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
            with opener.open(f"{base}{path}", data=data, timeout=10) as response:
                return response.geturl(), response.read().decode()

        with opener.open(f"{base}/accounts/login/", timeout=10) as response:
            login_page = response.read().decode()
        url, otp_page = post("/accounts/login/", login_page,
                             {"username": "coordinator", "password": "demo-password-not-secret"})
        assert "/accounts/otp/" in url
        code = re.search(r"current code is (\d{6})", otp_page).group(1)
        url, cases_page = post(urllib.parse.urlparse(url).path, otp_page, {"token": code})
        assert urllib.parse.urlparse(url).path == "/cases/"
        assert "DEMO-" in cases_page  # the demo organisation's case references
    finally:
        serve_stop(proc)
