"""Who may see and act on which organisation (SPEC §8): orgs.access."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import NotAllowed, NotFound
from orgs import access
from orgs.models import Org
from people import services as people_services
from people.admins import org_admin_add


def test_an_admin_is_admin_of_their_own_org_only(tree):
    assert access.is_admin_of(tree.uni_admin, tree.uni) is True
    assert access.is_admin_of(tree.uni_admin, tree.college) is False
    assert access.is_admin_of(tree.uni_admin, tree.province) is False


def test_is_admin_of_parent_covers_direct_subordinates_only(tree):
    assert access.is_admin_of_parent(tree.general_admin, tree.branch) is True
    assert access.is_admin_of_parent(tree.college_admin, tree.branch) is False
    assert access.is_admin_of_parent(tree.branch_admin, tree.branch) is False


def test_the_root_has_no_parent_admin(tree):
    assert access.is_admin_of_parent(tree.root_admin, tree.root) is False


def test_is_admin_of_ancestor_covers_every_proper_ancestor(tree):
    for persona in ("root_admin", "province_admin", "uni_admin", "college_admin", "general_admin"):
        assert access.is_admin_of_ancestor(getattr(tree, persona), tree.branch) is True, persona
    assert access.is_admin_of_ancestor(tree.branch_admin, tree.branch) is False
    assert access.is_admin_of_ancestor(tree.city_admin, tree.branch) is False
    assert access.is_admin_of_ancestor(tree.outsider, tree.branch) is False


def test_an_admin_views_their_org_and_everything_below(tree):
    for org in (tree.uni, tree.college, tree.general, tree.branch):
        assert access.can_view(tree.uni_admin, org) is True, org


def test_a_branch_admin_cannot_view_its_parent(tree):
    assert access.can_view(tree.branch_admin, tree.branch) is True
    assert access.can_view(tree.branch_admin, tree.general) is False


def test_an_admin_cannot_view_a_sibling_org(tree):
    assert access.can_view(tree.city_admin, tree.uni) is False
    assert access.can_view(tree.uni_admin, tree.city) is False


def test_the_outsider_sees_nothing_of_the_jiangsu_subtree(tree):
    for org in tree.province.subtree():
        assert access.can_view(tree.outsider, org) is False, org
    assert not access.visible_orgs(tree.outsider).filter(pk__in=tree.province.subtree().values("pk")).exists()
    assert set(access.visible_orgs(tree.outsider)) == {tree.other_province}


def test_visible_orgs_is_the_admins_subtree(tree):
    assert set(access.visible_orgs(tree.province_admin)) == set(tree.province.subtree())
    assert set(access.visible_orgs(tree.college_admin)) == {tree.college, tree.general, tree.branch}
    assert set(access.visible_orgs(tree.branch_admin)) == {tree.branch}


def test_the_root_admin_sees_the_whole_tree(tree):
    assert set(access.visible_orgs(tree.root_admin)) == set(Org.objects.all())


def test_a_plain_member_sees_no_organisation(tree):
    assert list(access.visible_orgs(tree.member)) == []
    assert access.can_view(tree.member, tree.branch) is False


def test_an_anonymous_user_sees_nothing(tree):
    anonymous = AnonymousUser()
    assert list(access.visible_orgs(anonymous)) == []
    assert access.can_view(anonymous, tree.root) is False


def test_an_operator_sees_everything(tree, make_person):
    operator = make_person("运维人员")
    operator.is_superuser = True
    assert access.can_view(operator, tree.branch) is True
    assert set(access.visible_orgs(operator)) == set(Org.objects.all())


def test_admin_posts_in_two_subtrees_make_both_visible(tree):
    person = tree.city_admin
    people_services.cadre_assign(person=person, org=tree.college, position="委员")
    org_admin_add(org=tree.college, person=person)
    assert set(access.visible_orgs(person)) == {tree.city, tree.college, tree.general, tree.branch}


def test_acting_org_prefers_the_org_itself_then_its_parent(tree):
    assert access.acting_org(tree.branch_admin, tree.branch) == tree.branch
    assert access.acting_org(tree.general_admin, tree.branch) == tree.general
    assert access.acting_org(tree.college_admin, tree.branch) is None
    assert access.acting_org(tree.general_admin, tree.branch, as_parent=False) is None


def test_require_manage_refuses_a_read_only_ancestor_in_chinese(tree):
    with pytest.raises(NotAllowed) as exc:
        access.require_manage(tree.college_admin, tree.branch, action="删除组织")
    assert "删除组织" in exc.value.message
    assert "直属上级组织管理员" in exc.value.message


def test_fetch_org_answers_the_same_for_missing_and_not_visible(tree):
    with pytest.raises(NotFound) as hidden:
        access.fetch_org(tree.outsider, tree.branch.id)
    missing_id = Org.objects.order_by("-id").first().id + 1000
    with pytest.raises(NotFound) as missing:
        access.fetch_org(tree.outsider, missing_id)
    assert hidden.value.message == missing.value.message
    assert hidden.value.code == missing.value.code
