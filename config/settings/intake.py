"""The intake-only server (`safepassage serve --intake-only`): /help/ and its stylesheet, nothing else.

An organisation can expose just this process (for example as a Tor onion service) and keep the
staff site off the internet. It never holds the master key: it seals what visitors send with the
organisation's intake public key, and staff read it on the staff server. Production only tightens.
"""
from .prod import *  # noqa: F401,F403
from .prod import data_path

ROOT_URLCONF = "config.urls_intake"

# No sessions, logins, CSRF cookies or flash messages: the public pages need none of them.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.i18n"]},
    },
]

# Its own control socket, so it never takes over the staff server's (and nobody unseals it).
CONTROL_SOCKET = data_path("run", "intake-control.sock")
PERIODIC_TICK_SECONDS = 0  # the intake holds no keys: nothing periodic to do
