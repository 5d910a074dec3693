"""Tree rules T2, T3, T7 (orgs.rules), checked against SPEC.md as written."""

import itertools

import pytest

from core.exceptions import DomainError
from orgs import rules

# SPEC T2: the six categories, verbatim, and SPEC-2 GR2's system category 毕业生团组织.
CATEGORIES = ["团的领导机关", "基层团委", "团工委", "团总支", "团支部", "待接转团支部", "毕业生团组织"]

# SPEC T3, restated here independently of the code, with the one exception U2 makes:
# every organisation that can delete a branch (any non-branch) holds its own
# 待接转团支部, created by the system, never by an admin. A 毕业生团组织 is a
# 团支部 switched in place (GR2), so it sits wherever a 团支部 may, a leaf too.
T3 = {
    "团的领导机关": set(CATEGORIES),
    "基层团委": {"基层团委", "团工委", "团总支", "团支部", "待接转团支部", "毕业生团组织"},
    "团工委": {"基层团委", "团工委", "团总支", "团支部", "待接转团支部", "毕业生团组织"},
    "团总支": {"团支部", "待接转团支部", "毕业生团组织"},
    "团支部": set(),
    "待接转团支部": set(),
    "毕业生团组织": set(),
}


def test_the_categories_are_the_six_terms_of_t2_and_gr2s_graduated_org():
    assert list(rules.Category.values) == CATEGORIES


@pytest.mark.parametrize(("parent", "child"), list(itertools.product(CATEGORIES, CATEGORIES)))
def test_may_contain_follows_t3(parent, child):
    assert rules.may_contain(parent, child) is (child in T3[parent])


@pytest.mark.parametrize(("parent", "child"), list(itertools.product(CATEGORIES, CATEGORIES)))
def test_check_placement_raises_exactly_where_t3_forbids(parent, child):
    if child in T3[parent]:
        rules.check_placement(parent, child)
    else:
        with pytest.raises(DomainError) as exc:
            rules.check_placement(parent, child)
        assert exc.value.code == "placement"


def test_it_names_what_may_be_created_under_a_general_branch():
    with pytest.raises(DomainError) as exc:
        rules.check_placement("团总支", "基层团委")
    assert "团总支下不能设立基层团委" in exc.value.message
    assert "团总支下只能设立：团支部" in exc.value.message


def test_it_says_a_branch_is_a_leaf():
    with pytest.raises(DomainError) as exc:
        rules.check_placement("团支部", "团支部")
    assert "最末级组织" in exc.value.message


def test_it_rejects_an_unknown_category():
    with pytest.raises(DomainError) as exc:
        rules.check_placement("团的领导机关", "团小组")
    assert exc.value.code == "bad_category"
    assert "团小组" in exc.value.message
    assert "不存在" in exc.value.message


def test_an_unknown_parent_category_may_contain_nothing():
    assert rules.may_contain("团小组", "团支部") is False


def test_admins_may_create_every_non_system_category_under_a_leading_body():
    assert rules.creatable_categories("团的领导机关") == ["基层团委", "团工委", "团总支", "团支部"]


@pytest.mark.parametrize("parent", CATEGORIES)
def test_admins_never_create_leading_bodies_or_pending_branches(parent):
    created = rules.creatable_categories(parent)
    assert "团的领导机关" not in created
    assert "待接转团支部" not in created
    assert set(created) <= T3[parent]


def test_only_branches_may_be_created_under_a_general_branch():
    assert rules.creatable_categories("团总支") == ["团支部"]


def test_nothing_may_be_created_under_a_branch():
    assert rules.creatable_categories("团支部") == []
    assert rules.creatable_categories("待接转团支部") == []


@pytest.mark.parametrize(
    ("short_name", "category"),
    [
        ("建国门街道团委", "基层团委"),
        ("北控集团团委", "基层团委"),
        ("第一临床医学院团委", "基层团委"),
        ("北控集团团工委", "团工委"),
        ("临床医学2017级团总支", "团总支"),
        ("大雅宝社区团支部", "团支部"),
        ("包装车间团支部", "团支部"),
        ("五年制临床医学2017级3班团支部", "团支部"),
        ("口腔医学（5+3）一体化2016级1班团支部", "团支部"),
        ("团江苏省委", "团的领导机关"),
    ],
)
def test_it_accepts_the_t7_examples(short_name, category):
    rules.check_short_name(short_name, category)


@pytest.mark.parametrize(
    ("short_name", "category", "suffix"),
    [
        ("大雅宝社区团委", "团支部", "团支部"),
        ("建国门街道团支部", "基层团委", "团委"),
        ("北控集团团工委", "基层团委", "团委"),
        ("北控集团团委", "团工委", "团工委"),
        ("临床医学2017级团支部", "团总支", "团总支"),
        ("临床医学2017级总支", "团总支", "团总支"),
        ("五年制临床医学2017级3班", "团支部", "团支部"),
    ],
)
def test_it_rejects_a_suffix_that_does_not_match_the_category(short_name, category, suffix):
    with pytest.raises(DomainError) as exc:
        rules.check_short_name(short_name, category)
    assert exc.value.code == "name_suffix"
    assert f"应以“{suffix}”结尾" in exc.value.message


@pytest.mark.parametrize(
    ("short_name", "category"),
    [
        ("团支部", "团支部"),
        ("团委", "基层团委"),
        ("团工委", "团工委"),
        ("团总支", "团总支"),
        ("  团支部", "团支部"),
        ("（）团支部", "团支部"),
        ("——团委", "基层团委"),
    ],
)
def test_it_requires_a_unit_or_place_name_before_the_suffix(short_name, category):
    with pytest.raises(DomainError) as exc:
        rules.check_short_name(short_name, category)
    assert exc.value.code == "name_prefix"
    assert "缺少单位或地名" in exc.value.message and "例如" in exc.value.message


def test_a_bare_suffix_is_refused_when_creating_a_subordinate(tree):
    from orgs.models import Org
    from orgs.services import org_create_child

    with pytest.raises(DomainError) as exc:
        org_create_child(parent=tree.general, short_name="团支部", category="团支部", actor=tree.general_admin)
    assert exc.value.code == "name_prefix"
    assert not Org.objects.filter(parent=tree.general, short_name="团支部").exists()


def test_it_requires_a_short_name():
    with pytest.raises(DomainError) as exc:
        rules.check_short_name("", "团支部")
    assert exc.value.code == "name_required"
    assert "请填写组织简称" in exc.value.message


def test_it_rejects_a_short_name_over_50_characters():
    with pytest.raises(DomainError) as exc:
        rules.check_short_name("很" * 48 + "团支部", "团支部")
    assert exc.value.code == "name_too_long"
