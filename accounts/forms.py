from django import forms

from core.forms import RepeatedPasswordMixin
from people.choices import ALL_POSITIONS, EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus
from people.validation import DEVELOPMENT_NUMBER_HELP


class LoginForm(forms.Form):
    id_number = forms.CharField(
        label="身份证号码",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}),
    )
    password = forms.CharField(
        label="密码", max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(RepeatedPasswordMixin, forms.Form):
    password_field = "new_password"

    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label="新密码", min_length=8, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


def choices_with_prompt(values) -> list[tuple[str, str]]:
    """A select that starts empty (请选择), so nobody is registered as 书记/汉族/学生 by not looking."""
    return [("", "请选择")] + [(v, v) for v in values]


class RegistrationPersonForm(RepeatedPasswordMixin, forms.Form):
    """What both registrations ask of the person: every field S2/S3 count (P10), and a password."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号码", max_length=30)
    political_status = forms.ChoiceField(label="政治面貌", choices=choices_with_prompt(PoliticalStatus.values))
    league_join_date = forms.CharField(label="入团年月", max_length=10, help_text="如 2015-09")
    development_number = forms.CharField(
        label="发展团员编号", max_length=30, required=False, help_text=DEVELOPMENT_NUMBER_HELP
    )
    ethnicity = forms.ChoiceField(label="民族", choices=choices_with_prompt(ETHNICITIES))
    education = forms.ChoiceField(label="学历", choices=choices_with_prompt(EDUCATIONS))
    occupation = forms.ChoiceField(label="职业", choices=choices_with_prompt(OCCUPATIONS))
    mobile = forms.CharField(label="手机号码", max_length=20)
    email = forms.CharField(label="电子邮箱", max_length=100, required=False)
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="再次输入密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class RegisterMemberForm(RegistrationPersonForm):
    """团员团干部注册 (P5-3)."""

    branch_id = forms.IntegerField(label="所在团支部", widget=forms.HiddenInput)


class RegisterAdminForm(RegistrationPersonForm):
    """管理员注册 (C3)."""

    org_id = forms.IntegerField(label="注册的团组织", widget=forms.HiddenInput)
    position = forms.ChoiceField(label="团内职务", choices=choices_with_prompt(ALL_POSITIONS))
    code = forms.CharField(label="管理员注册码", max_length=20, help_text="上级组织管理员提供的8位注册码，区分大小写。")


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=20,
        help_text="身份验证器上当前显示的6位数字；手机不在身边时，可输入一个恢复码。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class OtpEnrolForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=10,
        help_text="添加密钥后，身份验证器上显示的6位数字。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OtpDisableForm(forms.Form):
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
