from django.core.exceptions import ValidationError


class NotIdNumberValidator:
    """A password must not be the ID number or its last 8 characters (the initial password)."""

    def validate(self, password, user=None):
        id_number = getattr(user, "id_number", "") or ""
        if id_number and (password.upper() == id_number or password.upper() == id_number[-8:]):
            raise ValidationError("新密码不能是身份证号码或其后8位（初始密码）。", code="password_is_id")

    def get_help_text(self):
        return "密码不能是身份证号码或其后8位。"
