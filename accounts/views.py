from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import DomainError

from . import services
from .forms import LoginForm, PasswordChangeForm


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
            return redirect(request.GET.get("next") or "orgs:home")
    return render(request, "accounts/login.html", {"form": form})


def lockout_response(request, credentials, *args, **kwargs):
    form = LoginForm(request.POST or None)
    form.is_valid()
    form.add_error(None, "登录失败次数过多，账号或地址已被暂时锁定，请15分钟后再试。")
    return render(request, "accounts/login.html", {"form": form}, status=429)


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
