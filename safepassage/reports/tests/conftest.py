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


def pytest_collection_modifyitems(session, config, items):
    """The browser test of reports runs after the rest of the suite: a transactional test empties the
    database when it ends, rows loaded by data migrations (vocabularies, programmes) included, and
    later browser tests elsewhere rely on those rows."""
    ours = [item for item in items if item.nodeid.startswith("safepassage/reports/tests/test_e2e_report.py")]
    if ours:
        items[:] = [item for item in items if item not in ours] + ours
