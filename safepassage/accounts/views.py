from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.policy.rules import membership, require

from . import services
from .forms import LoginForm, MemberForm, TokenForm
from .models import Membership, StaffSession


def _next_url(request, default="cases:list"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return redirect(default).url


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if user is not None and membership(user) is not None:
            login(request, user)
            return redirect(f"{redirect('accounts:otp').url}?next={_next_url(request)}")
        form.add_error(None, _("The username or password is not right."))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
def otp_view(request):
    device = services.totp_device_for(request.user, confirmed=True)
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, _("Too many wrong codes. Wait a minute, then try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("token", _("That code is not right, or it has expired."))
    demo_code = _demo_code(device) if settings.DEMO_MODE and request.user.membership.organisation.is_demo else None
    return render(request, "accounts/otp.html", {"form": form, "demo_code": demo_code,
                                                 "next": request.GET.get("next", "")})


def _demo_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@login_required
def enrol_view(request):
    if services.totp_device_for(request.user, confirmed=True):
        return redirect("accounts:otp")
    device = services.totp_device_for(request.user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    import base64

    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(
        encoding="unicode")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/enrol.html", {"form": form, "qr_svg": svg,
                                                   "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def members_view(request):
    require(request.user, "member.manage")
    organisation = membership(request.user).organisation
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create(actor=request.user, organisation=organisation,
                                   username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                                   roles=form.cleaned_data["roles"])
            messages.success(request, _("Member added. They set up their authenticator at first login."))
            return redirect("accounts:members")
        except ValidationError as exc:
            form.add_error("password", exc)
        except Exception:
            form.add_error("username", _("That username is taken."))
    members = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username")
    return render(request, "accounts/members.html", {"members": members, "form": form})


@login_required
def member_sessions_view(request, user_id):
    require(request.user, "session.revoke")
    member = get_object_or_404(Membership, user_id=user_id, organisation=membership(request.user).organisation)
    if request.method == "POST":
        if "revoke_all" in request.POST:
            services.sessions_revoke_all(actor=request.user, user=member.user)
        else:
            session = StaffSession.objects.filter(pk=request.POST.get("session"), user=member.user).first()
            if session is None:
                raise Http404()
            services.session_revoke(actor=request.user, session=session)
        messages.success(request, _("Session revoked: it is logged out on its next request."))
        return redirect("accounts:member_sessions", user_id=user_id)
    sessions = StaffSession.objects.filter(user=member.user)[:50]
    return render(request, "accounts/sessions.html", {"member": member, "sessions": sessions})
