"""Admins of an organisation (SPEC C5): at most three, each a cadre of that organisation."""

import pytest

from core.exceptions import Conflict, DomainError
from orgs import access
from orgs.models import OrgAdmin
from people import services as people_services
from people.admins import org_admin_add


def add_cadre_admin(org, make_person, name, birth):
    person = make_person(name, birth=birth)
    people_services.cadre_assign(person=person, org=org, position="副书记")
    org_admin_add(org=org, person=person)
    return person


def test_an_org_may_have_three_admins(tree, make_person):
    add_cadre_admin(tree.uni, make_person, "副书记甲", "19930101")
    add_cadre_admin(tree.uni, make_person, "副书记乙", "19930202")
    assert OrgAdmin.objects.filter(org=tree.uni).count() == 3


def test_a_fourth_admin_is_refused_with_conflict(tree, make_person):
    add_cadre_admin(tree.uni, make_person, "副书记甲", "19930101")
    add_cadre_admin(tree.uni, make_person, "副书记乙", "19930202")
    fourth = make_person("委员丙", birth="19930303")
    people_services.cadre_assign(person=fourth, org=tree.uni, position="委员")
    with pytest.raises(Conflict) as exc:
        org_admin_add(org=tree.uni, person=fourth)
    assert exc.value.status == 409
    assert exc.value.code == "admin_limit"
    assert "3名管理员" in exc.value.message
    assert OrgAdmin.objects.filter(org=tree.uni).count() == 3
    assert access.is_admin_of(fourth, tree.uni) is False


def test_the_limit_is_per_org(tree, make_person):
    add_cadre_admin(tree.uni, make_person, "副书记甲", "19930101")
    add_cadre_admin(tree.uni, make_person, "副书记乙", "19930202")
    add_cadre_admin(tree.college, make_person, "副书记丙", "19930303")
    assert OrgAdmin.objects.filter(org=tree.college).count() == 2


def test_an_admin_must_be_a_cadre_of_the_org(tree, make_person):
    person = make_person("非团干部", birth="19930404")
    with pytest.raises(DomainError) as exc:
        org_admin_add(org=tree.uni, person=person)
    assert exc.value.code == "admin_not_cadre"
    assert "团干部中选择" in exc.value.message  # the wording of 管理员变更, where admins meet this rule
    assert not OrgAdmin.objects.filter(person=person).exists()


def test_a_cadre_of_another_org_cannot_be_made_admin(tree):
    # The college admin is a cadre of the college, not of the university.
    with pytest.raises(DomainError) as exc:
        org_admin_add(org=tree.uni, person=tree.college_admin)
    assert exc.value.code == "admin_not_cadre"


def test_the_same_person_cannot_be_added_twice(tree):
    with pytest.raises(Conflict) as exc:
        org_admin_add(org=tree.uni, person=tree.uni_admin)
    assert exc.value.code == "already_admin"
    assert OrgAdmin.objects.filter(org=tree.uni).count() == 1


def test_a_new_admin_can_act_at_once(tree, make_person):
    person = make_person("副书记甲", birth="19930101")
    people_services.cadre_assign(person=person, org=tree.uni, position="副书记")
    assert access.is_admin_of(person, tree.uni) is False
    org_admin_add(org=tree.uni, person=person)
    assert access.is_admin_of(person, tree.uni) is True
