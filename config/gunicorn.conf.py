"""gunicorn for safepassage (`safepassage serve`): sync workers, logs that name no visitor.

The shared key mapping (safepassage.vault.keyholder) must exist before the workers are forked, so
the master imports it in ``on_starting`` and serves the control socket (unseal, seal, status) from
there; every worker runs a watcher that wipes its derived keys within a moment of a seal.

The access log keeps time, method, path, status, size and duration: no client address, no query
string, no referrer, no user agent.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from django.conf import settings  # noqa: E402

wsgi_app = "config.wsgi:application"
bind = os.environ.get("SAFEPASSAGE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SAFEPASSAGE_WORKERS", "2"))
worker_class = "sync"
timeout = 60
graceful_timeout = 10
max_requests = 0  # workers live until the server stops: no re-forking from the master mid-run
forwarded_allow_ips = "127.0.0.1"
proc_name = "safepassage"

accesslog = str(settings.LOG_DIR / "access.log")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = str(settings.LOG_DIR / "server.log")
loglevel = "info"
capture_output = False
control_socket_disable = True  # gunicorn's own; ours is served in on_starting


def on_starting(server):
    """In the master, before any fork: create the shared key mapping and serve the control socket."""
    import django

    from safepassage.vault import keyholder  # noqa: F401  (the anonymous shared mapping is created at import)

    django.setup()
    from safepassage.vault import control

    control.serve(settings.CONTROL_SOCKET)


def post_fork(server, worker):
    """In each worker: drop derived keys as soon as the shared mapping is sealed; run periodic jobs."""
    from safepassage.core import periodic
    from safepassage.vault import control

    control.start_watcher()
    periodic.start()
