from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.forms import add_domain_errors
from core.ratelimits import check_code_attempt
from orgs.forms import RegisterAdminForm
from orgs.models import Org
from orgs.selectors import children_progress, current_admin_org
from people import members

from . import registration, reset, services
from .backends import LoginFailed, id_number_key
from .forms import LoginForm, PasswordChangeForm, RegisterMemberForm
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
            login(request, person, backend="accounts.backends.IdNumberBackend")
            if person.must_change_password:
                messages.warning(request, "您正在使用初始密码或重置后的密码，请先设置新密码。")
                return redirect("accounts:password_change")
            if _subordinates_incomplete(request):
                return redirect("orgs:progress_prompt")
            return redirect(_safe_next(request) or "orgs:home")
    return render(request, "accounts/login.html", {"form": form})


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
            login(request, person, backend="accounts.backends.IdNumberBackend")
            messages.success(request, "注册成功，您已成为该组织的管理员。")
            return redirect("orgs:home")
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
