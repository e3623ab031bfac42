from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.policy.rules import can, membership, require

from . import services
from .forms import DuressForm, LoginForm, MemberForm, ReadAlarmForm, TokenCreateForm, TokenForm
from .models import StaffSession


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
            if getattr(request, "duress_login", False):
                services.duress_login(user=user)  # silently: the response is the same as any login
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
    members = services.members_listed(request.user)
    alerts = services.alerts_open(request.user)
    alerted = {a.member_id for a in alerts}
    return render(request, "accounts/members.html", {"members": members, "form": form, "alerts": alerts,
                                                     "alerted": alerted})


@login_required
def member_sessions_view(request, user_id):
    """A member's sessions and API tokens; revoking them, offboarding, restoring, lifting a pause."""
    require(request.user, "session.revoke")
    member = services.member_for(request.user, user_id)
    user = member.user
    if request.method == "POST":
        try:
            if "revoke_everything" in request.POST:
                services.member_revoke_everything(actor=request.user, user=user)
                messages.success(request, _("Every session and API token of this member is revoked."))
            elif "offboard" in request.POST:
                services.member_offboard(actor=request.user, user=user)
                messages.success(request, _("The member has left: no session or token of theirs works any more."))
            elif "restore" in request.POST:
                services.member_restore(actor=request.user, user=user)
                messages.success(request, _("The member's access is restored."))
            elif "lift_throttle" in request.POST:
                services.member_throttle_lift(actor=request.user, user=user)
                messages.success(request, _("The pause is lifted."))
            elif "revoke_all" in request.POST:
                services.sessions_revoke_all(actor=request.user, user=user)
                messages.success(request, _("Session revoked: it is logged out on its next request."))
            elif "token" in request.POST:
                services.api_token_revoke(actor=request.user, token=services.token_of(user, request.POST["token"]))
                messages.success(request, _("Token revoked."))
            else:
                session = StaffSession.objects.filter(pk=_int(request.POST.get("session")), user=user).first()
                if session is None:
                    raise Http404()
                services.session_revoke(actor=request.user, session=session)
                messages.success(request, _("Session revoked: it is logged out on its next request."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("accounts:member_sessions", user_id=user_id)
    sessions = StaffSession.objects.filter(user=user)[:50]
    return render(request, "accounts/sessions.html", {
        "member": member, "sessions": sessions, "tokens": services.tokens_of(user),
        "is_self": user.pk == request.user.pk, "throttled": services.is_throttled(member),
    })


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def alert_resolve_view(request, alert_id):
    require(request.user, "member.manage")
    alert = services.alert_for(request.user, _int(alert_id))
    services.alert_resolve(actor=request.user, alert=alert, lift_throttle="lift_throttle" in request.POST)
    messages.success(request, _("Alert resolved."))
    return redirect("accounts:members")


@login_required
def alarm_settings_view(request):
    """The organisation's bulk-view alarm numbers."""
    require(request.user, "member.manage")
    from . import alarms

    current = alarms.alarm_settings(membership(request.user).organisation_id)
    initial = {name: getattr(current, name) for name in ReadAlarmForm.base_fields}
    form = ReadAlarmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.read_alarm_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Alarm settings saved."))
            return redirect("accounts:alarm_settings")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(request, "accounts/alarm_settings.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def security_view(request):
    """The member's own duress password and API tokens. Never says whether a duress password is set."""
    form = DuressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if "remove" in request.POST:
                services.duress_password_clear(actor=request.user,
                                               current_password=form.cleaned_data["current_password"])
                messages.success(request, _("Saved."))
            else:
                services.duress_password_set(actor=request.user, password=form.cleaned_data["password"],
                                             current_password=form.cleaned_data["current_password"])
                messages.success(request, _("Saved."))
            return redirect("accounts:security")
        except ValidationError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                  else [("password", exc.messages)]):
                form.add_error(field if field in form.fields else None, errors)
    may_tokens = can(request.user, "api.token")
    member = membership(request.user)
    token_form = TokenCreateForm(roles=member.roles if member else []) if may_tokens else None
    return render(request, "accounts/security.html", {
        "form": form, "token_form": token_form,
        "tokens": services.tokens_of(request.user) if may_tokens else [],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def token_create_view(request):
    require(request.user, "api.token")
    member = membership(request.user)
    form = TokenCreateForm(request.POST, roles=member.roles)
    if not form.is_valid():
        return render(request, "accounts/security.html", {
            "form": DuressForm(), "token_form": form, "tokens": services.tokens_of(request.user)}, status=400)
    token, key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"],
                                           roles=form.cleaned_data["roles"], days=form.cleaned_data["days"])
    # Shown once, on this response only (never in a URL, a message cookie or a log).
    return render(request, "accounts/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke_view(request, token_id):
    token = services.token_of(request.user, token_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:security")
