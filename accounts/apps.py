from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"

    def ready(self):
        from . import middleware  # noqa: F401  connects stamp_session to user_logged_in
