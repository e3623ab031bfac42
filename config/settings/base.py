"""Settings shared by every environment. Production only tightens these.

Everything that holds state lives under one data directory (SAFEPASSAGE_DATA_DIR, default ./var):
database, sealed files, logs, backups, the control socket. Secrets come from the environment
or from the vault, never from this file.
"""
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("SAFEPASSAGE_DATA_DIR", BASE_DIR / "var")).resolve()


def data_path(*parts: str) -> Path:
    """A path inside the data directory; its parent folder is created (owner-only)."""
    path = DATA_DIR.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random one kept (0600) in the data directory.

    It signs sessions and CSRF tokens only; no person data depends on it.
    """
    if os.environ.get("SAFEPASSAGE_SECRET_KEY"):
        return os.environ["SAFEPASSAGE_SECRET_KEY"]
    path = data_path("secret_key")
    if not path.exists():
        import secrets

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SAFEPASSAGE_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SAFEPASSAGE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
DEMO_MODE = os.environ.get("SAFEPASSAGE_DEMO") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "safepassage.core",
    "safepassage.vault",
    "safepassage.audit",
    "safepassage.accounts",
    "safepassage.people",
    "safepassage.cases",
    "safepassage.tasks",
    "safepassage.verification",
    "safepassage.retention",
    "safepassage.intake",
    "safepassage.matching",
    "safepassage.testimonies",
    "safepassage.reports",
    "safepassage.safehouses",
    "safepassage.travel",
    "safepassage.referrals",
    "safepassage.settlement",
    "safepassage.exposure",
    "safepassage.sharing",
    "rest_framework",
    "drf_spectacular",
    "safepassage.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safepassage.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safepassage.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "safepassage.core.middleware.SealedMiddleware",
    "safepassage.core.middleware.DomainErrorMiddleware",
    "safepassage.accounts.middleware.RequireSecondFactorMiddleware",
    "safepassage.accounts.middleware.BulkViewAlarmMiddleware",
    "safepassage.reports.middleware.ReportingFenceMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safepassage.core.context_processors.safepassage",
            ],
        },
    },
]

# SQLite by default, in the data directory; DATABASE_URL switches to PostgreSQL.
_sqlite_path = data_path("db", "safepassage.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_sqlite_path}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite, with writers queued on a file lock rather than SQLite's sleeping busy handler
    DATABASES["default"]["ENGINE"] = "safepassage.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 600  # sync workers keep their connection
    DATABASES["default"]["OPTIONS"] = {
        # Immediate transactions serialise writers, so the audit chain never forks.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete zeroes freed pages, so a shredded data key leaves no bytes behind.
        "init_command": "PRAGMA secure_delete=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # the password or the duress password, with the same work either way (accounts/backends.py)
    "safepassage.accounts.backends.PasswordOrDuressBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:list"

# Sessions: server-side rows holding ids only; idle sessions die.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SAFEPASSAGE_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True  # the idle clock restarts on every request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# Flash messages live in a signed cookie, never in the database; they never carry names anyway.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Lockout: 5 failures lock the username+client pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False  # no addresses kept for successful logins
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "safepassage"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "safepassage" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = data_path("static", ".keep").parent
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
SEALED_FILES_DIR = data_path("files", ".keep").parent
BACKUP_DIR = data_path("backups", ".keep").parent
LOG_DIR = data_path("logs", ".keep").parent
CONTROL_SOCKET = data_path("run", "control.sock")

SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: browsers send "Origin: null" on POSTs under no-referrer, which CSRF
# protection must refuse; other sites still get no referrer at all.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "script-src": ["'none'"],
    }
}

# Logs name events, never people: no request bodies, no query strings (see gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(data_path("logs", "safepassage.log")),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "formatter": "plain",
        },
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["file", "console"], "level": "INFO"},
    "loggers": {
        # django.request logs the path of failing requests; django.security the reason only.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Public reports: cells with fewer contributors than this are suppressed (fixed per deployment).
REPORT_MIN_CELL = int(os.environ.get("SAFEPASSAGE_REPORT_MIN_CELL", 5))
TESTIMONY_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# How often each worker of the staff server looks for periodic work to do (safepassage.core.periodic:
# missed travel check-ins, expired shares); 0 switches it off (then run the management commands from cron).
PERIODIC_TICK_SECONDS = float(os.environ.get("SAFEPASSAGE_PERIODIC_TICK_SECONDS", 30))

# How many sealed people/cases a page shows.
PAGE_SIZE = 50
# Retention and vault tuning a deployment may change.
VAULT_DATA_KEY_CACHE = 4096

# The REST API: JSON only (no browsable pages: they need scripts), tokens or a verified session, the
# same policy as the pages, the bulk-view alarm on every call. See safepassage/api/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safepassage.api.authentication.TokenAuthentication",
        "safepassage.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "safepassage.api.permissions.ActiveMember",
        "safepassage.api.permissions.UnsealedVault",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["safepassage.api.throttling.BulkViewThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "safepassage.api.exceptions.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "safepassage API",
    "DESCRIPTION": "People, cases, moves, tasks, referral packets, reports and shares, under the same policy as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SERVE_PERMISSIONS": ["safepassage.api.permissions.ActiveMember"],
    "AUTHENTICATION_WHITELIST": ["safepassage.api.authentication.TokenAuthentication"],
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": "safepassage.cases.models.Case.STATUS_CHOICES"},
}
