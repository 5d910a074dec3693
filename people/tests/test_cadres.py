"""本级团干部 of committees (SPEC P1–P4, P7, S7): the services of people.cadres and the 团干部列表 pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import IdNumberBackend
from audit.models import AuditEvent
from conftest import make_id_number
from core.exceptions import Conflict, DomainError, Invalid, NotAllowed, NotFound
from orgchanges import admin_changes, post_offers
from orgs.models import Org
from people import cadres
from people.models import AccountState, Cadre, Person


def pdata(name="李团干", *, birth="19980101", **fields):
    data = {
        "name": name,
        "id_number": make_id_number(birth),
        "ethnicity": "汉族",
        "political_status": "中共党员",
        "league_join_date": "2012-09",
        "education": "硕士研究生",
        "occupation": "在职",
        "mobile": "13912345678",
    }
    data.update(fields)
    return data


def add(org, actor, position="副书记", **fields):
    return cadres.cadre_add(org=org, person_data=pdata(**fields), position=position, actor=actor)


# Who may enter cadres (P3, P4, §8)


def test_the_organisations_own_admin_enters_a_new_cadre_on_the_initial_password(tree):
    data = pdata("陈新任")
    post = cadres.cadre_add(org=tree.college, person_data=data, position="副书记", actor=tree.college_admin)
    person = post.person
    assert (post.org, post.position) == (tree.college, "副书记")
    assert person.account_state == AccountState.INITIAL and person.must_change_password is True
    assert person.branch_id is None
    assert IdNumberBackend().authenticate(None, id_number=data["id_number"], password=data["id_number"][-8:]) == person
    event = AuditEvent.objects.get(verb="录入本级团干部", target_id=str(person.pk))
    assert event.org_id == tree.college.id and event.changes["position"] == "副书记"


def test_the_direct_superiors_admin_may_not_enter_cadres_of_a_subordinate(tree):
    """P3: each organisation enters its own 本级团干部; its superior changes posts and deletes them (P4) only."""
    before = Person.objects.count()
    with pytest.raises(NotAllowed) as e:
        add(tree.college, tree.uni_admin)
    assert "只能由第一临床医学院团委自己的管理员录入" in e.value.message and "变更其团干部的职务" in e.value.message
    assert Person.objects.count() == before


@pytest.mark.parametrize("who", ["province_admin", "root_admin", "outsider", "general_admin", "branch_admin", "member"])
def test_deeper_superiors_outsiders_and_subordinates_may_not_enter_cadres(tree, who):
    before = Person.objects.count()
    with pytest.raises(NotAllowed):
        add(tree.college, getattr(tree, who))
    assert Person.objects.count() == before
    assert not Cadre.objects.filter(org=tree.college).exclude(person=tree.college_admin).exists()


def test_a_branch_has_no_cadres_of_its_own_here(tree):
    with pytest.raises(DomainError) as e:
        add(tree.branch, tree.branch_admin, position="书记")
    assert e.value.code == "branch_cadres" and "录入团员团干部" in e.value.message


def test_a_general_branch_and_a_leading_body_have_cadres(tree):
    assert add(tree.general, tree.general_admin).org == tree.general
    assert add(tree.city, tree.city_admin).org == tree.city


# The person (P1, P2, P10)


def test_a_person_already_in_the_system_is_linked_not_duplicated(tree):
    member = tree.member
    before = Person.objects.count()
    post = cadres.cadre_add(
        org=tree.general,
        person_data={"name": member.name, "id_number": member.id_number},
        position="委员",
        actor=tree.general_admin,
    )
    assert post.person == member and Person.objects.count() == before
    member.refresh_from_db()
    assert member.branch == tree.branch  # still a member of their branch
    assert member.account_state == AccountState.ACTIVE  # their own password is untouched


def test_a_name_that_differs_from_the_record_is_refused_never_renamed(tree):
    member = tree.member
    with pytest.raises(Invalid) as e:
        cadres.cadre_add(
            org=tree.general,
            person_data={"name": "另一个人", "id_number": member.id_number},
            position="委员",
            actor=tree.general_admin,
        )
    assert e.value.code == "name_mismatch" and "先删除原团干部" in e.value.message
    member.refresh_from_db()
    assert member.name == "普通团员"
    assert not Cadre.objects.filter(org=tree.general, person=member).exists()


def test_linking_someone_in_reach_never_writes_their_fields(tree, make_person):
    person = make_person("王空白", mobile="", education="", branch=tree.branch)
    cadres.cadre_add(
        org=tree.college,
        person_data=pdata("王空白", id_number=person.id_number, mobile="13700001111", ethnicity="回族"),
        position="委员",
        actor=tree.college_admin,
    )
    person.refresh_from_db()
    assert (person.mobile, person.education, person.ethnicity) == ("", "", "汉族")
    assert Cadre.objects.filter(org=tree.college, person=person, position="委员").exists()


def test_a_new_person_needs_political_status_and_join_date(tree):
    with pytest.raises(Invalid) as e:
        add(tree.college, tree.college_admin, political_status="", league_join_date="")
    assert {x["field"] for x in e.value.errors} == {"political_status", "league_join_date"}


def test_bad_personal_fields_are_refused_with_field_messages(tree):
    with pytest.raises(Invalid) as e:
        good = make_id_number("19980101")
        bad = good[:17] + ("1" if good[17] != "1" else "2")
        add(tree.college, tree.college_admin, id_number=bad, mobile="12345")
    assert {x["field"] for x in e.value.errors} == {"id_number", "mobile"}


def test_the_same_person_cannot_be_entered_twice_in_one_organisation(tree):
    data = pdata("赵重复")
    cadres.cadre_add(org=tree.college, person_data=data, position="委员", actor=tree.college_admin)
    with pytest.raises(Conflict) as e:
        cadres.cadre_add(org=tree.college, person_data=data, position="常委", actor=tree.college_admin)
    assert e.value.code == "cadre_exists" and "职务变更" in e.value.message
    assert Cadre.objects.get(org=tree.college, person__name="赵重复").position == "委员"


@pytest.mark.parametrize("position", ["组织委员", "团长", ""])
def test_positions_come_from_the_committee_list(tree, position):
    with pytest.raises(Invalid) as e:
        add(tree.college, tree.college_admin, position=position)
    assert e.value.code == "bad_position" and "副书记" in e.value.message


def test_a_person_holds_posts_in_two_committees_independently(tree):
    post = add(tree.college, tree.college_admin, position="副书记", name="周两职")
    person = post.person
    offer = cadres.cadre_add(
        org=tree.general,
        person_data=pdata("周两职", id_number=person.id_number),
        position="书记",
        actor=tree.general_admin,
    )
    post_offers.post_offer_accept(offer=offer, actor=person)  # a cadre above the 团总支: they accept (issue 12)
    cadres.cadre_change_position(org=tree.general, person=person, position="副书记", actor=tree.general_admin)
    assert Cadre.objects.get(org=tree.college, person=person).position == "副书记"
    cadres.cadre_remove(org=tree.college, person=person, actor=tree.college_admin)
    assert list(Cadre.objects.filter(person=person).values_list("org", "position")) == [(tree.general.id, "副书记")]


# 删除 and 职务变更 (P4)


def test_deleting_a_cadre_keeps_the_person(tree):
    person = add(tree.college, tree.college_admin).person
    cadres.cadre_remove(org=tree.college, person=person, actor=tree.uni_admin)
    assert not Cadre.objects.filter(org=tree.college, person=person).exists()
    assert Person.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(verb="删除本级团干部", target_id=str(person.pk), org=tree.college).exists()


def test_an_admin_cannot_be_deleted_until_the_admin_post_is_revoked(tree):
    with pytest.raises(Conflict) as e:
        cadres.cadre_remove(org=tree.college, person=tree.college_admin, actor=tree.uni_admin)
    assert e.value.code == "cadre_is_admin" and "撤销其管理员" in e.value.message
    other = add(tree.college, tree.college_admin, name="吴接任").person
    admin_changes.admin_change_request(org=tree.college, person=other, action="add", actor=tree.uni_admin)
    admin_changes.admin_change_request(
        org=tree.college, person=tree.college_admin, action="revoke", actor=tree.uni_admin
    )
    cadres.cadre_remove(org=tree.college, person=tree.college_admin, actor=tree.uni_admin)
    assert not Cadre.objects.filter(org=tree.college, person=tree.college_admin).exists()


def test_the_registered_secretary_cannot_be_deleted_or_moved_off_the_secretary_post(tree):
    person = add(tree.college, tree.college_admin, position="书记", name="孙书记").person
    Org.objects.filter(pk=tree.college.pk).update(secretary=person)
    with pytest.raises(Conflict) as e:
        cadres.cadre_remove(org=tree.college, person=person, actor=tree.college_admin)
    assert e.value.code == "cadre_is_secretary" and "组织信息" in e.value.message
    with pytest.raises(Conflict):
        cadres.cadre_change_position(org=tree.college, person=person, position="副书记", actor=tree.college_admin)
    assert Cadre.objects.get(org=tree.college, person=person).position == "书记"


def test_changing_a_position_is_recorded(tree):
    person = add(tree.college, tree.college_admin, position="委员").person
    post = cadres.cadre_change_position(org=tree.college, person=person, position="常委", actor=tree.uni_admin)
    assert post.position == "常委"
    event = AuditEvent.objects.get(verb="变更团干部职务", target_id=str(person.pk))
    assert event.changes["position"] == ["委员", "常委"]


def test_deeper_superiors_may_not_delete_or_change_positions(tree):
    person = add(tree.college, tree.college_admin).person
    with pytest.raises(NotAllowed):
        cadres.cadre_remove(org=tree.college, person=person, actor=tree.province_admin)
    with pytest.raises(NotAllowed):
        cadres.cadre_change_position(org=tree.college, person=person, position="常委", actor=tree.province_admin)
    assert Cadre.objects.get(org=tree.college, person=person).position == "副书记"


def test_someone_who_is_not_a_cadre_here_cannot_be_deleted_or_changed(tree):
    with pytest.raises(NotFound):
        cadres.cadre_remove(org=tree.college, person=tree.member, actor=tree.college_admin)
    with pytest.raises(NotFound):
        cadres.cadre_change_position(org=tree.college, person=tree.member, position="委员", actor=tree.college_admin)


# 团干部列表 pages (S7)


def list_url(org, query=""):
    return reverse("people:cadres", args=[org.id]) + query


@pytest.fixture
def college_cadres(tree):
    add(tree.college, tree.college_admin, position="委员", name="钱完整")
    add(tree.college, tree.college_admin, position="常委", name="李缺手机", mobile="", occupation="")
    return tree


def test_the_list_shows_who_is_incomplete_and_the_filter_keeps_only_them(client, college_cadres):
    tree = college_cadres
    client.force_login(tree.college_admin)
    page = client.get(list_url(tree.college)).content.decode()
    assert "钱完整" in page and "李缺手机" in page and "缺职业、手机号码" in page
    # 书记 first, then by position order of the list
    assert page.index("分团委管理员") < page.index("李缺手机") < page.index("钱完整")
    filtered = client.get(list_url(tree.college, "?complete=false")).content.decode()
    assert "李缺手机" in filtered and "钱完整" not in filtered


def test_managers_see_masked_numbers_with_the_reveal_and_actions(client, college_cadres):
    """Masked by default (issue 12, item 10); 显示 reveals one record."""
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    for admin in (tree.college_admin, tree.uni_admin):
        client.force_login(admin)
        page = client.get(list_url(tree.college)).content.decode()
        assert person.id_number not in page and "13912345678" not in page
        assert reverse("people:reveal", args=[person.id]) in page
        assert reverse("people:cadre_delete", args=[tree.college.id, person.id]) in page
        shown = client.post(reverse("people:reveal", args=[person.id])).content.decode()
        assert person.id_number in shown and "13912345678" in shown


def test_a_deeper_superior_reads_the_list_masked_and_without_actions(client, college_cadres):
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    client.force_login(tree.province_admin)
    response = client.get(list_url(tree.college))
    page = response.content.decode()
    assert response.status_code == 200 and "钱完整" in page
    assert person.id_number not in page and person.id_number_masked in page
    assert "13912345678" not in page and "139****5678" in page
    assert reverse("people:cadre_delete", args=[tree.college.id, person.id]) not in page
    assert reverse("people:cadre_position", args=[tree.college.id, person.id]) not in page
    assert reverse("people:cadre_new", args=[tree.college.id]) not in page
    assert "上级组织只读查看" in page


def test_outsiders_get_404_for_the_list_and_every_action(client, college_cadres):
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    client.force_login(tree.outsider)
    assert client.get(list_url(tree.college)).status_code == 404
    assert client.get(reverse("people:cadre_new", args=[tree.college.id])).status_code == 404
    assert client.post(reverse("people:cadre_delete", args=[tree.college.id, person.id])).status_code == 404


def test_a_deeper_superiors_posts_are_refused(client, college_cadres):
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    client.force_login(tree.province_admin)
    # One not-found for missing and forbidden alike (orgs.access.fetch_org, issue 13).
    assert client.post(reverse("people:cadre_delete", args=[tree.college.id, person.id])).status_code == 404
    response = client.post(reverse("people:cadre_position", args=[tree.college.id, person.id]), {"position": "常委"})
    assert response.status_code == 404
    assert client.post(reverse("people:cadre_new", args=[tree.college.id]), pdata()).status_code == 404
    assert Cadre.objects.get(person=person).position == "委员"


def test_the_list_page_runs_a_fixed_number_of_queries(client, tree, django_assert_max_num_queries):
    """Six for the page itself (session, user, admin posts, organisation, count, rows), the open 任职确认
    and who may get reset codes (one each), a few for the layout's to-do counts; none per row."""
    client.force_login(tree.uni_admin)
    add(tree.college, tree.college_admin, position="委员", name="成员")
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(tree.college))
    for i in range(12):
        add(tree.college, tree.college_admin, position="委员", name=f"成员{i}", mobile="" if i % 2 else "13912345678")
    with django_assert_max_num_queries(16) as many:
        response = client.get(list_url(tree.college))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count("/position/") == 14


def test_deleting_from_the_page(client, college_cadres):
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    client.force_login(tree.uni_admin)
    response = client.post(reverse("people:cadre_delete", args=[tree.college.id, person.id]), follow=True)
    assert "已删除团干部：钱完整" in response.content.decode()
    assert not Cadre.objects.filter(person=person).exists()


def test_deleting_an_admin_from_the_page_says_why_not(client, college_cadres):
    tree = college_cadres
    client.force_login(tree.uni_admin)
    url = reverse("people:cadre_delete", args=[tree.college.id, tree.college_admin.id])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"] == list_url(tree.college)
    page = client.get(list_url(tree.college)).content.decode()
    assert "撤销其管理员" in page
    assert Cadre.objects.filter(person=tree.college_admin, org=tree.college).exists()


def test_changing_a_position_from_the_page(client, college_cadres):
    tree = college_cadres
    person = Person.objects.get(name="钱完整")
    client.force_login(tree.college_admin)
    url = reverse("people:cadre_position", args=[tree.college.id, person.id])
    response = client.post(url, {"position": "副书记"}, follow=True)
    assert "职务已变更为：副书记" in response.content.decode()
    assert Cadre.objects.get(person=person).position == "副书记"
    response = client.post(url, {"position": "组织委员"}, follow=True)
    assert "不可选" in response.content.decode()
    assert client.get(url).status_code == 405


def test_entering_one_cadre_from_the_page(client, tree):
    client.force_login(tree.college_admin)
    url = reverse("people:cadre_new", args=[tree.college.id])
    page = client.get(url).content.decode()
    assert "录入本级团干部" in page and reverse("people:cadre_template", args=[tree.college.id]) in page
    response = client.post(url, {**pdata("郑单个"), "position": "常委"}, follow=True)
    assert "已录入本级团干部：郑单个（常委）" in response.content.decode()
    assert Cadre.objects.get(org=tree.college, person__name="郑单个").position == "常委"


def test_the_page_shows_a_name_mismatch_on_the_form(client, tree):
    client.force_login(tree.general_admin)
    url = reverse("people:cadre_new", args=[tree.general.id])
    response = client.post(url, {**pdata("冒名", id_number=tree.member.id_number), "position": "委员"})
    assert response.status_code == 200 and "姓名不一致" in response.content.decode()
    assert not Cadre.objects.filter(org=tree.general, person=tree.member).exists()


def test_a_branch_has_no_cadre_pages(client, tree):
    client.force_login(tree.branch_admin)
    assert client.get(reverse("people:cadre_new", args=[tree.branch.id])).status_code == 404
    response = client.get(list_url(tree.branch))
    assert response.status_code == 302 and response["Location"] == reverse("people:members", args=[tree.branch.id])


def test_the_menu_and_the_subordinates_page_link_to_the_cadre_pages(client, tree):
    client.force_login(tree.uni_admin)
    page = client.get(reverse("orgs:children", args=[tree.uni.id])).content.decode()
    assert list_url(tree.uni) in page  # menu, acting organisation
    assert reverse("people:cadre_new", args=[tree.uni.id]) in page
    assert list_url(tree.college) in page  # each direct subordinate committee
