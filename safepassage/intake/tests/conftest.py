"""Fixtures for the intake: an organisation with an intake key, an intake worker, clean limits."""
import pytest

from safepassage.core.testing import staff_member
from safepassage.intake import ratelimit
from safepassage.intake.services import forget_public_key, intake_key_ensure

FORM = {
    "lang": "ru",
    "what": "Меня ищут родственники, нужна помощь",
    "urgency": "now",
    "region": "Грозный",
    "contact_mode": "other",
    "contact": "Signal, только вечером",
    "language": "ru",
    "name": "Аня",
}


@pytest.fixture(autouse=True)
def fresh_limits():
    """Every test starts with empty flood counters and no remembered intake key."""
    ratelimit.limiter.reset()
    forget_public_key()
    yield
    ratelimit.limiter.reset()
    forget_public_key()


@pytest.fixture
def intake_key(org, unsealed_vault):
    return intake_key_ensure(actor=None, organisation=org)


@pytest.fixture
def intake_worker(org, unsealed_vault):
    return staff_member(org, "intake1", ["intake"])


@pytest.fixture
def visitor():
    """A browser with no cookies, as a visitor's would be."""
    from django.test import Client

    return Client()


def codename_from(response) -> str:
    """The codename as the page shows it (the text of the highlighted line)."""
    import re

    html = response.content.decode()
    match = re.search(r'<p class="codename"[^>]*><strong>([^<]+)</strong>', html)
    assert match, "the page shows no codename"
    return match.group(1)
