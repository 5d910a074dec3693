from django import forms

from core.forms import RepeatedPasswordMixin


class PasswordResetForm(RepeatedPasswordMixin, forms.Form):
    password_field = "new_password"

    id_number = forms.CharField(label="身份证号码", max_length=30)
    reset_code = forms.CharField(
        label="重置密码验证码",
        max_length=20,
        help_text="由团支部（或团干部所在组织）管理员提供，2天内有效，只能使用一次。",
    )
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
