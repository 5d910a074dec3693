"""下级团员: a committee's read-only list of every member in its subtree (S7, P9), page and API."""

import pytest

from core import pii
from orgs import services as org_services
from orgs.rules import Category
from people import selectors
from progress.aggregates import stats_recount


@pytest.fixture
def two_branches(tree, make_person):
    """A second class branch under the 团总支, members in both, some incomplete; figures counted."""
    t = tree
    t.branch2 = org_services.org_create_child(
        parent=t.general, short_name="五年制临床医学2017级4班团支部", category=Category.BRANCH, actor=t.general_admin
    )
    t.incomplete = make_person("缺手机团员", birth="19991212", branch=t.branch2, mobile="")
    t.in_branch2 = make_person("四班团员", birth="19991010", branch=t.branch2)
    t.city_branch = org_services.org_create_child(
        parent=t.city, short_name="地铁集团团支部", category=Category.BRANCH, by_operator=True
    )
    t.elsewhere = make_person("市委下团员", birth="19980101", branch=t.city_branch)
    stats_recount(fix=True)
    return t


def names(html: str, people) -> list[str]:
    return [p.name for p in people if p.name in html]


def test_a_committee_sees_every_member_below_it_masked_and_nothing_outside(two_branches, client):
    t = two_branches
    client.force_login(t.uni_admin)
    response = client.get(f"/people/orgs/{t.uni.id}/members/")
    html = response.content.decode()
    assert response.status_code == 200
    below = [t.branch_admin, t.member, t.incomplete, t.in_branch2]
    assert names(html, below) == [p.name for p in below]
    assert t.elsewhere.name not in html
    assert t.member.id_number not in html and pii.mask_id_number(t.member.id_number) in html
    assert "13812345678" not in html  # mobiles masked too
    assert (
        "五年制临床医学2017级4班团支部" in html and "member_delete" not in html and "/delete/" not in html
    )  # its branch shown, nothing to act on


def test_the_incomplete_filter_and_the_counts_come_from_the_figures(two_branches, client):
    t = two_branches
    client.force_login(t.college_admin)
    html = client.get(f"/people/orgs/{t.college.id}/members/?complete=false").content.decode()
    assert t.incomplete.name in html and t.member.name not in html
    assert "缺手机号码" in html or "缺手机" in html


def test_members_are_listed_branch_by_branch_in_tree_order(two_branches, client):
    t = two_branches
    client.force_login(t.general_admin)
    html = client.get(f"/people/orgs/{t.general.id}/members/").content.decode()
    # 3班 (created first, so first in the tree) before 4班, names sorted within a branch
    assert html.index(t.member.name) < html.index(t.in_branch2.name)
    assert html.index(t.in_branch2.name) < html.index(t.incomplete.name) or t.in_branch2.name > t.incomplete.name


def test_a_subordinate_admin_cannot_open_its_superiors_list(two_branches, client):
    t = two_branches
    client.force_login(t.branch_admin)
    assert client.get(f"/people/orgs/{t.general.id}/members/").status_code == 404


def test_the_page_count_does_not_grow_with_members_or_branches(
    two_branches, client, make_person, django_assert_max_num_queries
):
    t = two_branches
    client.force_login(t.uni_admin)
    url = f"/people/orgs/{t.uni.id}/members/"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for i in range(4):
        b = org_services.org_create_child(
            parent=t.general, short_name=f"五年制临床医学2017级{10 + i}班团支部", category=Category.BRANCH,
            actor=t.general_admin,
        )  # fmt: skip
        for j in range(15):
            make_person(f"新团员{i}{j}", branch=b)
    stats_recount(fix=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "共 64 条" in html  # 4 + 60 members: counted from the figures, paginated by 50


def test_the_count_is_the_aggregate_not_a_scan(two_branches, client, django_assert_max_num_queries):
    """No COUNT(*) over the people of the subtree: a province holds millions of them."""
    t = two_branches
    client.force_login(t.province_admin)
    client.get(f"/people/orgs/{t.province.id}/members/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/people/orgs/{t.province.id}/members/")
    people_counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "people_person" in q["sql"] and "path" in q["sql"]
    ]
    assert not people_counts, people_counts


# --- API -----------------------------------------------------------------------


def test_the_api_lists_a_committees_subtree_masked_with_each_branch(two_branches, api_login):
    t = two_branches
    body = api_login(t.uni_admin).get(f"/api/v1/orgs/{t.uni.id}/members?page_size=3").json()
    assert body["count"] == 4 and len(body["items"]) == 3
    first = body["items"][0]
    assert first["branch"] == "五年制临床医学2017级3班团支部" and first["branch_id"] == t.branch.id
    assert all("*" in item["person"]["id_number"] for item in body["items"])
    incomplete = api_login(t.uni_admin).get(f"/api/v1/orgs/{t.uni.id}/members?complete=false").json()
    assert incomplete["count"] == 1 and incomplete["items"][0]["person"]["name"] == t.incomplete.name


def test_the_api_hides_a_committee_outside_reach(two_branches, api_login):
    t = two_branches
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.uni.id}/members").status_code == 404
    assert api_login(t.branch_admin).get(f"/api/v1/orgs/{t.general.id}/members").status_code in (403, 404)


@pytest.mark.parametrize("complete", [None, True, False])
def test_deep_pages_skip_whole_branches_and_equal_a_plain_offset(two_branches, make_person, monkeypatch, complete):
    """Past SKIP_FROM the slice starts from the branch the aggregates point at: the same rows as OFFSET."""
    t = two_branches
    for i in range(3):
        b = org_services.org_create_child(
            parent=t.general, short_name=f"五年制临床医学2017级{20 + i}班团支部", category=Category.BRANCH,
            actor=t.general_admin,
        )  # fmt: skip
        for j in range(4 + i):
            make_person(f"团员{i}{j}", branch=b, mobile="" if j % 3 == 0 else "13812345678")
    stats_recount(fix=True)
    members = selectors.subtree_member_list(t.uni, complete=complete)
    expected = list(members.queryset())
    monkeypatch.setattr(selectors.SubtreeMembers, "SKIP_FROM", 1)
    for start in range(len(expected) + 2):
        for size in (1, 3, 50):
            assert members[start : start + size] == expected[start : start + size], (start, size)


def test_deep_pages_do_not_offset_past_earlier_branches(two_branches, monkeypatch, django_assert_max_num_queries):
    t = two_branches
    monkeypatch.setattr(selectors.SubtreeMembers, "SKIP_FROM", 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.subtree_member_list(t.uni)[2:4]
    assert [p.branch_id for p in rows] == [t.branch2.id, t.branch2.id]  # the 3班 holds the first two
    assert "OFFSET 2" not in ctx.captured_queries[-1]["sql"]  # it starts at the 4班 instead


@pytest.mark.parametrize("complete", [None, True, False])
def test_without_the_progress_aggregates_the_list_counts_and_offsets_itself_with_the_same_answers(
    two_branches, monkeypatch, complete
):
    """progress registers its aggregate readers at start-up (people sits below it and never imports it);
    the list gives the same figures and pages without them."""
    t = two_branches
    assert selectors._member_aggregates is not None  # registered by progress/apps.py
    monkeypatch.setattr(selectors.SubtreeMembers, "SKIP_FROM", 1)
    with_aggregates = selectors.subtree_member_list(t.uni, complete=complete)
    expected = (with_aggregates.counts(), [with_aggregates[i : i + 2] for i in range(6)])
    monkeypatch.setattr(selectors, "_member_aggregates", None)
    alone = selectors.subtree_member_list(t.uni, complete=complete)
    assert (alone.counts(), [alone[i : i + 2] for i in range(6)]) == expected
