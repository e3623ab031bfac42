"""Domain failures as JSON: one shape (``{"detail": …, "code": …}``, field errors under ``errors``)."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from safepassage.cases.workflow import TransitionNotAllowed
from safepassage.policy.rules import NotAllowed
from safepassage.vault.errors import KeyShredded, VaultSealed

from .permissions import VaultSealedError


def _conflict_types():
    try:
        from safepassage.referrals.services import ReferralError
    except ImportError:  # pragma: no cover
        return (TransitionNotAllowed,)
    return (TransitionNotAllowed, ReferralError)


def handler(exc, context):
    if isinstance(exc, VaultSealed):
        exc = VaultSealedError()
    elif isinstance(exc, (KeyShredded, Http404)):
        exc = exceptions.NotFound()
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": "invalid", "code": "invalid", "errors": errors},
                        status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, _conflict_types()):
        return Response({"detail": str(exc), "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "invalid", "code": "invalid",
                         "errors": data if isinstance(data, dict) else {"non_field_errors": data}}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"]), "code": getattr(data["detail"], "code", "error")}
    return response
