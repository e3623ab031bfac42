"""Helpers for tests that run `safepassage` as the operator would: in a child process, on its own data."""
import os
import socket
import subprocess
import sys
import uuid

import dj_database_url
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_cli_env(tmp_path):
    """make_cli_env(name): environment for a child `safepassage` on an empty data directory (and its
    own PostgreSQL database when the suite runs on PostgreSQL)."""
    created = []
    url = os.environ.get("DATABASE_URL", "")
    conninfo = None
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        conninfo = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                        password=config["PASSWORD"] or None, dbname=config["NAME"])

    def make(name: str = "data") -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DJANGO_SETTINGS_MODULE", "SAFEPASSAGE_DEMO", "SAFEPASSAGE_PASSPHRASE",
                            "DJANGO_ALLOW_ASYNC_UNSAFE")}  # (set by the browser tests)
        env["SAFEPASSAGE_DATA_DIR"] = str(tmp_path / name)
        if conninfo:
            import psycopg

            database = f"sp_cli_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(**conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            created.append(database)
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
        return env

    yield make
    if conninfo:
        import psycopg

        with psycopg.connect(**conninfo, autocommit=True) as conn:
            for database in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def cli_env(make_cli_env):
    return make_cli_env()


def run_cli(env, *args, stdin: str = "", timeout: float = 120, check: bool = True):
    result = subprocess.run([sys.executable, "-m", "safepassage.cli", *args], env=env, input=stdin,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"safepassage {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result
