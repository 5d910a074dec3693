"""Creating a direct subordinate (SPEC T3, T5, T6, T7): orgs.services.org_create_child."""

import pytest

from core.exceptions import Conflict, DomainError, NotAllowed
from orgs import services
from orgs.models import Org
from orgs.rules import Category


def test_it_creates_a_child_under_the_actors_own_org(tree):
    org = services.org_create_child(
        parent=tree.general, short_name="临床医学2017级4班团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    assert org.parent_id == tree.general.id
    assert org.path.startswith(tree.general.path)
    assert org.category == "团支部"
    assert org.level == 6


def test_it_proposes_the_parents_full_name_plus_the_short_name(tree):
    org = services.org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )
    assert org.full_name == tree.uni.full_name + "口腔医学院团委"
    assert tree.uni.full_name == "共青团江苏省委员会南京医科大学团委"


def test_the_creator_may_correct_the_proposed_full_name(tree):
    org = services.org_create_child(
        parent=tree.uni,
        short_name="口腔医学院团委",
        category=Category.PRIMARY,
        full_name="共青团南京医科大学口腔医学院委员会",
        actor=tree.uni_admin,
    )
    assert org.full_name == "共青团南京医科大学口腔医学院委员会"


def test_it_refuses_a_placement_t3_forbids(tree):
    with pytest.raises(DomainError) as exc:
        services.org_create_child(
            parent=tree.general, short_name="临床医学院团委", category=Category.PRIMARY, actor=tree.general_admin
        )
    assert exc.value.code == "placement"
    assert not Org.objects.filter(short_name="临床医学院团委").exists()


def test_it_refuses_a_child_under_a_branch(tree):
    with pytest.raises(DomainError) as exc:
        services.org_create_child(
            parent=tree.branch, short_name="一组团支部", category=Category.BRANCH, actor=tree.branch_admin
        )
    assert exc.value.code == "placement"


@pytest.mark.parametrize("category", [Category.LEADING, Category.PENDING])
def test_an_admin_cannot_create_a_system_category(tree, category):
    with pytest.raises(DomainError) as exc:
        services.org_create_child(
            parent=tree.province, short_name="团苏州市委", category=category, actor=tree.province_admin
        )
    assert exc.value.code == "placement"
    assert "不能由管理员创建" in exc.value.message


def test_the_operator_may_create_a_leading_body(tree):
    org = services.org_create_child(
        parent=tree.province, short_name="团苏州市委", category=Category.LEADING, by_operator=True
    )
    assert org.category == "团的领导机关"


def test_it_refuses_a_short_name_whose_suffix_does_not_match(tree):
    with pytest.raises(DomainError) as exc:
        services.org_create_child(
            parent=tree.general, short_name="临床医学2017级4班", category=Category.BRANCH, actor=tree.general_admin
        )
    assert exc.value.code == "name_suffix"


def test_it_refuses_a_sibling_with_the_same_short_name(tree):
    with pytest.raises(Conflict) as exc:
        services.org_create_child(
            parent=tree.college, short_name="临床医学2017级团总支", category=Category.GENERAL, actor=tree.college_admin
        )
    assert exc.value.status == 409
    assert exc.value.code == "duplicate_name"
    assert "同级组织不能重名" in exc.value.message
    assert Org.objects.filter(parent=tree.college).count() == 1


def test_it_refuses_a_same_name_that_differs_only_by_full_width_characters_and_spaces(tree):
    with pytest.raises(Conflict):
        services.org_create_child(
            parent=tree.college,
            short_name=" 临床医学２０１７级团总支 ",
            category=Category.GENERAL,
            actor=tree.college_admin,
        )


def test_the_same_short_name_is_allowed_under_another_parent(tree):
    org = services.org_create_child(
        parent=tree.uni, short_name="临床医学2017级团总支", category=Category.GENERAL, actor=tree.uni_admin
    )
    assert org.short_name == tree.general.short_name


def test_the_admin_of_the_grandparent_cannot_create_under_a_descendant(tree):
    with pytest.raises(NotAllowed):
        services.org_create_child(
            parent=tree.general,
            short_name="临床医学2017级4班团支部",
            category=Category.BRANCH,
            actor=tree.college_admin,
        )


def test_a_branch_member_cannot_create_anything(tree):
    with pytest.raises(NotAllowed) as exc:
        services.org_create_child(
            parent=tree.general, short_name="临床医学2017级4班团支部", category=Category.BRANCH, actor=tree.member
        )
    assert exc.value.status == 403


def test_an_admin_of_another_tree_cannot_create_children(tree):
    with pytest.raises(NotAllowed):
        services.org_create_child(
            parent=tree.province, short_name="东南大学团委", category=Category.PRIMARY, actor=tree.outsider
        )


def test_without_an_actor_it_refuses_unless_called_by_the_operator(tree):
    with pytest.raises(NotAllowed):
        services.org_create_child(parent=tree.province, short_name="东南大学团委", category=Category.PRIMARY)


def test_new_children_are_ordered_after_their_siblings(tree):
    a = services.org_create_child(
        parent=tree.general, short_name="临床医学2017级4班团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    b = services.org_create_child(
        parent=tree.general, short_name="临床医学2017级5班团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    assert tree.branch.sort_order < a.sort_order < b.sort_order


def test_a_second_root_is_refused(tree):
    with pytest.raises(Conflict) as exc:
        services.org_create_root(short_name="团中央2")
    assert exc.value.code == "root_exists"


def test_the_direct_superiors_admin_cannot_create_under_a_subordinate(tree):
    # T6: an admin creates direct subordinates of their own organisation only.
    with pytest.raises(NotAllowed):
        services.org_create_child(
            parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.province_admin
        )
