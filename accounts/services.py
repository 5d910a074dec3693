"""Logging in and out, passwords and API tokens: the one place both the pages and the API call."""

import hashlib
import secrets
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from audit.services import audit_record
from core.exceptions import DomainError
from core.ratelimits import count_login_failure, login_refused_for_block
from people.models import Person
from people.services import validate_new_password

from .backends import LoginFailed, id_number_key, spend_password_hash
from .models import ApiToken

# One answer for unknown, wrong, locked and expired (issue 8): it names every cause and the way out.
LOGIN_FAILED_MESSAGE = (
    "身份证号码或密码错误。连续多次错误后账号将暂时锁定；如忘记密码或初始密码已失效，"
    "请向管理员索取重置密码验证码，通过“忘记密码”重设。"
)


def login_check(*, request, id_number: str, password: str) -> Person:
    """The person for this pair, or LoginFailed with one message for every failure.

    django-axes counts failures per account and per address; core.ratelimits counts
    them per address block (IPv4 /24, IPv6 /64) and site-wide, and over the site-wide
    level gives each failing block a much smaller budget (password spraying is slowed
    down; a block that has not been failing still logs in). Only failures whose
    password was checked count: a refusal counts nowhere (issue 12). A success clears
    the failures against its own account, never those of its address (item 5).
    Every refusal costs one password hash, so timing does not tell a lock apart.
    Attempts at one account take turns on its row lock (SQLite: the write lock),
    so axes has counted every earlier failure before the next password is
    checked: a burst of concurrent guesses gets no more than AXES_FAILURE_LIMIT.
    """
    if login_refused_for_block(request):
        spend_password_hash(password)
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    with transaction.atomic():
        list(Person.objects.select_for_update().filter(id_hash=id_number_key(id_number)).values_list("pk"))
        person = authenticate(request, id_number=id_number, password=password)
        if person is None and not getattr(request, "password_checked", False):
            spend_password_hash(password)  # axes refused before any backend looked at the password
    if person is None:
        if getattr(request, "password_checked", False):
            count_login_failure(request)
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    axes_reset(username=id_number_key(id_number))  # AXES_RESET_ON_SUCCESS is off: it would clear the address too
    return person


@transaction.atomic
def password_change(*, person: Person, old_password: str, new_password: str, keep_token: str | None = None) -> Person:
    """A new password; every other way in ends with the old one (credentials_revoke): all the person's API
    tokens but `keep_token` (the one that made the change), and every browser session (Django checks each
    against the password hash; the page that changed it renews its own with update_session_auth_hash)."""
    if person.account_state == "initial":
        ok = constant_time_compare(old_password.upper(), person.id_number[-8:])
    else:
        ok = person.check_password(old_password)
    if not ok:
        raise DomainError(
            "原密码不正确。", code="wrong_password", errors=[{"field": "old_password", "message": "原密码不正确。"}]
        )
    validate_new_password(new_password, person, field="new_password")
    person.activate_account(new_password)
    person.save(update_fields=["password", "account_state", "must_change_password", "registered_at"])
    credentials_revoke(person=person, keep_token=keep_token)
    audit_record(actor=person, verb="修改密码", target=person)
    return person


def credentials_revoke(*, person: Person, keep_token: str | None = None) -> int:
    """After a password change or reset: delete the person's API tokens (but `keep_token`). Browser sessions
    need nothing here: each carries a hash of the password it logged in with, which no longer matches."""
    tokens = ApiToken.objects.filter(person=person)
    if keep_token:
        tokens = tokens.exclude(key_hash=_token_hash(keep_token))
    return tokens.delete()[0]


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# A used token's expiry moves on at most this often (one UPDATE a minute, not one per request).
TOKEN_RENEW_STEP = timedelta(seconds=60)


def _token_expiry(created_at, now):
    """API_TOKEN_HOURS after issue at the latest; sooner when unused for SESSION_IDLE_TIMEOUT_MINUTES."""
    absolute = created_at + timedelta(hours=settings.API_TOKEN_HOURS)
    idle = settings.SESSION_IDLE_TIMEOUT_MINUTES
    return min(absolute, now + timedelta(minutes=idle)) if idle else absolute


def api_token_issue(*, person: Person) -> str:
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(person=person, key_hash=_token_hash(raw), expires_at=_token_expiry(now, now))
    return raw


def api_token_person(raw: str) -> Person | None:
    now = timezone.now()
    token = ApiToken.objects.select_related("person").filter(key_hash=_token_hash(raw), expires_at__gt=now).first()
    if token is None or not token.person.is_active:
        return None
    renewed = _token_expiry(token.created_at, now)
    if renewed - token.expires_at >= TOKEN_RENEW_STEP:  # in use: the idle limit starts again
        ApiToken.objects.filter(pk=token.pk).update(expires_at=renewed)
    return token.person


def api_token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=_token_hash(raw)).delete()
