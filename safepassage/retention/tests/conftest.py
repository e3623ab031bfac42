"""The workflow hooks fixture, shared with the case tests."""
from safepassage.cases.tests.conftest import workflow_hooks  # noqa: F401
