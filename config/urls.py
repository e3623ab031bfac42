from django.urls import include, path
from django.views.generic import RedirectView

from safepassage.core.views import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list", permanent=False)),
    path("health", health, name="health"),
    path("accounts/", include("safepassage.accounts.urls")),
    path("vault/", include("safepassage.vault.urls")),
    path("people/", include("safepassage.people.urls")),
    path("cases/", include("safepassage.cases.urls")),
    path("work/", include("safepassage.tasks.urls")),
    path("verification/", include("safepassage.verification.urls")),
    path("retention/", include("safepassage.retention.urls")),
    path("testimonies/", include("safepassage.testimonies.urls")),
    path("reports/", include("safepassage.reports.urls")),
    path("matching/", include("safepassage.matching.urls")),
    path("safehouses/", include("safepassage.safehouses.urls")),
    path("travel/", include("safepassage.travel.urls")),
    path("referrals/", include("safepassage.referrals.urls")),
    path("settlement/", include("safepassage.settlement.urls")),
    path("exposure/", include("safepassage.exposure.urls")),
    path("sharing/", include("safepassage.sharing.urls")),
    path("api/", include("safepassage.api.urls")),
    path("help/", include("safepassage.intake.public.urls")),
    path("intake/", include("safepassage.intake.staff.urls")),
]
handler404 = "safepassage.core.errors.not_found"
handler403 = "safepassage.core.errors.forbidden"
