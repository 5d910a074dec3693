"""Guessing codes is rate-limited per address and site-wide (issue 8)."""

import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="3/h", RATELIMIT_CODES_GLOBAL="1000/h")
def test_reset_code_guessing_is_cut_off_per_address(tree, client):
    body = {"id_number": tree.member.id_number, "reset_code": "AAAAAAAA", "new_password": "Xin-Mi#2026ma"}
    answers = [client.post("/api/v1/auth/reset", body, content_type="application/json").status_code for _ in range(5)]
    assert answers == [400, 400, 400, 429, 429]


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="100/h", RATELIMIT_CODES_GLOBAL="4/h")
def test_registration_code_guessing_is_capped_site_wide_across_addresses(tree, client):
    body = {"org_id": tree.uni.id, "position": "书记", "code": "WRONG123", "password": "x",
            "person": {"name": "甲", "id_number": tree.member.id_number}}  # fmt: skip
    statuses = [
        client.post(
            "/api/v1/register/admin", body, content_type="application/json", REMOTE_ADDR=f"10.0.0.{i}"
        ).status_code
        for i in range(6)
    ]
    assert statuses[:4] != [429] * 4 and statuses[4:] == [429, 429]
    assert client.post("/api/v1/register/admin", body, content_type="application/json").json()["code"] == "rate_limited"


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="2/h", RATELIMIT_CODES_GLOBAL="1000/h")
def test_the_forgot_password_page_is_limited_too(tree, client):
    form = {"id_number": tree.member.id_number, "reset_code": "AAAAAAAA", "new_password": "Xin-Mi#2026ma",
            "new_password2": "Xin-Mi#2026ma"}  # fmt: skip
    pages = [client.post("/accounts/reset/", form).content.decode() for _ in range(3)]
    assert "验证码不正确" in pages[0] and "尝试次数过多" in pages[2]


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_GLOBAL="3/h", AXES_ENABLED=False)
def test_password_spraying_from_many_addresses_is_cut_off_site_wide(tree, client):
    for i in range(3):  # three different accounts, three different addresses, one try each
        victim = [tree.member, tree.uni_admin, tree.city_admin][i]
        body = {"id_number": victim.id_number, "password": "Guess#2026"}
        r = client.post("/api/v1/auth/login", body, content_type="application/json", REMOTE_ADDR=f"10.1.0.{i}")
        assert r.status_code == 401
    right = {"id_number": tree.branch_admin.id_number, "password": "Tuan#Test2026"}
    refused = client.post("/api/v1/auth/login", right, content_type="application/json", REMOTE_ADDR="10.1.0.9")
    assert refused.status_code == 401
    assert refused.json()["message"] == "身份证号码或密码错误。"  # the same answer as a wrong password
