"""The success paths of three management pages: 管理员变更 decisions, 组织排序 and the organisation switcher."""

import pytest
from django.urls import reverse

from orgchanges.admin_changes import admin_change_request
from orgs.models import AdminChange, Org, OrgAdmin
from orgs.services import org_create_child
from people.admins import org_admin_add
from people.services import cadre_assign

Status = AdminChange.Status


def admins(org):
    return set(OrgAdmin.objects.filter(org=org).values_list("person__name", flat=True))


# --- 管理员变更: the direct superior decides on the page ------------------------------------------


@pytest.fixture
def change(tree, make_person):
    """校团委's own admin asks to add a deputy: it waits for 团江苏省委 (the direct superior)."""
    deputy = make_person("副书记", birth="19930101")
    cadre_assign(person=deputy, org=tree.uni, position="副书记")
    return admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)


def decide(client, change, decision, **data):
    return client.post(reverse("orgs:admin_change_decide", args=[change.pk, decision]), data, follow=True)


def test_the_superior_approves_an_admin_change_on_the_page(client, tree, change):
    client.force_login(tree.province_admin)
    r = decide(client, change, "approve")
    assert r.status_code == 200 and "已批准" in r.content.decode()
    assert AdminChange.objects.get(pk=change.pk).status == Status.APPROVED
    assert admins(tree.uni) == {"校团委管理员", "副书记"}


def test_the_superior_rejects_an_admin_change_on_the_page(client, tree, change):
    client.force_login(tree.province_admin)
    r = decide(client, change, "reject", note="请先完善团干部信息")
    assert r.status_code == 200 and "已驳回" in r.content.decode()
    decided = AdminChange.objects.get(pk=change.pk)
    # The note is the opinion of its process's decision step (SPEC-2 W2; AdminChange.note moved there).
    assert decided.status == Status.REJECTED and decided.process.steps.last().opinion == "请先完善团干部信息"
    assert admins(tree.uni) == {"校团委管理员"}


@pytest.mark.parametrize(("who", "decision"), [("uni_admin", "approve"), ("root_admin", "approve"),
                                               ("province_admin", "maybe")])  # fmt: skip
def test_only_the_direct_superior_decides_and_only_approve_or_reject(client, tree, change, who, decision):
    client.force_login(getattr(tree, who))
    assert decide(client, change, decision).status_code == 404
    assert AdminChange.objects.get(pk=change.pk).status == Status.PENDING
    assert admins(tree.uni) == {"校团委管理员"}


# --- 组织排序 ---------------------------------------------------------------------------------------


@pytest.fixture
def three_branches(tree):
    extra = [
        org_create_child(parent=tree.general, short_name=f"临床医学2017级{n}班团支部", category="团支部",
                         actor=tree.general_admin)
        for n in (4, 5)
    ]  # fmt: skip
    return [tree.branch, *extra]


def order_of(parent):
    return list(Org.objects.filter(parent=parent).order_by("sort_order", "id").values_list("id", flat=True))


def test_the_admin_saves_a_new_order_of_the_subordinates(client, tree, three_branches):
    wanted = [o.id for o in reversed(three_branches)]
    assert order_of(tree.general) != wanted
    client.force_login(tree.general_admin)
    r = client.post(reverse("orgs:children_order", args=[tree.general.id]), {"order": wanted}, follow=True)
    assert r.status_code == 200 and "排序已保存" in r.content.decode()
    assert order_of(tree.general) == wanted
    # The page lists them in the saved order.
    page = r.content.decode()
    positions = [page.index(o.short_name) for o in reversed(three_branches)]
    assert positions == sorted(positions)


def test_an_incomplete_order_is_refused_and_changes_nothing(client, tree, three_branches):
    before = order_of(tree.general)
    client.force_login(tree.general_admin)
    r = client.post(reverse("orgs:children_order", args=[tree.general.id]), {"order": before[:2]}, follow=True)
    assert "排序列表必须恰好包含全部直属下级组织" in r.content.decode()
    assert order_of(tree.general) == before


# --- the organisation switcher --------------------------------------------------------------------


@pytest.fixture
def two_hats(tree):
    """团总支's admin is also an admin of 第一临床医学院团委 (a cadre there too)."""
    cadre_assign(person=tree.general_admin, org=tree.college, position="委员")
    org_admin_add(org=tree.college, person=tree.general_admin)
    return tree.general_admin


def menu_org(page: str, tree) -> Org:
    """Which organisation the menu's 组织信息 link points to."""
    hits = [o for o in (tree.college, tree.general) if reverse("orgs:info", args=[o.id]) in page]
    assert len(hits) == 1, hits
    return hits[0]


def test_an_admin_of_two_organisations_switches_between_them(client, tree, two_hats):
    client.force_login(two_hats)
    first = client.get(reverse("orgs:home")).content.decode()
    assert 'id="org-switch"' in first
    assert menu_org(first, tree) == tree.college  # tree order: the higher one first
    r = client.post(reverse("orgs:switch"), {"org_id": tree.general.id})
    assert r.status_code == 302 and r.url == reverse("orgs:home")
    after = client.get(reverse("orgs:home")).content.decode()
    assert menu_org(after, tree) == tree.general
    assert f'<option value="{tree.general.id}" selected>' in after
    client.post(reverse("orgs:switch"), {"org_id": tree.college.id})
    assert menu_org(client.get(reverse("orgs:home")).content.decode(), tree) == tree.college


def test_switching_to_an_organisation_one_does_not_administer_is_404(client, tree, two_hats):
    client.force_login(two_hats)
    client.post(reverse("orgs:switch"), {"org_id": tree.general.id})
    assert client.post(reverse("orgs:switch"), {"org_id": tree.uni.id}).status_code == 404
    assert client.session["acting_org_id"] == tree.general.id
