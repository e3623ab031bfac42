"""Error pages that say what happened in the visitor's language and leak nothing."""
from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "core/error.html", {"code": 404}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"code": 403}, status=403)
