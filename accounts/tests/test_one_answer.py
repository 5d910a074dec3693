"""One answer for every refused login and every refused password reset (issue 8).

Unknown ID number, wrong password, locked account (django-axes), the site-wide
failure limit and an expired initial password all get the same status and
message, on the login page and from POST /api/v1/auth/login; the API's bytes are
identical. The same for 忘记密码: unknown ID, wrong, expired and used code and a
throttled attempt. Every refused login costs one password hash, so a lock does
not show in the timing either.
"""

import datetime as dt

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.utils import timezone

from accounts import reset
from accounts.models import PasswordResetCode
from accounts.services import LOGIN_FAILED_MESSAGE
from conftest import PASSWORD, make_id_number
from people.models import Person

LOGIN_CASES = ["unknown", "wrong", "locked", "site_wide_limit", "expired_initial"]
RESET_CASES = ["unknown", "wrong", "expired", "used", "throttled"]
NEW = "Xin-Mi#2026ma"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password is hashed (verify hashes too)."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def login_page(client, id_number, password):
    return client.post("/accounts/login/", {"id_number": id_number, "password": password}, REMOTE_ADDR="10.9.0.1")


def login_api(client, id_number, password):
    return client.post(
        "/api/v1/auth/login",
        {"id_number": id_number, "password": password},
        content_type="application/json",
        REMOTE_ADDR="10.9.0.1",
    )


def prepare_login(case, tree, make_person, settings, post):
    """Set the case up; return the (id_number, password) of the attempt that must be refused."""
    person = tree.member
    if case == "unknown":
        return make_id_number("19900101"), PASSWORD
    if case == "wrong":
        return person.id_number, "Wrong#Pass2026"
    if case == "locked":
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post(person.id_number, "Wrong#Pass2026")
        return person.id_number, PASSWORD  # the right password, refused by the lock
    if case == "site_wide_limit":
        settings.RATELIMIT_ENABLE = True
        settings.RATELIMIT_LOGIN_FAILURES_GLOBAL = "1/h"
        settings.RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK = 1
        post(tree.uni_admin.id_number, "Guess#2026")  # one failure on another account reaches the level:
        return person.id_number, PASSWORD  # the failing block (the same address) is held to its one failure
    if case == "expired_initial":
        fresh = make_person("导入团员", password=None, branch=tree.branch)
        Person.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
        return fresh.id_number, fresh.id_number[-8:]
    raise AssertionError(case)


@pytest.mark.parametrize("case", LOGIN_CASES)
def test_the_api_login_refusal_is_byte_identical_in_every_case(case, tree, client, make_person, settings):
    reference = login_api(client, make_id_number("19900102"), PASSWORD)  # an unknown ID: the plain refusal
    assert reference.status_code == 401
    assert reference.json() == {"code": "login_failed", "message": LOGIN_FAILED_MESSAGE, "errors": []}
    id_number, password = prepare_login(case, tree, make_person, settings, lambda i, p: login_api(client, i, p))
    refused = login_api(client, id_number, password)
    assert (refused.status_code, refused["Content-Type"], refused.content) == (
        reference.status_code,
        reference["Content-Type"],
        reference.content,
    )


@pytest.mark.parametrize("case", LOGIN_CASES)
def test_the_login_page_refusal_is_the_same_in_every_case(case, tree, client, make_person, settings):
    id_number, password = prepare_login(case, tree, make_person, settings, lambda i, p: login_page(client, i, p))
    refused = login_page(client, id_number, password)
    assert refused.status_code == 200
    assert list(refused.context["form"].non_field_errors()) == [LOGIN_FAILED_MESSAGE]
    assert refused.content.decode().count("连续多次错误后账号将暂时锁定") == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("case", LOGIN_CASES)
def test_every_refused_login_costs_one_password_hash(case, tree, client, make_person, settings):
    settings.PASSWORD_HASHERS = ["accounts.tests.test_one_answer.CountingHasher"]
    id_number, password = prepare_login(case, tree, make_person, settings, lambda i, p: login_api(client, i, p))
    CountingHasher.calls = 0
    assert login_api(client, id_number, password).status_code == 401
    assert CountingHasher.calls == 1


def prepare_reset(case, tree, settings, post):
    """Set the case up; return the (id_number, code) of the attempt that must be refused."""
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    if case == "unknown":
        return make_id_number("19900103"), code
    if case == "wrong":
        return tree.member.id_number, "WRONGCOD"
    if case == "expired":
        PasswordResetCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        return tree.member.id_number, code
    if case == "used":
        reset.password_reset(id_number=tree.member.id_number, code=code, new_password=NEW)
        return tree.member.id_number, code
    if case == "throttled":
        settings.RATELIMIT_ENABLE = True
        settings.RATELIMIT_CODES_PER_ACCOUNT = "2/h"
        for _ in range(2):
            post(tree.member.id_number, "WRONGCOD")
        return tree.member.id_number, code  # the right code, refused by the limit
    raise AssertionError(case)


def reset_api(client, id_number, code):
    body = {"id_number": id_number, "reset_code": code, "new_password": NEW}
    return client.post("/api/v1/auth/reset", body, content_type="application/json")


def reset_page(client, id_number, code):
    form = {"id_number": id_number, "reset_code": code, "new_password": NEW, "new_password2": NEW}
    return client.post("/accounts/reset/", form)


@pytest.mark.parametrize("case", RESET_CASES)
def test_the_api_reset_refusal_is_byte_identical_in_every_case(case, tree, client, settings):
    reference = reset_api(client, make_id_number("19900104"), "AAAAAAAA")
    assert reference.status_code == 400
    assert reference.json() == {"code": "reset_failed", "message": reset.RESET_FAILED, "errors": []}
    id_number, code = prepare_reset(case, tree, settings, lambda i, c: reset_api(client, i, c))
    refused = reset_api(client, id_number, code)
    assert (refused.status_code, refused.content) == (reference.status_code, reference.content)
    assert not Person.objects.get(pk=tree.member.pk).check_password(NEW) or case == "used"


@pytest.mark.parametrize("case", RESET_CASES)
def test_the_forgot_password_page_refusal_is_the_same_in_every_case(case, tree, client, settings):
    id_number, code = prepare_reset(case, tree, settings, lambda i, c: reset_page(client, i, c))
    refused = reset_page(client, id_number, code)
    assert refused.status_code == 200
    assert list(refused.context["form"].non_field_errors()) == [reset.RESET_FAILED]
