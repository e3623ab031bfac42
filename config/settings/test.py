"""Tests: base with fast argon2 parameters and a throwaway data directory."""
import os
import tempfile

os.environ.setdefault("SAFEPASSAGE_DATA_DIR", tempfile.mkdtemp(prefix="safepassage-test-"))

from .base import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["safepassage.accounts.hashers.FastArgon2PasswordHasher"]
AXES_ENABLED = True
INTAKE_SPOOL_DELAY = 0  # a request is filed before its page is sent: tests read it at once
LOGGING["root"]["handlers"] = ["file"]  # noqa: F405

# Parallel runs on one PostgreSQL server each get their own test database (SQLite tests run in memory).
if "sqlite" not in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": "test_safepassage_" + os.environ.get("SAFEPASSAGE_TEST_DB", "main")}  # noqa: F405
