"""The intake-only server answers /help/ and nothing of the staff side."""
import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _intake_only():
    import importlib

    settings = importlib.import_module("config.settings.intake")
    return override_settings(ROOT_URLCONF=settings.ROOT_URLCONF, MIDDLEWARE=settings.MIDDLEWARE,
                             TEMPLATES=settings.TEMPLATES)


def test_the_intake_only_server_serves_help_and_no_staff_page(visitor, intake_key):
    with _intake_only():
        assert visitor.get("/help/?lang=ru").status_code == 200
        for path in ("/accounts/login/", "/cases/", "/intake/", "/vault/"):
            assert visitor.get(path).status_code == 404
        response = visitor.post("/help/", {"lang": "en", "what": "help"})
        assert response.status_code == 200 and not response.cookies
