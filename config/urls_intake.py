"""URLs of the intake-only server: the public help pages and a health check, nothing of staff."""
from django.urls import include, path
from django.views.generic import RedirectView

from safepassage.core.views import health

urlpatterns = [
    path("", RedirectView.as_view(url="/help/", permanent=False)),
    path("health", health, name="health"),
    path("help/", include("safepassage.intake.public.urls")),
]
handler404 = "safepassage.core.errors.not_found"
handler403 = "safepassage.core.errors.forbidden"
