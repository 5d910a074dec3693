"""The 团籍状态 lists cost the same number of queries however many rows they show (STYLE: selectors own joins)."""

import pytest

from conftest import get_ok, make_person_plain

from .conftest import leave

pytestmark = pytest.mark.django_db


def test_overage_lists_are_flat(st_tree, client, api_login, assert_flat_queries):
    t = st_tree
    client.force_login(t.general_admin)

    def grow():
        for i in range(4):
            make_person_plain(f"加入超龄{i}", "19900101", branch=t.branch)

    assert_flat_queries(get_ok(client, f"/standing/orgs/{t.general.id}/overage/"), grow, 30)
    api = api_login(t.general_admin)
    assert_flat_queries(get_ok(api, f"/api/v1/orgs/{t.general.id}/overage"), grow, 30)


def test_left_lists_are_flat(st_tree, client, api_login, assert_flat_queries):
    t = st_tree
    leave(t, t.old)
    client.force_login(t.general_admin)

    def grow():
        leave(t, t.old2)
        leave(t, t.member)

    assert_flat_queries(get_ok(client, f"/standing/orgs/{t.general.id}/left/"), grow, 30)
