"""Logging in and out, passwords and API tokens: the one place both the pages and the API call."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import DomainError
from core.ratelimits import count_login_failure, login_failures_over_limit
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

    django-axes counts failures per account and per address; password spraying
    (each ID tried once, from many addresses) is caught by a site-wide count of
    failures: over it, every login fails with the same answer until it cools off.
    Every refusal costs one password hash, so timing does not tell a lock apart.
    Attempts at one account take turns on its row lock (SQLite: the write lock),
    so axes has counted every earlier failure before the next password is
    checked: a burst of concurrent guesses gets no more than AXES_FAILURE_LIMIT.
    """
    if login_failures_over_limit(request):
        spend_password_hash(password)
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    with transaction.atomic():
        list(Person.objects.select_for_update().filter(id_hash=id_number_key(id_number)).values_list("pk"))
        person = authenticate(request, id_number=id_number, password=password)
        if person is None and not getattr(request, "password_checked", False):
            spend_password_hash(password)  # axes refused before any backend looked at the password
    if person is None:
        count_login_failure(request)
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    return person


@transaction.atomic
def password_change(*, person: Person, old_password: str, new_password: str) -> Person:
    if person.account_state == "initial":
        from django.utils.crypto import constant_time_compare

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
    audit_record(actor=person, verb="修改密码", target=person)
    return person


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, person: Person) -> str:
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        person=person,
        key_hash=_token_hash(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    return raw


def api_token_person(raw: str) -> Person | None:
    token = (
        ApiToken.objects.select_related("person")
        .filter(key_hash=_token_hash(raw), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.person.is_active:
        return None
    return token.person


def api_token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=_token_hash(raw)).delete()
