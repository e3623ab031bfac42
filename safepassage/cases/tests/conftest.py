import pytest

from safepassage.cases import workflow

OURS = ("safepassage.cases", "safepassage.verification", "safepassage.tasks")


def _ours(fn) -> bool:
    return getattr(fn, "__module__", "").startswith(OURS)


@pytest.fixture(autouse=True)
def workflow_hooks():
    """The workflow's own hooks only: other apps' guards, effects and fields are tested by those apps.

    Whatever a test registers is dropped afterwards."""
    saved = {name: {k: list(v) for k, v in getattr(workflow, name).items()} for name in ("_guards", "_effects", "_fields")}
    for status in list(workflow._guards):
        workflow._guards[status] = [g for g in workflow._guards[status] if _ours(g.fn)]
    for status in list(workflow._effects):
        workflow._effects[status] = [e for e in workflow._effects[status] if _ours(e)]
    workflow._fields.clear()
    yield workflow
    for name, value in saved.items():
        registry = getattr(workflow, name)
        registry.clear()
        registry.update(value)
