"""查找人员 (§7): a pasted list of names or ID numbers, looked up in one organisation's subtree."""

import pytest
from django.urls import reverse

from core.exceptions import Invalid, NotFound
from core.pii import mask_id_number
from orgs import services as org_services
from orgs.rules import Category
from people.search import people_search, split_tokens


@pytest.fixture
def people(tree, make_person):
    """Two members in the class branch, a namesake in a sibling branch under the university, one in Zhejiang."""
    t = tree
    t.zhang = make_person("张三", birth="20000101", branch=t.branch)
    t.li = make_person("李四", birth="20000202", branch=t.branch, mobile="")
    t.pharmacy = org_services.org_create_child(
        parent=t.uni, short_name="药学2018级1班团支部", category=Category.BRANCH, actor=t.uni_admin
    )
    t.zhang2 = make_person("张三", birth="20010303", branch=t.pharmacy)
    t.zj_branch = org_services.org_create_child(
        parent=t.other_province, short_name="杭州某某团支部", category=Category.BRANCH, by_operator=True
    )
    t.wang = make_person("王五", birth="20020404", branch=t.zj_branch)
    return t


def names(result):
    return sorted(hit.name for hit in result.items)


def test_tokens_split_on_newlines_commas_enumeration_commas_spaces_and_tabs():
    assert split_tokens("张三\n李四，王五,赵六、钱七 孙八\t周九\r\n\n 张三 ") == [
        "张三", "李四", "王五", "赵六", "钱七", "孙八", "周九",
    ]  # fmt: skip


def test_it_finds_people_by_names_and_id_numbers_with_mixed_separators(people):
    t = people
    text = f"张三、{t.li.id_number.lower()}\n赵六，\t{t.wang.id_number} 无此人"
    result = people_search(actor=t.province_admin, org=t.province, names_or_ids=text)
    assert names(result) == ["张三", "张三", "李四"]
    assert {hit.matched for hit in result.items} == {"张三", t.li.id_number.lower()}
    assert result.not_found == ["赵六", t.wang.id_number, "无此人"]
    assert {hit.branch_name for hit in result.items if hit.name == "张三"} == {
        t.branch.full_name,
        t.pharmacy.full_name,
    }
    li = next(hit for hit in result.items if hit.name == "李四")
    assert li.complete is False


def test_people_outside_the_subtree_are_not_found(people):
    t = people
    result = people_search(actor=t.general_admin, org=t.general, names_or_ids=f"张三\n{t.zhang2.id_number}")
    assert [hit.person_id for hit in result.items] == [t.zhang.pk]
    assert result.not_found == [t.zhang2.id_number]


def test_cadres_are_found_by_their_posts_organisation(people):
    t = people
    found = people_search(actor=t.province_admin, org=t.uni, names_or_ids="校团委管理员")
    assert [hit.person_id for hit in found.items] == [t.uni_admin.pk]
    assert found.items[0].positions == ["南京医科大学团委 书记"]
    below = people_search(actor=t.province_admin, org=t.college, names_or_ids="校团委管理员")
    assert below.items == [] and below.not_found == ["校团委管理员"]


def test_an_eighteen_character_token_that_is_no_valid_id_number_is_a_name(people):
    result = people_search(actor=people.province_admin, org=people.province, names_or_ids="320102200001010010")
    assert result.items == [] and result.not_found == ["320102200001010010"]


def test_id_numbers_are_masked_for_everyone_and_revealable_by_the_branch_admin(people):
    """Masked by default (issue 12, item 10); the branch admin may reveal one record (people.reveal)."""
    t = people
    superior = people_search(actor=t.general_admin, org=t.general, names_or_ids="张三")
    assert superior.items[0].id_number == mask_id_number(t.zhang.id_number) and not superior.items[0].can_reveal
    own = people_search(actor=t.branch_admin, org=t.branch, names_or_ids="张三")
    assert own.items[0].id_number == mask_id_number(t.zhang.id_number) and own.items[0].can_reveal


def test_the_actor_must_be_able_to_view_the_organisation(people):
    with pytest.raises(NotFound):
        people_search(actor=people.outsider, org=people.province, names_or_ids="张三")
    with pytest.raises(NotFound):
        people_search(actor=people.general_admin, org=people.uni, names_or_ids="张三")


def test_an_empty_query_is_refused(people):
    with pytest.raises(Invalid, match="请粘贴"):
        people_search(actor=people.province_admin, org=people.province, names_or_ids=" \n，、 ")


@pytest.mark.parametrize("count", [2, 20])
def test_the_query_count_does_not_grow_with_the_tokens(people, make_person, django_assert_max_num_queries, count):
    t = people
    extra = [make_person(f"批量{i}", branch=t.branch) for i in range(count // 2)]
    tokens = [p.name for p in extra] + [p.id_number for p in extra]
    actor = type(t.province_admin).objects.get(pk=t.province_admin.pk)  # no cached admin posts
    with django_assert_max_num_queries(4):
        result = people_search(actor=actor, org=t.province, names_or_ids="\n".join(tokens))
    assert len(result.items) == count and result.not_found == []


# --- page and API ------------------------------------------------------------------------------


def test_the_search_page_lists_hits_and_not_found(people, client):
    client.force_login(people.general_admin)
    url = reverse("people:search")
    assert client.get(url).status_code == 200
    html = client.post(url, {"query": "张三 赵六"}).content.decode()
    assert people.branch.full_name in html and "未找到" in html and "赵六" in html
    assert mask_id_number(people.zhang.id_number) in html and people.zhang.id_number not in html


def test_the_search_page_answers_htmx_with_the_results_fragment(people, client):
    client.force_login(people.general_admin)
    response = client.post(reverse("people:search"), {"query": "张三"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "查找结果" in html and "<html" not in html


def test_the_search_page_is_404_for_a_person_who_administers_nothing(people, client):
    client.force_login(people.zhang)
    assert client.get(reverse("people:search")).status_code == 404


def test_the_api_searches_and_masks(people, api_login):
    t = people
    response = api_login(t.general_admin).post(
        f"/api/v1/orgs/{t.general.id}/people/search", {"query": "张三,赵六"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert [item["person_id"] for item in body["items"]] == [t.zhang.pk]
    assert body["items"][0]["id_number"] == mask_id_number(t.zhang.id_number)
    assert body["not_found"] == ["赵六"]


def test_the_api_is_404_for_an_organisation_out_of_sight(people, api_login):
    response = api_login(people.outsider).post(
        f"/api/v1/orgs/{people.province.id}/people/search", {"query": "张三"}, content_type="application/json"
    )
    assert response.status_code == 404
