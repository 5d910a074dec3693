"""The organisation pages and API lists cost the same number of queries for a few rows as for many (STYLE: every
list page gets an assertNumQueries test).

The ceilings include what every request pays: for an admin's page the session, the user, their admin posts
and the menu's to-do counts (an htmx fragment shows no menu and counts nothing); for the API the token and
admin posts.
"""

import itertools

import pytest

from conftest import get_ok
from orgchanges import admin_changes
from orgchanges.migration import migration_apply
from orgs.models import OrgMigration, RegistrationCode
from orgs.rules import Category
from orgs.services import org_create_child
from people.admins import org_admin_add
from people.members import member_self_register
from people.post_offers import post_offer_make
from people.services import cadre_assign
from transfers import services as transfers
from workflow.tests.helpers import add_remarks


def branch_data(name: str) -> dict:
    from conftest import make_id_number

    return {"name": name, "id_number": make_id_number("20020202"), "ethnicity": "汉族", "political_status": "团员",
            "league_join_date": "2016-09", "education": "大学本科", "occupation": "学生", "mobile": "13812345678"}  # fmt: skip


@pytest.fixture
def busy(tree, make_person):
    """`tree.grow(n)` adds n branches under the 团总支, each with its own admin, a pending admin change, a pending
    migration to a second 团总支, a member's transfer application and a self-registered member of the
    original branch waiting to be verified, with a post offered to them (任职确认): a row in each of the general
    admin's and branch admin's lists."""
    tree.general2 = org_create_child(parent=tree.college, short_name="临床医学2018级团总支", category=Category.GENERAL,
                                     actor=tree.college_admin)  # fmt: skip

    serial = itertools.count()

    def grow(count: int):
        for _ in range(count):
            i = next(serial)
            branch = org_create_child(parent=tree.general, short_name=f"临床医学2017级{10 + i}班团支部",
                                      category=Category.BRANCH, actor=tree.general_admin)  # fmt: skip
            admin = make_person(f"支部书记{i}", branch=branch)
            cadre_assign(person=admin, org=branch, position="书记")
            org_admin_add(org=branch, person=admin)
            deputy = make_person(f"组织委员{i}", branch=branch)
            cadre_assign(person=deputy, org=branch, position="组织委员")
            admin_changes.admin_change_request(org=branch, person=deputy, action="add", actor=admin)
            migration_apply(org=branch, to_parent=tree.general2, reason="年级调整", actor=admin)
            leaving = make_person(f"转出团员{i}", branch=branch)
            transfers.transfer_submit(actor=leaving, person=leaving, to_org=tree.branch, reason="升学")
            newcomer = member_self_register(
                branch_id=tree.branch.id, data=branch_data(f"新注册{i}"), password="Tuan#Test2026"
            )
            # Another province offers the newcomer a post: the branch admin answers for their record.
            post_offer_make(person=newcomer, org=tree.other_province, position="委员", actor=tree.outsider)

    grow(1)
    tree.grow = grow
    return tree


# --- 管理中心 and the tree ---------------------------------------------------------------------


def test_the_home_page_of_a_committee_with_its_todo_lists(busy, client, assert_flat_queries):
    client.force_login(busy.general_admin)
    # 15: the branches below the admin's organisations are looked up once (one query, instead of a subquery
    # PostgreSQL scanned), for the 待办 count, the to-do list and the menu alike; no members to verify counted,
    # none listed
    before, after = assert_flat_queries(get_ok(client, "/manage/"), lambda: busy.grow(8), ceiling=15)
    html = after.content.decode()
    assert "待处理的组织关系转接（9）" in html and "待审批的组织迁移（9）" in html and "待办（9）" in html
    assert html.count("班团支部") >= before.content.decode().count("班团支部") + 8


def test_the_home_page_of_a_branch_with_members_to_verify(busy, client, assert_flat_queries):
    client.force_login(busy.branch_admin)
    # 12: nothing sits under a branch, so no branches below, subordinates or migrations to look up, and no admin
    # changes to list when the menu counts none
    _, after = assert_flat_queries(get_ok(client, "/manage/"), lambda: busy.grow(8), ceiling=12)
    assert "待认证团员（9）" in after.content.decode() and "待确认的任职（9）" in after.content.decode()


@pytest.mark.parametrize("view", ["tree", "tree_at", "tree_children", "children_order", "progress_prompt"])
def test_the_tree_pages_list_children(busy, client, assert_flat_queries, view):
    url = {
        "tree": "/manage/tree/",
        "tree_at": f"/manage/orgs/{busy.general.id}/tree/",
        "tree_children": f"/manage/orgs/{busy.general.id}/tree/children/",
        "children_order": f"/manage/orgs/{busy.general.id}/children/order/",
        "progress_prompt": "/manage/prompt/",
    }[view]
    client.force_login(busy.general_admin)
    # tree_children is an htmx fragment: no menu, so none of its counts
    ceiling = {"tree": 9, "tree_at": 10, "tree_children": 5, "children_order": 9, "progress_prompt": 9}[view]
    before, after = assert_flat_queries(get_ok(client, url), lambda: busy.grow(8), ceiling=ceiling)
    if view != "progress_prompt":
        assert after.content.decode().count("班团支部") >= before.content.decode().count("班团支部") + 8


# --- admins -------------------------------------------------------------------------------------


@pytest.fixture
def cadres(tree, make_person):
    """`tree.add_cadres(n)` makes n more cadres of the 团总支; the general admin asks to make each an admin."""

    serial = itertools.count()

    def add(count: int):
        for _ in range(count):
            person = make_person(f"团总支委员{next(serial)}")
            cadre_assign(person=person, org=tree.general, position="委员")
            admin_changes.admin_change_request(org=tree.general, person=person, action="add", actor=tree.general_admin)

    add(1)
    tree.add_cadres = add
    return tree


def test_the_admins_page_with_candidates_and_pending_changes(cadres, client, assert_flat_queries):
    client.force_login(cadres.general_admin)
    _, after = assert_flat_queries(
        get_ok(client, f"/manage/orgs/{cadres.general.id}/admins/"), lambda: cadres.add_cadres(10), ceiling=11
    )
    assert after.content.decode().count("设为管理员") == 11


def test_the_detail_page_with_its_admins(tree, client, make_person, assert_flat_queries):
    def grow():
        for i in range(2):
            person = make_person(f"副书记{i}")
            cadre_assign(person=person, org=tree.general, position="副书记")
            org_admin_add(org=tree.general, person=person)

    client.force_login(tree.college_admin)
    _, after = assert_flat_queries(get_ok(client, f"/manage/orgs/{tree.general.id}/"), grow, ceiling=10)
    assert "副书记1" in after.content.decode()


def test_the_api_admins_list(tree, make_person, api_login, assert_flat_queries):
    def grow():
        for i in range(2):
            person = make_person(f"副书记{i}")
            cadre_assign(person=person, org=tree.general, position="副书记")
            org_admin_add(org=tree.general, person=person)

    api = api_login(tree.college_admin)
    _, after = assert_flat_queries(get_ok(api, f"/api/v1/orgs/{tree.general.id}/admins"), grow, ceiling=4)
    assert len(after.json()) == 3


def test_the_api_admin_changes_todo(busy, api_login, assert_flat_queries):
    api = api_login(busy.general_admin)
    # 4: the 待办 steps look up the branches below the admin's organisations first (workflow.engine._handled_q)
    _, after = assert_flat_queries(get_ok(api, "/api/v1/admin-changes"), lambda: busy.grow(8), ceiling=4)
    assert len(after.json()) == 9


# --- migrations ---------------------------------------------------------------------------------


def test_the_target_picker(tree, client, assert_flat_queries):
    def grow():
        for i in range(10):
            org_create_child(parent=tree.college, short_name=f"临床医学20{20 + i}级团总支", category=Category.GENERAL,
                             actor=tree.college_admin)  # fmt: skip

    client.force_login(tree.branch_admin)
    url = f"/manage/orgs/{tree.branch.id}/migrations/targets/?q=团总支"
    grow_first = org_create_child(parent=tree.college, short_name="临床医学2019级团总支", category=Category.GENERAL,
                                  actor=tree.college_admin)  # fmt: skip
    _, after = assert_flat_queries(get_ok(client, url), grow, ceiling=5)  # an htmx fragment: no menu
    html = after.content.decode()
    assert grow_first.full_name in html and "临床医学2029级团总支" in html


@pytest.fixture
def migration(tree):
    m = migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)
    actors = [tree.uni_admin, tree.province_admin, tree.outsider]

    def add_steps(count: int):
        add_remarks(m.process, actors, count)  # the timeline is the process's steps (SPEC-2 W)

    m.add_steps = add_steps
    return m


def test_the_migration_detail_pages_steps(tree, migration, client, assert_flat_queries):
    client.force_login(tree.province_admin)
    _, after = assert_flat_queries(
        get_ok(client, f"/manage/migrations/{migration.id}/"), lambda: migration.add_steps(9), ceiling=10
    )
    assert "第8条" in after.content.decode()


def test_the_api_migration_with_its_steps(tree, migration, api_login, assert_flat_queries):
    api = api_login(tree.province_admin)
    _, after = assert_flat_queries(
        get_ok(api, f"/api/v1/migrations/{migration.id}"), lambda: migration.add_steps(9), ceiling=5
    )
    assert len(after.json()["steps"]) == 10


@pytest.mark.parametrize("role", ["", "mine", "todo"])
def test_the_api_migrations_list(busy, api_login, assert_flat_queries, role):
    """As the 团总支's admin: its branches' requests wait for it (todo); its own request is 'mine'."""
    migration_apply(org=busy.general, to_parent=busy.uni, reason="学院调整", actor=busy.general_admin)

    def grow():
        busy.grow(8)
        for i, m in enumerate(OrgMigration.objects.select_related("process")):
            add_remarks(m.process, [busy.college_admin if i % 2 else None], 1)

    api = api_login(busy.general_admin)
    before, after = assert_flat_queries(get_ok(api, f"/api/v1/migrations?role={role}&page_size=50"), grow, ceiling=6)
    expected = {"": (2, 10), "mine": (1, 1), "todo": (1, 9)}[role]
    assert (before.json()["count"], after.json()["count"]) == expected
    assert all(m["steps"] for m in after.json()["items"])


# --- registration codes for every subordinate ----------------------------------------------------


@pytest.mark.parametrize("how", ["page", "api"])
def test_issuing_codes_for_all_subordinates(tree, client, api_login, assert_flat_queries, how):
    """The workbook lists one fresh code per direct subordinate: replaced and created in bulk."""

    def grow():
        for i in range(10):
            org_create_child(parent=tree.general, short_name=f"临床医学2017级{10 + i}班团支部",
                             category=Category.BRANCH, actor=tree.general_admin)  # fmt: skip

    if how == "api":
        api = api_login(tree.general_admin)

        def fetch():
            response = api.post(f"/api/v1/orgs/{tree.general.id}/registration-codes.xlsx")
            assert response.status_code == 200
            return response
    else:
        client.force_login(tree.general_admin)

        def fetch():
            response = client.post(f"/manage/orgs/{tree.general.id}/children/codes/")
            assert response.status_code == 200
            return response

    # One subordinate without an admin from the start (批量生成 skips those that have one).
    org_create_child(parent=tree.general, short_name="临床医学2017级9班团支部", category=Category.BRANCH,
                     actor=tree.general_admin)  # fmt: skip
    before, after = assert_flat_queries(fetch, grow, ceiling={"page": 10, "api": 9}[how])
    assert len(after.content) > len(before.content)
    assert RegistrationCode.objects.filter(org__parent=tree.general, replaced_at=None).count() == 11
