"""S1–S4 on their boundaries, through the aggregates the pages read."""

import pytest

from accounts.registration import admin_register
from conftest import PASSWORD, make_id_number
from orgs import codes
from orgs.models import OrgAdmin
from orgs.rules import Category
from orgs.services import org_create_child
from people import cadres, members
from people.models import Person
from people.org_info import org_info_update
from progress import standards
from progress.aggregates import stats_recount
from progress.models import OrgStats


def own(org):
    return OrgStats.objects.get(org=org)


def person_data(name, *, mobile="13912345678"):
    return {
        "name": name, "id_number": make_id_number("19980101"), "ethnicity": "汉族", "political_status": "团员",
        "league_join_date": "2012-09", "education": "大学本科", "occupation": "学生", "mobile": mobile,
    }  # fmt: skip


def test_s2_two_complete_cadres_complete_a_committee_and_one_does_not(stats_tree, committed):
    t = stats_tree
    with committed():
        general = org_create_child(parent=t.college, short_name="护理学2018级团总支", category=Category.GENERAL,
                                   actor=t.college_admin)  # fmt: skip
        # P3: its own admin enters its cadres (an admin row alone, so that no cadre of the admin's counts here).
        OrgAdmin.objects.create(org=general, person=t.college_admin, slot=1)
        admin = Person.objects.get(pk=t.college_admin.pk)  # without the cached admin organisations
        cadres.cadre_add(org=general, person_data=person_data("甲"), position="书记", actor=admin)
        cadres.cadre_add(org=general, person_data=person_data("乙", mobile=""), position="副书记",
                         actor=admin)  # fmt: skip
    assert own(general).cadre_complete_count == 1
    assert own(general).own_cadre_orgs_complete == 0
    with committed():
        cadres.cadre_add(org=general, person_data=person_data("丙"), position="委员", actor=admin)
    assert own(general).cadre_complete_count == 2
    assert own(general).own_cadre_orgs_complete == 1
    assert stats_recount() == []


def test_s3_three_complete_members_or_cadres_complete_a_branch_and_two_do_not(stats_tree, committed):
    t = stats_tree
    with committed():
        branch = org_create_child(parent=t.general, short_name="临床医学2017级4班团支部", category=Category.BRANCH,
                                  actor=t.general_admin)  # fmt: skip
        members.member_add(branch=branch, data=person_data("一"), actor=t.general_admin)
        members.member_add(branch=branch, data=person_data("二"), actor=t.general_admin)
        members.member_add(branch=branch, data=person_data("三", mobile=""), actor=t.general_admin)
    assert (own(branch).own_members, own(branch).own_members_complete, own(branch).own_branches_complete) == (3, 2, 0)
    # A complete cadre of the branch who is a member elsewhere counts too (S3: members or cadres), once.
    with committed():
        from people.services import cadre_assign

        cadre_assign(person=t.member, org=branch, position="组织委员")
    assert own(branch).entered_count == 3
    assert own(branch).own_branches_complete == 1
    assert stats_recount() == []


def test_a_branch_cadre_who_is_also_its_member_counts_once(stats_tree):
    assert own(stats_tree.branch).entered_count == 2  # 支部书记 (member and cadre) and 普通团员
    assert own(stats_tree.branch).own_branches_complete == 0


def test_s4_an_unverified_complete_member_counts(stats_tree, committed):
    t = stats_tree
    with committed():
        members.member_self_register(branch_id=t.branch.id, data=person_data("自注册"), password=PASSWORD)
    assert own(t.branch).own_members_complete == 3
    assert own(t.branch).own_branches_complete == 1


def _fill_branch_info(t, *, mobile):
    return org_info_update(org=t.branch, actor=t.branch_admin, data={
        "industry": "P", "secretary_name": "新书记", "secretary_id_number": make_id_number("19970101"),
        "secretary_mobile": mobile,
    })  # fmt: skip


def test_s1_a_secretary_registered_without_a_mobile_leaves_the_information_incomplete(stats_tree, committed):
    t = stats_tree
    with committed():
        _fill_branch_info(t, mobile="")
    t.branch.refresh_from_db()
    secretary = t.branch.secretary
    assert own(t.branch).own_orgs_complete == 0
    # The secretary sets their password (a person on record must, issue 12), then registers with the
    # organisation's code (C3), giving a mobile: now complete.
    with committed():
        secretary.activate_account(PASSWORD)
        secretary.save()
    code = codes.registration_code_issue(org=t.branch, actor=t.general_admin).code
    data = {"name": secretary.name, "id_number": secretary.id_number, "political_status": "团员", "ethnicity": "汉族", "education": "大学本科", "occupation": "学生",
            "league_join_date": "2011-09", "mobile": "13712345678"}  # fmt: skip
    with committed():
        admin_register(org_id=t.branch.id, position="书记", code=code, person_data=data, password=PASSWORD)
    t.branch.refresh_from_db()
    assert t.branch.secretary.registered
    assert standards.org_info_complete(t.branch) is True
    assert own(t.branch).own_orgs_complete == 1
    # Registered, but the mobile is removed from their personal information: incomplete again.
    with committed():
        secretary = t.branch.secretary
        secretary.mobile = ""
        secretary.save()
    t.branch.refresh_from_db()
    assert standards.org_info_complete(t.branch) is False
    assert own(t.branch).own_orgs_complete == 0
    assert stats_recount() == []


def test_s1_a_secretary_with_a_mobile_who_has_not_registered_leaves_it_incomplete(stats_tree, committed):
    t = stats_tree
    with committed():
        _fill_branch_info(t, mobile="13612345678")
    t.branch.refresh_from_db()
    assert t.branch.secretary.mobile and not t.branch.secretary.registered
    assert own(t.branch).own_orgs_complete == 0


@pytest.mark.parametrize("category", [Category.LEADING, Category.PRIMARY, Category.WORKING, Category.GENERAL])
def test_committees_for_s2_include_leading_bodies(category):
    assert standards.is_committee(category)


def test_pending_branches_are_neither_organisations_nor_branches_in_the_counts():
    assert not standards.counts_as_org(Category.PENDING)
    assert not standards.is_branch(Category.PENDING)
    assert not standards.is_committee(Category.BRANCH)
