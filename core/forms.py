from core.exceptions import DomainError


def add_domain_errors(form, error: DomainError) -> None:
    """Show a service's refusal on the form: the summary on top, each field's message beside it."""
    form.add_error(None, error.message)
    for item in error.errors:
        field = item.get("field")
        if field in form.fields:
            form.add_error(field, item["message"])


class RepeatedPasswordMixin:
    """A form with a password typed twice: `password_field` and its repeat `<password_field>2`."""

    password_field = "password"

    def clean(self):
        data = super().clean()
        first, second = data.get(self.password_field), data.get(self.password_field + "2")
        if first and first != second:
            label = "新密码" if self.password_field == "new_password" else "密码"
            self.add_error(self.password_field + "2", f"两次输入的{label}不一致。")
        return data
