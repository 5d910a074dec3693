"""Login throttling that no client can turn against everyone else (issue 12, items 3 and 5).

The attacks come from outside, through POST /api/v1/auth/login and the login page:
- one address failing hundreds of times must not lock out anyone else (item 3);
- refusals of an already-locked address do not count toward the site-wide level (item 3);
- over the site-wide level, a right password from an unaffected address block still logs in, while the
  blocks that failed get a much smaller budget (item 3: slow down, do not refuse everyone);
- a success from an address does not give that address a fresh failure budget (item 5);
- many addresses of one IPv4 /24 or IPv6 /64 share one budget (item 5).
"""

import pytest
from django.core.cache import cache
from django.test import override_settings

from accounts.services import LOGIN_FAILED_MESSAGE
from conftest import PASSWORD, make_id_number

WRONG = "Wrong#Pass2026"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def api_login(client, id_number, password, addr):
    return client.post(
        "/api/v1/auth/login",
        {"id_number": id_number, "password": password},
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


def page_login(client, id_number, password, addr):
    return client.post("/accounts/login/", {"id_number": id_number, "password": password}, REMOTE_ADDR=addr)


# --- item 3: one address cannot flip a switch for everyone ------------------------------------------


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_GLOBAL="60/m")
def test_one_address_failing_hundreds_of_times_locks_no_one_else_out(tree, client):
    victim = tree.general_admin  # locked for the cool-off, as any account with 10 failures is (axes, per account)
    for _ in range(120):  # twice the site-wide level, all from one address
        assert api_login(client, victim.id_number, WRONG, "198.51.100.7").status_code == 401
    elsewhere = api_login(client, tree.member.id_number, PASSWORD, "203.0.113.5")
    assert elsewhere.status_code == 200, elsewhere.content.decode()
    other = api_login(client, tree.branch_admin.id_number, PASSWORD, "192.0.2.9")
    assert other.status_code == 200


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_GLOBAL="60/m")
def test_one_address_spraying_many_accounts_locks_no_one_else_out(tree, client):
    for _ in range(120):  # a new unknown ID each time: no account lock, only the address's
        assert api_login(client, make_id_number("19900101"), WRONG, "198.51.100.7").status_code == 401
    assert api_login(client, tree.member.id_number, PASSWORD, "203.0.113.5").status_code == 200


@override_settings(
    RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_GLOBAL="15/m", RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK=1
)
def test_refusals_of_a_locked_address_do_not_count_site_wide(tree, client):
    for _ in range(40):  # axes locks the address after 10 checked failures; the other 30 are refusals
        api_login(client, make_id_number("19900101"), WRONG, "198.51.100.7")
    # 10 checked failures, under the site-wide level of 15: a block with one failure of its own is not
    # held to the stricter budget (1) that applies over the level, so its right password logs in.
    assert api_login(client, make_id_number("19900101"), WRONG, "203.0.113.5").status_code == 401
    assert api_login(client, tree.member.id_number, PASSWORD, "203.0.113.5").status_code == 200


@override_settings(
    RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_GLOBAL="10/h", RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK=2
)
def test_over_the_site_wide_level_only_the_blocks_that_failed_are_slowed_down(tree, client):
    for i in range(12):  # a spray from twelve /24 blocks, one failure each: over the level of 10
        assert api_login(client, make_id_number("19900101"), WRONG, f"10.{i}.0.1").status_code == 401
    assert api_login(client, make_id_number("19900101"), WRONG, "10.0.0.2").status_code == 401  # block 10.0.0/24: 2
    held = api_login(client, tree.member.id_number, PASSWORD, "10.0.0.3")
    assert held.status_code == 401 and held.json()["message"] == LOGIN_FAILED_MESSAGE  # its budget is spent
    assert api_login(client, tree.member.id_number, PASSWORD, "10.1.0.3").status_code == 200  # one failure: under 2
    assert api_login(client, tree.branch_admin.id_number, PASSWORD, "172.16.5.5").status_code == 200  # unaffected
    assert page_login(client, tree.member.id_number, PASSWORD, "172.16.6.6").status_code == 302  # the page too


# --- item 5: no fresh budget after a success; one budget per address block ---------------------------


def test_a_success_does_not_give_the_address_a_fresh_budget(tree, client):
    addr = "198.51.100.20"
    for _ in range(9):  # nine guesses at other people's accounts
        assert api_login(client, make_id_number("19900101"), WRONG, addr).status_code == 401
    assert api_login(client, tree.member.id_number, PASSWORD, addr).status_code == 200  # the guesser's own login
    assert api_login(client, make_id_number("19900101"), WRONG, addr).status_code == 401  # the tenth guess
    again = api_login(client, tree.member.id_number, PASSWORD, addr)
    assert again.status_code == 401  # the address has used its ten failures: locked, own account or not
    assert api_login(client, tree.member.id_number, PASSWORD, "203.0.113.77").status_code == 200  # not the account


def test_a_success_clears_the_failures_against_its_own_account_only(tree, client):
    person = tree.member
    for _ in range(9):  # the owner mistypes nine times
        assert page_login(client, person.id_number, WRONG, "198.51.100.30").status_code == 200
    assert page_login(client, person.id_number, PASSWORD, "198.51.100.30").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(9):  # nine more from another address: the account's own count started again
        assert page_login(client, person.id_number, WRONG, "203.0.113.31").status_code == 200
    assert page_login(client, person.id_number, PASSWORD, "203.0.113.31").status_code == 302


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_LOGIN_FAILURES_PER_BLOCK="30/h")
@pytest.mark.parametrize(
    ("attackers", "neighbour", "stranger"),
    [
        ([f"10.7.0.{i}" for i in range(1, 21)], "10.7.0.99", "10.7.1.99"),
        ([f"2001:db8:1:2::{i:x}" for i in range(1, 21)], "2001:db8:1:2:ffff::1", "2001:db8:1:3::1"),
    ],
    ids=["ipv4-/24", "ipv6-/64"],
)
def test_twenty_addresses_in_one_block_share_one_budget(tree, client, attackers, neighbour, stranger):
    for addr in attackers:  # two guesses each: 40 in the block, each address far under its own limit of 10
        for _ in range(2):
            assert api_login(client, make_id_number("19900101"), WRONG, addr).status_code == 401
    refused = api_login(client, tree.member.id_number, PASSWORD, neighbour)
    assert refused.status_code == 401 and refused.json()["message"] == LOGIN_FAILED_MESSAGE
    assert api_login(client, tree.member.id_number, PASSWORD, stranger).status_code == 200
