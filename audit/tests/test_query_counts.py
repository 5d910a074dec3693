"""操作记录, page and API, costs the same number of queries for a few events as for many (STYLE: every list
page gets an assertNumQueries test)."""

import pytest

from audit.services import audit_record
from conftest import get_ok


@pytest.fixture
def trail(tree):
    """Events by different actors about different organisations of the 团总支's subtree."""

    def add(count: int):
        actors = [tree.general_admin, tree.branch_admin, None]
        orgs = [tree.general, tree.branch]
        for i in range(count):
            audit_record(actor=actors[i % 3], verb="测试操作", target=orgs[i % 2], org=orgs[i % 2],
                         changes={"note": f"第{i}条"})  # fmt: skip

    add(1)
    tree.add_events = add
    return tree


@pytest.mark.parametrize("query", ["", "?verb=测试操作"])
def test_the_page(trail, client, assert_flat_queries, query):
    client.force_login(trail.general_admin)
    url = f"/audit/orgs/{trail.general.id}/{query}"
    # the layout's (session, user, admin posts, menu's to-do counts, post offers), then organisation, verbs, count, rows
    _, after = assert_flat_queries(get_ok(client, url), lambda: trail.add_events(20), ceiling=14)
    assert "第19条" in after.content.decode()


@pytest.mark.parametrize("query", ["", "&verb=测试操作"])
def test_the_api(trail, api_login, assert_flat_queries, query):
    api = api_login(trail.general_admin)
    url = f"/api/v1/orgs/{trail.general.id}/audit?page_size=50{query}"
    before, after = assert_flat_queries(get_ok(api, url), lambda: trail.add_events(20), ceiling=5)
    assert after.json()["count"] == before.json()["count"] + 20
    assert {e["actor"] for e in after.json()["items"]} >= {trail.general_admin.name, trail.branch_admin.name, None}
