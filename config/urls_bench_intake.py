"""The staff URLconf plus a bare view, for bench/intake.py: same server, same middleware."""
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler403, handler404, urlpatterns as _staff  # noqa: F401


@csrf_exempt
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


# Under /help/ so it passes the same gates as the intake (open while sealed, no session).
urlpatterns = [path("help/bench-bare/", bare), *_staff]
