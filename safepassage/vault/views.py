"""The unseal page and the panic seal. Custodians type shares; admins can seal at once."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, require

from . import services
from .errors import InvalidShare, VaultNotInitialised
from .models import VaultState


class ShareForm(forms.Form):
    secret = forms.CharField(label=gettext_lazy("Your share (or the passphrase)"), strip=True,
                             widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}))


@login_required
def unseal_view(request):
    state = services.state()
    may_unseal = can(request.user, "vault.unseal")
    form = ShareForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "vault.unseal")
        if form.is_valid() and state is not None:
            secret = form.cleaned_data["secret"]
            try:
                if state.mode == VaultState.MODE_PASSPHRASE:
                    if not services.unseal_with_passphrase(secret):
                        raise InvalidShare(_("That passphrase does not open this vault."))
                    unsealed = True
                else:
                    progress = services.unseal_with_share(secret)
                    unsealed = progress.unsealed
                    if not unsealed:
                        messages.success(request, _("Share accepted: %(n)s of %(k)s.") % {
                            "n": progress.accepted, "k": progress.threshold})
                audit_record(actor=request.user, action="vault.share" if not unsealed else "vault.unseal")
                if unsealed:
                    messages.success(request, _("The vault is unsealed."))
                    return redirect("cases:list")
                return redirect("vault:unseal")
            except (InvalidShare, VaultNotInitialised) as exc:
                form.add_error("secret", str(exc))
    return render(request, "vault/unseal.html", {
        "state": state, "form": form, "may_unseal": may_unseal,
        "accepted": services.pending_share_count(), "unsealed": services.is_unsealed(),
    }, status=200 if services.is_unsealed() else 503)


@login_required
@require_POST
def seal_view(request):
    """Panic seal: the key leaves every worker's memory now; the staff side shows only the unseal page."""
    require(request.user, "vault.seal")
    audit_record(actor=request.user, action="vault.seal")
    services.seal()
    return redirect("vault:unseal")
