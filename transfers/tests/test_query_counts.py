"""Every transfer list, page or API, costs the same number of queries for 2 rows as for 20 (STYLE: every list
page gets an assertNumQueries test).

The ceilings include what every request pays: for an admin's page the session, the user, their admin posts
and the menu's to-do counts; for the API the token and admin posts.
"""

import itertools

import pytest

from conftest import get_ok
from transfers import services
from transfers.models import TransferRequest
from workflow.tests.helpers import add_remarks

REASON = "升学"


@pytest.fixture
def moves(places, make_person):
    """Self-applications out of the 团总支 (to the company) and into it (from the company): both directions,
    each waiting for an admin on either side."""

    serial = itertools.count()

    def add(count: int):
        for _ in range(count):
            i = next(serial)
            leaving = make_person(f"转出{i}", branch=places.branch)
            services.transfer_submit(actor=leaving, person=leaving, to_org=places.company_branch, reason=REASON)
            coming = make_person(f"转入{i}", branch=places.company_branch)
            services.transfer_submit(actor=coming, person=coming, to_org=places.branch2, reason=REASON)

    add(1)
    places.add_moves = add
    return places


@pytest.mark.parametrize("query", ["", "?direction=in", "?direction=out", "?status=待转出方审批&names=转出0 转入0"])
def test_the_list_page_with_its_todo(moves, client, assert_flat_queries, query):
    client.force_login(moves.general_admin)
    before, after = assert_flat_queries(get_ok(client, f"/transfers/{query}"), lambda: moves.add_moves(9), ceiling=14)
    if not query:
        assert after.content.decode().count("/transfers/") > before.content.decode().count("/transfers/") + 20


def test_the_transfer_in_page(moves, client, assert_flat_queries):
    client.force_login(moves.general_admin)
    assert_flat_queries(get_ok(client, "/transfers/in/"), lambda: moves.add_moves(9), ceiling=9)


def test_the_transfer_out_page_with_a_branchs_members(moves, client, make_person, assert_flat_queries):
    client.force_login(moves.general_admin)

    def grow():
        for i in range(15):
            make_person(f"支部团员{i}", branch=moves.branch)

    _, after = assert_flat_queries(get_ok(client, f"/transfers/out/?branch_id={moves.branch.id}"), grow, ceiling=12)
    assert "支部团员14" in after.content.decode()


def test_the_batch_page_with_a_branchs_members(moves, client, make_person, assert_flat_queries):
    client.force_login(moves.general_admin)

    def grow():
        for i in range(15):
            make_person(f"支部团员{i}", branch=moves.branch)

    _, after = assert_flat_queries(get_ok(client, f"/transfers/batch/?from={moves.branch.id}"), grow, ceiling=12)
    assert "支部团员14" in after.content.decode()


def test_the_apply_page_with_ones_own_requests(places, client, assert_flat_queries):
    member = places.member

    def withdrawn(count):
        for _ in range(count):
            t = services.transfer_submit(actor=member, person=member, to_org=places.company_branch, reason=REASON)
            services.transfer_withdraw(transfer=t, actor=member)

    withdrawn(1)
    client.force_login(member)
    # 5 (was 4): the menu's unread-message COUNT (SPEC-2 W5), which every logged-in page now pays.
    _, after = assert_flat_queries(get_ok(client, "/transfers/apply/"), lambda: withdrawn(8), ceiling=5)
    assert after.content.decode().count("已撤回") == 9


def add_steps(t, actors, count):
    add_remarks(t.process, actors, count)  # the timeline is the process's steps (SPEC-2 W)


def test_the_detail_pages_timeline(places, client, assert_flat_queries):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    actors = [places.branch_admin, places.general_admin, places.company_admin]
    client.force_login(places.company_admin)
    _, after = assert_flat_queries(get_ok(client, f"/transfers/{t.id}/"), lambda: add_steps(t, actors, 9), ceiling=11)
    assert "第8条" in after.content.decode()


def test_the_receiving_org_picker(places, client, assert_flat_queries):
    from orgs.services import org_create_child

    def grow():
        for i in range(10):
            org_create_child(parent=places.company, short_name=f"车站{i}团支部", category="团支部",
                             actor=places.company_admin)  # fmt: skip

    client.force_login(places.member)
    # 5 (was 4): the menu's unread-message COUNT (SPEC-2 W5), which every logged-in page now pays.
    _, after = assert_flat_queries(get_ok(client, "/transfers/orgs/?q=团支部"), grow, ceiling=5)
    assert "车站9团支部" in after.content.decode()


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "&direction=in", "&direction=out", "&status=待转出方审批"])
def test_the_api_list(moves, api_login, assert_flat_queries, query):
    api = api_login(moves.general_admin)
    url = f"/api/v1/transfers?org_id={moves.general.id}{query}"
    before, after = assert_flat_queries(get_ok(api, url), lambda: moves.add_moves(9), ceiling=6)
    assert after.json()["count"] > before.json()["count"]


def test_the_api_list_of_ones_own_requests(places, api_login, assert_flat_queries):
    member = places.member

    def withdrawn(count):
        for _ in range(count):
            t = services.transfer_submit(actor=member, person=member, to_org=places.company_branch, reason=REASON)
            services.transfer_withdraw(transfer=t, actor=member)

    withdrawn(1)
    _, after = assert_flat_queries(get_ok(api_login(member), "/api/v1/transfers"), lambda: withdrawn(8), ceiling=4)
    assert after.json()["count"] == 9


def test_the_api_todo_with_each_requests_steps(moves, api_login, assert_flat_queries):
    api = api_login(moves.general_admin)

    def grow():
        moves.add_moves(9)
        for t in TransferRequest.objects.all():
            add_steps(t, [moves.branch_admin, moves.company_admin], 2)

    before, after = assert_flat_queries(get_ok(api, "/api/v1/transfers/todo"), grow, ceiling=5)
    assert len(after.json()) == 10 and len(before.json()) == 1


def test_the_api_detail_with_its_steps(places, api_login, assert_flat_queries):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    actors = [places.branch_admin, places.general_admin, places.company_admin]
    api = api_login(places.company_admin)
    _, after = assert_flat_queries(get_ok(api, f"/api/v1/transfers/{t.id}"), lambda: add_steps(t, actors, 9), ceiling=4)
    assert len(after.json()["steps"]) == 10
