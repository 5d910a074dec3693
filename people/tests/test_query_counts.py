"""The people lists through the API, the search and export requests and 个人中心 cost the same number of queries
for a few rows as for many (STYLE: every list page gets an assertNumQueries test; the pages' own tests are in
test_members.py, test_subtree_members.py and test_cadres.py)."""

import itertools

import pytest

from conftest import get_ok
from orgs.rules import Category
from orgs.services import org_create_child
from people.services import cadre_assign
from people.tests.test_cadres import add as cadre_add
from progress.aggregates import stats_recount


@pytest.fixture
def crowd(tree, make_person):
    """`t.grow(n)` adds n members to the class branch and n to a second one, half of them incomplete, all named
    张伟 (the search finds each of them); the progress figures are recounted."""
    t = tree
    t.branch2 = org_create_child(parent=t.general, short_name="临床医学2017级4班团支部", category=Category.BRANCH,
                                 actor=t.general_admin)  # fmt: skip

    serial = itertools.count()

    def grow(count: int):
        for _ in range(count):
            i = next(serial)
            for branch in (t.branch, t.branch2):
                make_person("张伟", branch=branch, **({"mobile": ""} if i % 2 == 0 else {}))
        stats_recount(fix=True)

    grow(1)
    t.grow = grow
    return t


@pytest.mark.parametrize(
    ("viewer", "org", "query", "ceiling"),
    [
        ("branch_admin", "branch", "", 7),  # full ID numbers: one audit row for the page
        ("branch_admin", "branch", "?complete=false", 7),
        ("general_admin", "branch", "", 6),  # masked
        ("general_admin", "general", "", 5),  # 下级团员 of a committee, counted from the figures
        ("uni_admin", "uni", "?complete=true", 5),
    ],
)
def test_the_api_members_list(crowd, api_login, assert_flat_queries, viewer, org, query, ceiling):
    api = api_login(getattr(crowd, viewer))
    url = f"/api/v1/orgs/{getattr(crowd, org).id}/members{query}"
    before, after = assert_flat_queries(get_ok(api, url), lambda: crowd.grow(10), ceiling=ceiling)
    assert len(after.json()["items"]) > len(before.json()["items"])


@pytest.mark.parametrize(("viewer", "ceiling"), [("college_admin", 6), ("uni_admin", 6), ("province_admin", 5)])
def test_the_api_cadres_list(tree, api_login, assert_flat_queries, viewer, ceiling):
    cadre_add(tree.college, tree.college_admin, position="委员", name="委员甲")

    def grow():
        for i in range(12):
            cadre_add(tree.college, tree.college_admin, position="委员", name=f"委员{i}", mobile="" if i % 2 else "13912345678")  # fmt: skip

    api = api_login(getattr(tree, viewer))
    before, after = assert_flat_queries(get_ok(api, f"/api/v1/orgs/{tree.college.id}/cadres"), grow, ceiling=ceiling)
    assert after.json()["count"] == before.json()["count"] + 12


def test_the_search_page(crowd, client, assert_flat_queries):
    client.force_login(crowd.general_admin)

    def fetch():
        response = client.post("/people/search/", {"query": "张伟\n李四"})
        assert response.status_code == 200
        return response

    _, after = assert_flat_queries(fetch, lambda: crowd.grow(10), ceiling=9)
    assert after.content.decode().count("张伟") >= 22


def test_the_search_api(crowd, api_login, assert_flat_queries):
    api = api_login(crowd.general_admin)

    def fetch():
        response = api.post(f"/api/v1/orgs/{crowd.general.id}/people/search", {"query": "张伟\n李四"},
                            content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content.decode()
        return response

    before, after = assert_flat_queries(fetch, lambda: crowd.grow(10), ceiling=5)
    assert len(after.json()["items"]) == len(before.json()["items"]) + 20


@pytest.mark.parametrize(
    # one more than the list: the export engine counts the rows to choose the immediate download or a job
    ("url", "ceiling"),
    [("/people/orgs/{id}/members/export/", 9), ("/api/v1/orgs/{id}/members.xlsx", 8)],
)
def test_the_exports(crowd, client, api_login, assert_flat_queries, url, ceiling):
    if url.startswith("/api/"):
        http = api_login(crowd.general_admin)
    else:
        http = client
        client.force_login(crowd.general_admin)
    before, after = assert_flat_queries(
        get_ok(http, url.format(id=crowd.general.id)), lambda: crowd.grow(10), ceiling=ceiling
    )
    assert len(after.content) > len(before.content)


def test_the_personal_page_with_ones_cadre_posts(tree, client, assert_flat_queries):
    person = tree.general_admin

    def grow():
        for i in range(10):
            org = org_create_child(parent=tree.general, short_name=f"临床医学2017级{10 + i}班团支部",
                                   category=Category.BRANCH, actor=tree.general_admin)  # fmt: skip
            cadre_assign(person=person, org=org, position="指导员")

    client.force_login(person)
    _, after = assert_flat_queries(get_ok(client, "/people/me/"), grow, ceiling=9)  # + the open 任职确认
    assert "临床医学2017级19班团支部" in after.content.decode()
