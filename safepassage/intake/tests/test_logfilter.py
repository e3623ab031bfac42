"""Addresses are scrubbed from log lines; times and paths are not."""
import logging

from safepassage.intake.logfilter import LOGGERS, NoClientAddresses


def _filtered(message, *args):
    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, args, None)
    NoClientAddresses().filter(record)
    return record.getMessage()


def test_ipv4_and_ipv6_addresses_become_a_placeholder():
    assert _filtered("Invalid request from ip=%s: bad", "203.0.113.9") == "Invalid request from ip=[address]: bad"
    assert _filtered("peer 2001:db8::1 and ::1 and fe80::a:b%s", "") == "peer [address] and [address] and [address]"


def test_times_paths_and_sizes_are_left_alone():
    line = '[23/Nov/2026:18:26:54 +0000] "POST /help/" 200 5120 12ms v1.2.3'
    assert _filtered(line) == line


def test_the_filter_is_installed_on_the_servers_loggers():
    for name in LOGGERS:
        assert any(isinstance(f, NoClientAddresses) for f in logging.getLogger(name).filters)
