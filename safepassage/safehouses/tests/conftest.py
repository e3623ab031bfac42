import pytest

from safepassage.core.testing import staff_member
from safepassage.safehouses.services import safehouse_create

from .journey_helpers import verified_case


@pytest.fixture
def keeper(org, unsealed_vault):
    """A safe-house coordinator: houses and stays, never case content."""
    return staff_member(org, "keeper", ["safehouse"])


@pytest.fixture
def house(keeper):
    return safehouse_create(actor=keeper, codename="Birch", area="Moscow region", capacity=2,
                            address="ул. Ленина 5, кв. 12", contact="Анна +7 900 000 00 00",
                            rules="No phones near the windows.")


@pytest.fixture
def case(coordinator, caseworker, org):
    return verified_case(coordinator, org, assignees=[caseworker])
