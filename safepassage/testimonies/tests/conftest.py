import pytest


@pytest.fixture(autouse=True)
def shipped_terms(db):
    """The shipped vocabularies (a migration loads them; a flushed database after a browser test
    has lost them)."""
    from safepassage.testimonies.services import terms_sync

    terms_sync()


@pytest.fixture
def researcher(org, unsealed_vault):
    from safepassage.core.testing import staff_member

    return staff_member(org, "researcher", ["researcher"])
