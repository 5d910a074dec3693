"""团员注册 is no anonymous ID-number oracle (issue 12, item 6).

POST /api/v1/register/member and the page accounts:register_member answered 409 person_exists for an ID
number on record and 422 for an unknown one whatever else was wrong, without limit. Now every other rule
(the password rules included) is checked first, so a refused request answers the same for a known and an
unknown ID number; and the look-up itself is rate-limited like the codes (per address, per ID number,
site-wide), so the one answer that does tell (409 for a complete, valid request) cannot be asked in bulk.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from conftest import make_id_number
from people.models import Person

PASSWORD = "Qing-Nian#2026"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def person(id_number, **overrides):
    data = {"name": "探测者", "id_number": id_number, "political_status": "团员", "league_join_date": "2015-09",
            "ethnicity": "汉族", "education": "大学本科", "occupation": "学生", "mobile": "13811112222"}  # fmt: skip
    data.update(overrides)
    return data


def api_register(client, tree, id_number, password=PASSWORD, addr="198.51.100.1", **overrides):
    body = {"branch_id": tree.branch.id, "person": person(id_number, **overrides), "password": password}
    return client.post("/api/v1/register/member", body, content_type="application/json", REMOTE_ADDR=addr)


@pytest.mark.parametrize("password", ["abc", "12345678", "password"], ids=["short", "numeric", "common"])
def test_a_weak_password_gets_the_same_answer_for_a_known_and_an_unknown_id_number(tree, client, password):
    known = api_register(client, tree, tree.member.id_number, password)
    unknown = api_register(client, tree, make_id_number("19990909"), password)
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.status_code == 422 and known.json()["code"] == "weak_password"


def test_a_password_containing_the_id_number_gets_the_same_answer_either_way(tree, client):
    known, unknown = tree.member.id_number, make_id_number("19990909")
    a = api_register(client, tree, known, password=f"{known}x")
    b = api_register(client, tree, unknown, password=f"{unknown}x")
    assert (a.status_code, a.json()["code"]) == (b.status_code, b.json()["code"]) == (422, "weak_password")


def test_the_page_answers_a_weak_password_the_same_for_a_known_and_an_unknown_id_number(tree, client):
    def page(id_number):
        form = {"branch_id": tree.branch.id, **person(id_number), "email": "", "password": "12345678",
                "password2": "12345678"}  # fmt: skip
        r = client.post(reverse("accounts:register_member"), form, REMOTE_ADDR="198.51.100.2")
        assert r.status_code == 200
        return r.context["form"].errors

    assert page(tree.member.id_number) == page(make_id_number("19990909"))


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="3/h", RATELIMIT_CODES_GLOBAL="1000/h")
def test_id_number_look_ups_are_limited_per_address(tree, client):
    known = [tree.member, tree.branch_admin, tree.general_admin]
    for p in known:
        assert api_register(client, tree, p.id_number).status_code == 409
    probe = api_register(client, tree, make_id_number("19990909"))  # unknown: would register, but the limit holds
    assert probe.status_code == 429 and probe.json()["code"] == "rate_limited"
    again = api_register(client, tree, tree.college_admin.id_number)
    assert (again.status_code, again.content) == (probe.status_code, probe.content)  # known or not, one answer
    assert api_register(client, tree, make_id_number("19990909"), addr="203.0.113.9").status_code == 201


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_ACCOUNT="2/h")
def test_one_id_number_is_looked_up_a_limited_number_of_times_from_any_address(tree, client):
    for i in range(2):
        assert api_register(client, tree, tree.member.id_number, addr=f"10.20.{i}.1").status_code == 409
    assert api_register(client, tree, tree.member.id_number, addr="10.20.9.1").status_code == 429


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="2/h")
def test_refused_requests_do_not_spend_the_budget_and_the_page_is_limited_too(tree, client):
    for _ in range(5):  # weak passwords: refused before the look-up, so they count for nothing
        assert api_register(client, tree, tree.member.id_number, password="abc").status_code == 422
    for p in (tree.member, tree.branch_admin):
        assert api_register(client, tree, p.id_number).status_code == 409
    form = {"branch_id": tree.branch.id, **person(make_id_number("19990909")), "email": "", "password": PASSWORD,
            "password2": PASSWORD}  # fmt: skip
    page = client.post(reverse("accounts:register_member"), form, REMOTE_ADDR="198.51.100.1")
    assert page.status_code == 200 and "尝试次数过多" in page.content.decode()
    assert not Person.objects.filter(name="探测者").exists()
