from django.core.exceptions import ValidationError


class NotIdNumberValidator:
    """A password must not be the ID number or its last 8 characters (the initial password)."""

    def validate(self, password, user=None):
        id_number = getattr(user, "id_number", "") or ""
        if id_number and (password.upper() == id_number or password.upper() == id_number[-8:]):
            raise ValidationError("新密码不能是身份证号码或其后8位（初始密码）。", code="password_is_id")

    def get_help_text(self):
        return "密码不能是身份证号码或其后8位。"


class MinimumLengthValidator:
    """Django's length rule with a Chinese message (its translation of the 5.x wording is missing)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要{self.min_length}个字符。", code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"
