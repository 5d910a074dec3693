"""Guessing registration and reset codes (issue 12, item 14; the code counters of item 3).

- A registration code of another organisation reads exactly as a wrong code: no hint that it is live elsewhere.
- A reset code is void after 5 wrong tries, even when the rate limits are off or spread over many addresses.
- Junk attempts at one organisation's code slow down the guesser's own address block, not the rightful
  registrant elsewhere; only a much higher per-organisation ceiling applies to everyone.
- Attempts already refused for their address do not count toward the site-wide code limit.
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client, override_settings

from accounts import reset
from accounts.models import PasswordResetCode
from conftest import make_id_number
from orgs import codes
from people.models import Person

NEW = "Xin-Mi#2026ma"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def register_admin(client, org, code, addr="198.51.100.1", name="新管理员"):
    person = {"name": name, "id_number": make_id_number("19980101"), "political_status": "团员", "ethnicity": "汉族", "education": "大学本科", "occupation": "学生",
              "league_join_date": "2012-09", "mobile": "13912345678"}  # fmt: skip
    body = {"org_id": org.id, "position": "委员", "code": code, "password": "Qing-Nian#2026ab", "person": person}
    return client.post("/api/v1/register/admin", body, content_type="application/json", REMOTE_ADDR=addr)


def reset_api(client, person, code, addr="198.51.100.1"):
    body = {"id_number": person.id_number, "reset_code": code, "new_password": NEW}
    return client.post("/api/v1/auth/reset", body, content_type="application/json", REMOTE_ADDR=addr)


# --- registration codes: another organisation's code is a wrong code ----------------------------------


def test_another_organisations_live_code_reads_exactly_as_a_wrong_code(tree, client):
    theirs = codes.registration_code_issue(org=tree.city, actor=tree.province_admin).code
    codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    wrong = register_admin(client, tree.uni, "Zz9Zz9Zz")
    elsewhere = register_admin(client, tree.uni, theirs)
    assert (elsewhere.status_code, elsewhere.content) == (wrong.status_code, wrong.content)
    assert wrong.json()["code"] == "code_invalid"
    assert register_admin(client, tree.city, theirs).status_code == 201  # and it stays live for its organisation


def test_the_page_says_the_same_for_another_organisations_code(tree, client):
    theirs = codes.registration_code_issue(org=tree.city, actor=tree.province_admin).code

    def page(code):
        form = {"org_id": tree.uni.id, "position": "委员", "code": code, "name": "甲",
                "id_number": make_id_number("19980101"), "political_status": "团员", "ethnicity": "汉族", "education": "大学本科", "occupation": "学生", "league_join_date": "2012-09",
                "mobile": "13912345678", "password": "Qing-Nian#2026ab", "password2": "Qing-Nian#2026ab"}  # fmt: skip
        return client.post("/accounts/register/admin/", form).context["form"].errors

    assert page(theirs) == page("Zz9Zz9Zz")


# --- reset codes: void after 5 wrong tries ------------------------------------------------------------


def test_a_reset_code_is_void_after_five_wrong_tries(tree, client):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    for i in range(5):  # from five addresses: no per-address limit is what stops it
        assert reset_api(client, tree.member, "AAAAAAAA", addr=f"10.30.{i}.1").status_code == 400
    right = reset_api(client, tree.member, code, addr="10.30.9.1")
    assert right.status_code == 400 and right.json()["code"] == "reset_failed"
    assert not Person.objects.get(pk=tree.member.pk).check_password(NEW)
    fresh = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code  # a new code works again
    assert reset_api(client, tree.member, fresh).status_code == 204


def test_a_reset_code_still_works_after_four_wrong_tries(tree, client):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    for _ in range(4):
        assert reset_api(client, tree.member, "AAAAAAAA").status_code == 400
    assert reset_api(client, tree.member, code).status_code == 204
    assert Person.objects.get(pk=tree.member.pk).check_password(NEW)


def test_a_weak_new_password_with_the_right_code_is_not_a_wrong_try(tree, client):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    body = {"id_number": tree.member.id_number, "reset_code": code, "new_password": "12345678"}
    for _ in range(6):
        assert client.post("/api/v1/auth/reset", body, content_type="application/json").status_code == 422
    assert reset_api(client, tree.member, code).status_code == 204


def test_the_forgot_password_page_voids_the_code_too(tree, client):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    form = {"id_number": tree.member.id_number, "reset_code": "AAAAAAAA", "new_password": NEW, "new_password2": NEW}
    for _ in range(5):
        assert reset.RESET_FAILED in client.post("/accounts/reset/", form).content.decode()
    refused = client.post("/accounts/reset/", {**form, "reset_code": code})
    assert refused.status_code == 200
    assert list(refused.context["form"].non_field_errors()) == [reset.RESET_FAILED]


# --- the per-organisation limit does not lock the rightful registrant out ------------------------------


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_ACCOUNT="10/h", RATELIMIT_CODES_PER_ORG="100/h")
def test_junk_attempts_slow_the_guessers_block_not_the_rightful_registrant(tree, client):
    for i in range(10):  # ten junk attempts from ten addresses of one /24
        assert register_admin(client, tree.uni, "WRONG123", addr=f"10.40.0.{i}").status_code == 422
    right = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code
    held = register_admin(client, tree.uni, right, addr="10.40.0.200")
    assert held.status_code == 429 and held.json()["code"] == "rate_limited"  # the guesser's block waits
    assert register_admin(client, tree.uni, right, addr="203.0.113.8", name="乙").status_code == 201


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_ACCOUNT="10/h", RATELIMIT_CODES_PER_ORG="15/h")
def test_a_much_higher_ceiling_per_organisation_still_holds(tree, client):
    for i in range(15):  # from fifteen blocks: each under its own limit
        register_admin(client, tree.uni, "WRONG123", addr=f"10.{50 + i}.0.1")
    right = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code
    assert register_admin(client, tree.uni, right, addr="203.0.113.8").status_code == 429


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_CODES_PER_IP="3/h", RATELIMIT_CODES_GLOBAL="10/h")
def test_attempts_refused_for_their_address_do_not_count_site_wide(tree, client):
    for _ in range(30):  # three count; the other 27 are refused for the address and count for nothing else
        register_admin(client, tree.uni, "WRONG123", addr="198.51.100.66")
    right = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code
    assert register_admin(client, tree.uni, right, addr="203.0.113.8").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_concurrent_wrong_codes_voids_the_code_all_the_same(tree):
    """Real threads, each with its own connection: the live code's row lock makes the guesses take turns."""
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    racers = 12
    barrier = threading.Barrier(racers)
    statuses = []

    def attempt():
        try:
            barrier.wait()
            statuses.append(reset_api(Client(), tree.member, "AAAAAAAA").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [400] * racers
    assert PasswordResetCode.objects.get().failed_attempts == reset.MAX_WRONG_TRIES  # counted until void, no further
    assert reset_api(Client(), tree.member, code).status_code == 400
