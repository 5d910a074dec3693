import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.forms import add_domain_errors
from core.ratelimits import check_code_attempt
from orgs.models import Org
from orgs.selectors import children_progress, current_admin_org
from people import members
from people.models import Person
from people.validation import FIELD_LABELS

from . import otp, registration, reset, services
from .backends import LoginFailed, id_number_key
from .forms import (
    LoginForm,
    OtpCodeForm,
    OtpDisableForm,
    OtpEnrolForm,
    PasswordChangeForm,
    RegisterAdminForm,
    RegisterMemberForm,
)
from .middleware import OTP_DONE
from .reset_forms import PasswordResetForm


def login_view(request):
    if request.user.is_authenticated:
        return redirect("orgs:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.login_check(
                request=request,
                id_number=form.cleaned_data["id_number"],
                password=form.cleaned_data["password"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            return _password_step_done(request, person, _safe_next(request))
    return render(request, "accounts/login.html", {"form": form})


# --- after the password: the second step (accounts.otp), then the session login -------------------------

PENDING = "otp_pending"  # session key: the person whose password was right, waiting for the second step
PENDING_SECONDS = 600  # the second step must follow within this time (setting up an app takes a while)
PENDING_TRIES = 5  # wrong codes before the password must be entered again


def _password_step_done(request, person, next_url: str | None):
    """Log in now, or hold the person in the session until their code (or new authenticator) is confirmed:
    until then the session is not logged in and reaches nothing."""
    step = otp.login_step(person)
    if step is None:
        _session_login(request, person)
        return redirect(_after_login_url(request, person, next_url))
    request.session.cycle_key()
    request.session[PENDING] = {"pk": person.pk, "at": int(time.time()), "next": next_url, "step": step, "tries": 0}
    if step == otp.ENROL:
        otp.enrolment_device(person)  # the secret to show next
    return redirect("accounts:otp_verify" if step == otp.VERIFY else "accounts:otp_enrol")


def _session_login(request, person, device=None) -> None:
    if device is not None:
        person.otp_device = device  # django-otp keeps it in the session at login: request.user.is_verified()
    login(request, person, backend="accounts.backends.IdNumberBackend")


def _after_login_url(request, person, next_url: str | None) -> str:
    if person.must_change_password:
        messages.warning(request, "您正在使用初始密码或重置后的密码，请先设置新密码。")
        return reverse("accounts:password_change")
    if _subordinates_incomplete(request):
        return reverse("orgs:progress_prompt")
    return next_url or reverse("orgs:home")


def _pending(request):
    """(person, state) of the login waiting for its second step, or (None, None) when none or expired."""
    state = request.session.get(PENDING)
    if not state or time.time() - state["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    person = Person.objects.filter(pk=state["pk"], is_active=True).first()
    return (person, state) if person is not None else (None, None)


def _pending_failed(request, state) -> bool:
    """Count a wrong code; True when the tries are used up and the login starts over."""
    state["tries"] += 1
    if state["tries"] >= PENDING_TRIES:
        request.session.pop(PENDING, None)
        messages.error(request, "验证码错误次数过多，请重新输入身份证号码和密码登录。")
        return True
    request.session[PENDING] = state
    return False


@never_cache
def otp_verify_view(request):
    """两步验证: the code from the authenticator (or a recovery code) after a correct password."""
    person, state = _pending(request)
    if person is None or state["step"] != otp.VERIFY:
        messages.info(request, "请输入身份证号码和密码登录。")
        return redirect("accounts:login")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(person, form.cleaned_data["code"])
        if device is None:
            if _pending_failed(request, state):
                return redirect("accounts:login")
            form.add_error("code", otp.WRONG_CODE)
        else:
            request.session.pop(PENDING, None)
            _session_login(request, person, device)
            if device.persistent_id.startswith("otp_static"):
                left = otp.recovery_codes_left(person)
                messages.warning(request, f"您使用了一个恢复码，还剩{left}个。请尽快在“两步验证”页面重新生成恢复码。")
            return redirect(_after_login_url(request, person, state.get("next")))
    return render(request, "accounts/otp_verify.html", {"form": form})


@never_cache
def otp_enrol_view(request):
    """绑定身份验证器: at login (when required and none is set up yet) or from the 两步验证 page."""
    if request.user.is_authenticated:
        person, state = request.user, None
    else:
        person, state = _pending(request)
        if person is None or state["step"] != otp.ENROL:
            messages.info(request, "请输入身份证号码和密码登录。")
            return redirect("accounts:login")
    if request.method == "POST" and request.POST.get("action") == "start":
        otp.enrolment_device(person)  # a secret, kept until confirmed (reloading shows the same one)
        return redirect("accounts:otp_enrol")
    device = otp.totp_device(person, confirmed=False)
    if device is None:  # nothing started: a GET has no side effect
        return render(request, "accounts/otp_enrol.html", {"start": True, "at_login": state is not None})
    form = OtpEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = otp.enrol_confirm(person, form.cleaned_data["code"])
        except DomainError as e:
            if state is not None and _pending_failed(request, state):
                return redirect("accounts:login")
            add_domain_errors(form, e)
        else:
            if state is not None:
                request.session.pop(PENDING, None)
                _session_login(request, person, device)
                next_url = _after_login_url(request, person, state.get("next"))
            else:
                django_otp.login(request, device)
                request.session[OTP_DONE] = True
                next_url = reverse("accounts:otp_settings")
            messages.success(request, "两步验证已启用。")
            return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next_url": next_url})
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "at_login": state is not None,
            "secret": otp.secret_text(device),
            "uri": (uri := otp.otpauth_uri(device, person)),
            "qr": otp.qr_svg_data_uri(uri),
        },
    )


@never_cache
@login_required
def otp_settings_view(request):
    """两步验证 in 个人中心: set up, replace or (where not required) remove the authenticator; new recovery codes."""
    person = request.user
    disable_form = OtpDisableForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "recovery":
        try:
            codes = otp.recovery_codes_renew(person)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已生成新的恢复码，原有恢复码已作废。")
            context = {"codes": codes, "next_url": reverse("accounts:otp_settings")}
            return render(request, "accounts/otp_recovery_codes.html", context)
    elif action == "disable":
        disable_form = OtpDisableForm(request.POST)
        if disable_form.is_valid():
            try:
                otp.disable(person, password=disable_form.cleaned_data["password"])
            except DomainError as e:
                add_domain_errors(disable_form, e)
            else:
                request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
                messages.success(request, "两步验证已停用。")
                return redirect("accounts:otp_settings")
    return render(
        request,
        "accounts/otp_settings.html",
        {
            "enabled": otp.has_device(person),
            "required": otp.required_for(person),
            "codes_left": otp.recovery_codes_left(person),
            "disable_form": disable_form,
        },
    )


def _safe_next(request) -> str | None:
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def _subordinates_incomplete(request) -> bool:
    """S6: while the subordinate-entry phase is on, an admin whose subordinates lag sees their progress first."""
    if not settings.SUBORDINATE_ENTRY_PHASE:
        return False
    org = current_admin_org(request)
    if org is None or not org.numchild:
        return False
    done, total = children_progress(org)
    return done < total


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account or address: the login's own refusal, unchanged.

    services.login_check has already refused the attempt with the one message for every failure,
    so a lockout answers exactly like a wrong password (issue 8) and tells a guesser nothing.
    """
    if isinstance(original_response, HttpResponseBase):
        return original_response
    if request.path.startswith("/api/"):  # not reached through login_check; the same body all the same
        body = {"code": LoginFailed.code, "message": services.LOGIN_FAILED_MESSAGE, "errors": []}
        return JsonResponse(body, status=LoginFailed.status, json_dumps_params={"ensure_ascii": False})
    form = LoginForm(data=request.POST)
    form.is_valid()
    form.add_error(None, services.LOGIN_FAILED_MESSAGE)
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                person=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as e:
            field = e.errors[0]["field"] if e.errors and e.errors[0].get("field") in form.fields else None
            form.add_error(field, e.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("orgs:home")
    return render(request, "accounts/password_change.html", {"form": form})


def register_admin_view(request):
    """管理员注册 (SPEC C3): choose the organisation and position, enter the code and personal information."""
    form = RegisterAdminForm(request.POST or None)
    chosen = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check_code_attempt(request, "registration-code", account=f"org:{data['org_id']}", per_block=True)
            person = registration.admin_register(
                org_id=data["org_id"], position=data["position"], code=data["code"],
                person_data=data, password=data["password"],
            )  # fmt: skip
        except DomainError as e:
            add_domain_errors(form, e)
        else:
            missing = [FIELD_LABELS[f] for f in person.missing_fields()]
            still = (
                f"您的个人信息还缺：{'、'.join(missing)}，请在“个人中心”补充。" if missing else "您的个人信息已完整。"
            )
            messages.success(request, f"注册成功，您已成为该组织的管理员。{still}")
            if otp.login_step(person) is None:
                _session_login(request, person)
                return redirect("orgs:home")
            return _password_step_done(request, person, reverse("orgs:home"))  # set up 两步验证 first
    if form.data.get("org_id"):
        chosen = Org.objects.filter(pk=form.data.get("org_id") or 0).first()
    return render(request, "accounts/register_admin.html", {"form": form, "chosen": chosen})


def register_org_search(request):
    """htmx fragment: organisations whose name contains the query (the registration page's picker)."""
    results = registration.org_search(request.GET.get("q", ""))
    return render(request, "accounts/partials/org_results.html", {"results": results, "q": request.GET.get("q", "")})


def password_reset_view(request):
    """忘记密码 (SPEC P8): ID number + the code an admin handed over + a new password."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_code_attempt(
                request, "reset-code", account=id_number_key(form.cleaned_data["id_number"]),
                refusal=DomainError(reset.RESET_FAILED, code="reset_failed"),
            )  # fmt: skip
            reset.password_reset(
                id_number=form.cleaned_data["id_number"],
                code=form.cleaned_data["reset_code"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as e:
            add_domain_errors(form, e)
        else:
            messages.success(request, "密码已重置，请用新密码登录。")
            return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


def register_member_view(request):
    """团员团干部注册 (SPEC P5-3): choose one's branch; 待认证 until its admin verifies."""
    form = RegisterMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = members.member_self_register(
                branch_id=form.cleaned_data["branch_id"], data=form.cleaned_data, password=form.cleaned_data["password"],
                before_lookup=registration.id_lookup_limit(request),
            )  # fmt: skip
        except DomainError as e:
            add_domain_errors(form, e)
        else:
            login(request, person, backend="accounts.backends.IdNumberBackend")
            messages.success(
                request, f"注册成功。请等待{person.branch.short_name}管理员认证；认证前您可以先完善个人信息。"
            )
            return redirect("people:me")
    chosen = Org.objects.filter(pk=form.data.get("branch_id") or 0, category="团支部").first() if form.data else None
    return render(request, "accounts/register_member.html", {"form": form, "chosen": chosen})


def register_branch_search(request):
    """htmx fragment: branches whose name contains the query (the member registration picker)."""
    results = registration.org_search(request.GET.get("q", ""), branches_only=True)
    return render(
        request,
        "accounts/partials/org_results.html",
        {"results": results, "q": request.GET.get("q", ""), "field": "branch_id"},
    )
