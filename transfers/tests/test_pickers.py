"""Searchable pickers (issue 14, item 4): branches and people are searched by part of a name and served a
page at a time within what the actor may see; people carry masked ID numbers; 批量接转 keeps every choice
after a refusal."""

import re

import pytest

from core import pii
from orgs import pick as org_pick
from orgs.services import org_create_child
from people import pick as people_pick
from people.models import Person


def ids_in(html: str, field: str) -> list[int]:
    return [int(v) for v in re.findall(rf'name="{field}" value="(\d+)"', html)]


def checked_in(html: str, field: str) -> list[int]:
    return [int(v) for v in re.findall(rf'name="{field}" value="(\d+)" checked', html)]


# --- scoping (services) --------------------------------------------------------


def test_an_outsider_finds_nothing_of_another_province(places):
    assert list(org_pick.pickable_orgs(places.outsider, within=places.province)) == []
    assert list(org_pick.pickable_orgs(places.outsider, within=places.general, query="团支部")) == []
    assert list(people_pick.pickable_members(places.outsider, places.branch)) == []
    # the province's own admin finds the branch by part of its 简称, and nothing of 浙江
    found = org_pick.pickable_orgs(places.province_admin, within=places.province, query="3班", kinds=org_pick.BRANCH)
    assert list(found) == [places.branch]
    assert places.other_province not in org_pick.pickable_orgs(places.province_admin, within=places.province)


def test_a_branch_admin_sees_nothing_above_its_branch(places):
    assert list(org_pick.pickable_orgs(places.branch_admin, within=places.general)) == []
    assert list(people_pick.pickable_members(places.branch_admin, places.branch2)) == []
    assert set(people_pick.pickable_members(places.branch_admin, places.branch)) == set(
        Person.objects.filter(branch=places.branch)
    )


def test_search_by_part_of_the_full_name_and_the_category(places):
    full = org_pick.pickable_orgs(places.city_admin, within=places.city, query="客运部", kinds=org_pick.BRANCH)
    assert list(full) == [places.company_branch]
    # a committee is not offered where a branch is wanted
    assert list(org_pick.pickable_orgs(places.city_admin, within=places.city, query="地铁", kinds=org_pick.BRANCH)) == [
        places.company_branch
    ]
    direct = org_pick.pickable_orgs(places.general_admin, within=places.general, children_only=True)
    assert set(direct) == {places.branch, places.branch2}


def test_people_are_found_by_part_of_the_name_with_masked_id_numbers(places, make_person):
    a = make_person("张伟", branch=places.branch)
    b = make_person("张伟", branch=places.branch, birth="20010203")
    found = list(people_pick.pickable_members(places.general_admin, places.branch, "伟"))
    assert found == sorted([a, b], key=lambda p: p.pk)
    choices = [people_pick.member_choice(p) for p in found]
    assert [c.detail for c in choices] == [pii.mask_id_number(a.id_number), pii.mask_id_number(b.id_number)]
    assert choices[0].detail != choices[1].detail  # namesakes told apart


# --- the endpoints --------------------------------------------------------------


@pytest.fixture
def many_branches(places):
    """A committee with 45 branches whose full names run to 60+ characters."""
    for i in range(45):
        org_create_child(parent=places.company, short_name=f"运营分公司第{i:02d}车站团支部", category="团支部",
                         full_name=f"共青团南京地铁集团有限公司运营分公司线网管理中心第{i:02d}车站客运值班组团支部委员会",
                         actor=places.company_admin)  # fmt: skip
    return places


def test_the_branch_picker_pages_and_searches(many_branches, client):
    p = many_branches
    client.force_login(p.company_admin)
    url = f"/manage/orgs/{p.company.pk}/pick/?kind=branch&field=to_branch_id"
    first = client.get(url).content.decode()
    assert len(ids_in(first, "to_branch_id")) == 20 and "下一页" in first
    third = client.get(url + "&page=3").content.decode()
    assert len(ids_in(third, "to_branch_id")) == 6 and "上一页" in third and "下一页" not in third
    hits = client.get(url + "&q=第07车站").content.decode()
    assert "运营分公司第07车站团支部" in hits and len(ids_in(hits, "to_branch_id")) == 1
    # a chosen branch stays, checked, above the matches of a new search
    chosen = ids_in(hits, "to_branch_id")[0]
    again = client.get(url + f"&q=第08车站&to_branch_id={chosen}").content.decode()
    assert checked_in(again, "to_branch_id") == [chosen] and "第08车站" in again


def test_the_pickers_refuse_an_organisation_outside_ones_reach(places, client):
    client.force_login(places.outsider)
    assert client.get(f"/manage/orgs/{places.general.pk}/pick/?q=团支部").status_code == 404
    assert client.get(f"/people/orgs/{places.branch.pk}/members/pick/").status_code == 404
    # an id of another province's organisation passed as "chosen" shows nothing
    client.force_login(places.city_admin)
    html = client.get(f"/manage/orgs/{places.city.pk}/pick/?field=x&x={places.branch.pk}").content.decode()
    assert places.branch.short_name not in html


def test_the_people_picker_shows_masked_id_numbers(places, client, make_person):
    a = make_person("李娜", branch=places.branch)
    b = make_person("李娜", branch=places.branch, birth="20020304")
    client.force_login(places.general_admin)
    html = client.get(f"/people/orgs/{places.branch.pk}/members/pick/?field=person_ids&multi=1&q=李").content.decode()
    assert ids_in(html, "person_ids") == [a.pk, b.pk]
    for person in (a, b):
        assert pii.mask_id_number(person.id_number) in html and person.id_number not in html
    assert 'type="checkbox"' in html


# --- 批量接转 -----------------------------------------------------------------------


def test_the_batch_page_has_searchable_pickers_and_a_counter(many_branches, client, make_person):
    p = many_branches
    make_person("王芳", branch=p.company_branch)
    client.force_login(p.company_admin)
    html = client.get("/transfers/batch/").content.decode()
    assert "<select" not in html.split('id="reason-select"')[0]  # no select of full names
    assert 'hx-get="/manage/orgs/' in html and "下一页" in html
    html = client.get(f"/transfers/batch/?from={p.company_branch.pk}").content.decode()
    assert 'data-count="person_ids" data-limit="30"' in html and "已选 <b>0</b>/30" in html
    assert f'hx-get="/people/orgs/{p.company_branch.pk}/members/pick/"' in html


def test_a_refused_batch_keeps_every_choice(places, client, make_person):
    people = [make_person(f"同学{i}", branch=places.branch) for i in range(3)]
    client.force_login(places.general_admin)
    chosen = [people[0].pk, people[2].pk]
    response = client.post("/transfers/batch/", {"from_branch_id": places.branch.pk, "person_ids": chosen,
                                                 "reason": "升学"})  # fmt: skip  # no target
    html = response.content.decode()
    assert response.status_code == 200 and "请搜索并选择转入的团支部" in html
    assert checked_in(html, "person_ids") == chosen and "已选 <b>2</b>/30" in html
    assert "<option selected>升学</option>" in html
    # the target kept too, when the refusal is about something else (too many people)
    more = [make_person(f"学生{i}", branch=places.branch) for i in range(29)]
    response = client.post("/transfers/batch/", {"from_branch_id": places.branch.pk, "to_branch_id": places.branch2.pk,
                                                 "person_ids": [x.pk for x in [*people, *more]], "reason": "升学"})  # fmt: skip
    html = response.content.decode()
    assert "每次批量接转1至30人" in html and len(checked_in(html, "person_ids")) == 32
    assert checked_in(html, "to_branch_id") == [places.branch2.pk] and "已选 <b>32</b>/30" in html
    assert not Person.objects.filter(branch=places.branch2).exists()  # nobody moved


def test_the_assign_picker_offers_the_receivers_branches(places, client):
    from transfers import services

    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company,
                                 reason="工作调动")  # fmt: skip
    services.transfer_approve(transfer=t, actor=places.general_admin)
    client.force_login(places.company_admin)
    html = client.get(f"/transfers/{t.pk}/").content.decode()
    assert "分配到团支部" in html and ids_in(html, "branch_id") == [places.company_branch.pk]
    assert f'hx-get="/manage/orgs/{places.company.pk}/pick/?kind=branch"' in html


def test_subordinate_members_picks_a_direct_branch(places, client):
    client.force_login(places.general_admin)
    html = client.get(f"/people/orgs/{places.general.pk}/subordinate-members/").content.decode()
    assert set(ids_in(html, "branch_id")) == {places.branch.pk, places.branch2.pk}
    go = client.get(f"/people/orgs/{places.general.pk}/subordinate-members/?branch_id={places.branch2.pk}")
    assert go.url == f"/people/orgs/{places.branch2.pk}/members/import/"
    stay = client.get(f"/people/orgs/{places.general.pk}/subordinate-members/?branch_id={places.company_branch.pk}")
    assert stay.status_code == 200


def test_the_migration_picker_pages_and_keeps_the_choice(places, client):
    client.force_login(places.uni_admin)
    html = client.get(f"/manage/orgs/{places.uni.pk}/migrations/targets/?field=to_parent_id&q=浙江").content.decode()
    assert ids_in(html, "to_parent_id") == [places.other_province.pk]
    # refused for its reason (empty): the chosen superior stays chosen
    page = client.post(f"/manage/orgs/{places.uni.pk}/migrations/", {"to_parent_id": places.city.pk, "reason": ""})
    assert checked_in(page.content.decode(), "to_parent_id") == [places.city.pk]
    # its own descendants are never offered, even as a "chosen" id
    html = client.get(
        f"/manage/orgs/{places.uni.pk}/migrations/targets/?field=to_parent_id&to_parent_id={places.college.pk}"
    )
    assert places.college.full_name not in html.content.decode()
