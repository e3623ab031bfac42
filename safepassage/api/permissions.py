"""What every API call needs before any view runs: an unsealed vault and an active member."""
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from safepassage.policy.rules import membership
from safepassage.vault import services as vault


class VaultSealedError(exceptions.APIException):
    status_code = 503
    default_detail = _("The vault is sealed: nothing can be read or written until custodians unseal it.")
    default_code = "vault_sealed"


class UnsealedVault(permissions.BasePermission):
    def has_permission(self, request, view):
        if not vault.is_unsealed():
            raise VaultSealedError()
        return True


class ActiveMember(permissions.BasePermission):
    message = _("Only an active member of an organisation may use the API.")

    def has_permission(self, request, view):
        return membership(request.user) is not None
