"""Keep visitors' addresses out of the server's logs, whatever a library decides to log.

Threat: a seized server whose logs tie an address to a time — exactly what an adversary needs
to find who asked for help. The access log is already written without addresses (see
config/gunicorn.conf.py); this filter also covers messages that libraries write on their own,
such as gunicorn's "Invalid request from ip=…" warning for a malformed request.
"""
from __future__ import annotations

import logging
import re

_IPV4 = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"
_IPV6 = (r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
         r"|(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{0,4})(?![0-9A-Fa-f:])")
_ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")

# Loggers that may mention a client: the WSGI server's and Django's request and security loggers.
LOGGERS = ("gunicorn.error", "gunicorn.access", "django.request", "django.security", "django.server")


class NoClientAddresses(logging.Filter):
    """Replace anything that looks like an IP address in a record's message by "[address]"."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left to the logging module to report
            return True
        if _ADDRESS.search(message):
            record.msg, record.args = _ADDRESS.sub("[address]", message), ()
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoClientAddresses) for f in logger.filters):
            logger.addFilter(NoClientAddresses())
