"""管理下级组织, 组织排序 and the S6 progress prompt."""

import pytest
from django.test import override_settings

from core.exceptions import DomainError, NotAllowed
from orgs import codes, selectors
from orgs import services as org_services
from orgs.models import Org
from orgs.services import children_reorder
from people.org_info import org_info_update
from people.services import cadre_assign


def test_reorder_sets_the_order_of_all_direct_subordinates(tree):
    children_reorder(parent=tree.province, ordered_ids=[tree.uni.id, tree.city.id], actor=tree.province_admin)
    assert list(selectors.org_children(tree.province)) == [tree.uni, tree.city]


def test_reorder_must_name_every_child_once(tree):
    with pytest.raises(DomainError, match="恰好包含全部"):
        children_reorder(parent=tree.province, ordered_ids=[tree.uni.id], actor=tree.province_admin)
    with pytest.raises(DomainError):
        children_reorder(parent=tree.province, ordered_ids=[tree.uni.id, tree.uni.id], actor=tree.province_admin)


def test_reorder_is_for_the_parents_own_admin(tree):
    with pytest.raises(NotAllowed):
        children_reorder(parent=tree.province, ordered_ids=[tree.uni.id, tree.city.id], actor=tree.uni_admin)


def test_api_reorder(tree, api_login):
    client = api_login(tree.province_admin)
    r = client.put(f"/api/v1/orgs/{tree.province.id}/children/order", {"ids": [tree.uni.id, tree.city.id]},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 204
    assert Org.objects.get(pk=tree.uni.pk).sort_order == 1


def test_children_list_shows_code_and_information_status(tree, client):
    codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    client.force_login(tree.province_admin)
    page = client.get(f"/manage/orgs/{tree.province.id}/children/").content.decode()
    assert "团南京市委" in page and "南京医科大学团委" in page
    assert "未生成" in page and "有效" in page
    assert "缺" in page


def test_children_list_filters_the_incomplete(tree, make_person, client):
    cadre_assign(person=tree.city_admin, org=tree.city, position="书记")
    org_info_update(
        org=tree.city, actor=tree.city_admin,
        data={"phone": "025-83201234", "email": "tw@example.cn", "admin_quota": "1", "admin_staffed": "1",
              "inst_quota": "0", "inst_staffed": "0", "secretary_name": tree.city_admin.name,
              "secretary_id_number": tree.city_admin.id_number, "secretary_mobile": "13700001111"},
    )  # fmt: skip
    assert selectors.children_progress(tree.province) == (1, 2)
    client.force_login(tree.province_admin)
    page = client.get(f"/manage/orgs/{tree.province.id}/children/?filter=incomplete").content.decode()
    assert "南京医科大学团委" in page and "团南京市委" not in page


def test_children_list_takes_a_fixed_number_of_queries(tree, django_assert_max_num_queries, client):
    for i in range(5):
        from orgs.services import org_create_child

        org_create_child(parent=tree.general, short_name=f"临床医学2017级{i + 4}班团支部", category="团支部",
                         actor=tree.general_admin)  # fmt: skip
    client.force_login(tree.general_admin)
    with django_assert_max_num_queries(12):
        assert client.get(f"/manage/orgs/{tree.general.id}/children/").status_code == 200


def test_children_list_is_404_outside_and_for_subordinates(tree, client):
    client.force_login(tree.uni_admin)
    assert client.get(f"/manage/orgs/{tree.province.id}/children/").status_code == 404
    client.force_login(tree.outsider)
    assert client.get(f"/manage/orgs/{tree.province.id}/children/").status_code == 404


def test_the_page_issues_a_code_and_shows_it_once(tree, client):
    client.force_login(tree.province_admin)
    response = client.post(f"/manage/orgs/{tree.uni.id}/code/")
    assert response.status_code == 200
    assert "有效期至" in response.content.decode()
    client.force_login(tree.uni_admin)  # not the parent
    assert client.post(f"/manage/orgs/{tree.uni.id}/code/").status_code == 404


def test_batch_codes_download(tree, client):
    org_services.org_create_child(
        parent=tree.province, short_name="团苏州市委", category="团的领导机关", by_operator=True
    )
    client.force_login(tree.province_admin)
    response = client.post(f"/manage/orgs/{tree.province.id}/children/codes/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    # GET is the confirm step (orgs/tests/test_registration_codes_reissue.py): it issues nothing.
    assert "确认生成并下载" in client.get(f"/manage/orgs/{tree.province.id}/children/codes/").content.decode()


def login(client, person):
    return client.post("/accounts/login/", {"id_number": person.id_number, "password": "Tuan#Test2026"})


def test_s6_an_admin_with_incomplete_subordinates_sees_the_summary_first(tree, client):
    response = login(client, tree.province_admin)
    assert response.url == "/manage/prompt/"
    page = client.get(response.url).content.decode()
    assert "0</strong> / 2" in page
    assert "?filter=incomplete" in page


@override_settings(SUBORDINATE_ENTRY_PHASE=False)
def test_s6_no_summary_outside_the_entry_phase(tree, client):
    assert login(client, tree.province_admin).url == "/manage/"


def test_s6_no_summary_for_a_branch_admin(tree, client):
    assert login(client, tree.branch_admin).url == "/manage/"
