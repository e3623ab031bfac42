"""The same application with encryption replaced by the identity: the plaintext twin for benchmarks.

Used only by bench/crypto_overhead.py, never by a deployment: every sealed field is stored and read
as plaintext, and no data key is fetched or unwrapped. The pages, queries, policy checks and audit
writes are exactly those of the real application, so the difference measures what sealing costs.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def make_plaintext() -> None:
    from safepassage.vault import crypto, services

    crypto.seal = lambda key, plaintext, aad: b"\x01" + plaintext
    crypto.open_ = lambda key, blob, aad: bytes(blob)[1:]
    services._data_key = lambda key_id: b"\0" * 32
    services.preload_data_keys = lambda key_ids: None


make_plaintext()
