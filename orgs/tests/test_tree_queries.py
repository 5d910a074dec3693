"""The tree (SPEC T1): levels, and subtree / ancestors / children in one query each."""

import pytest

from orgs import access, selectors
from orgs.models import Org


def test_levels_are_counted_from_the_root_as_t1_says(tree):
    assert [o.level for o in (tree.root, tree.province, tree.uni, tree.college, tree.general, tree.branch)] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert tree.city.level == 3
    assert tree.other_province.level == 2


def test_a_subtree_holds_the_org_and_everything_below_it_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        orgs = list(tree.province.subtree().order_by("path"))
    assert orgs == [tree.province, tree.city, tree.uni, tree.college, tree.general, tree.branch]


def test_a_subtree_excludes_siblings_and_their_descendants(tree):
    assert set(tree.uni.subtree()) == {tree.uni, tree.college, tree.general, tree.branch}
    assert tree.other_province not in set(tree.province.subtree())


def test_a_leaf_subtree_is_the_leaf_alone(tree):
    assert list(tree.branch.subtree()) == [tree.branch]


def test_ancestors_are_root_first_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = list(tree.branch.ancestors())
    assert chain == [tree.root, tree.province, tree.uni, tree.college, tree.general]


def test_the_root_has_no_ancestors(tree):
    assert list(tree.root.ancestors()) == []


def test_children_are_the_direct_subordinates_in_order_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        children = list(tree.province.children())
    assert children == [tree.city, tree.uni]


def test_the_children_selector_counts_admins_in_the_same_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        children = list(selectors.org_children(tree.province))
    assert [c.admin_count for c in children] == [1, 1]


def test_the_children_follow_sort_order_not_creation_order(tree):
    Org.objects.filter(pk=tree.city.pk).update(sort_order=99)
    assert list(tree.province.children()) == [tree.uni, tree.city]


@pytest.mark.parametrize("persona", ["province_admin", "uni_admin", "branch_admin", "outsider"])
def test_visible_orgs_costs_one_query_once_admin_posts_are_known(tree, persona, django_assert_num_queries):
    person = getattr(tree, persona)
    access.admin_orgs(person)
    with django_assert_num_queries(1):
        list(access.visible_orgs(person))
