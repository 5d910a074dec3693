"""The registration pickers (pages and API) cost the same number of queries for a few hits as for many
(STYLE: every list page gets an assertNumQueries test)."""

import pytest

from conftest import get_ok
from orgs.rules import Category
from orgs.services import org_create_child


@pytest.fixture
def grow_branches(tree):
    def grow():
        for i in range(12):
            org_create_child(parent=tree.general, short_name=f"临床医学2017级{10 + i}班团支部",
                             category=Category.BRANCH, actor=tree.general_admin)  # fmt: skip

    return grow


@pytest.mark.parametrize("url", ["/accounts/register/orgs/?q=团支部", "/accounts/register/branches/?q=团支部"])
def test_the_pickers(client, grow_branches, assert_flat_queries, url):
    _, after = assert_flat_queries(get_ok(client, url), grow_branches, ceiling=1)
    assert "临床医学2017级21班团支部" in after.content.decode()


def test_the_api_picker(client, grow_branches, assert_flat_queries):
    before, after = assert_flat_queries(get_ok(client, "/api/v1/register/orgs?q=团支部"), grow_branches, ceiling=1)
    assert len(after.json()) == len(before.json()) + 12
