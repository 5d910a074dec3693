from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token of the JSON API. Only its SHA-256 is stored."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"token {self.pk} of person {self.person_id}"


class PasswordResetCode(models.Model):
    """重置密码验证码 (SPEC P8): one live per person, single use, valid 2 days; stored only as a keyed hash."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_codes")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes tried for this person while this code was live; at reset.MAX_WRONG_TRIES it is void.
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "重置密码验证码"
        verbose_name_plural = "重置密码验证码"
        indexes = [models.Index(fields=["person", "-created_at"], name="accounts_reset_latest")]

    def __str__(self):
        return f"reset code {self.pk} of person {self.person_id}"
