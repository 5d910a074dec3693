"""组织迁移 pages: apply with the name picker, follow the steps, approve from the to-do list."""

import pytest

from orgchanges.migration import migration_apply, migration_approve
from orgs.models import Org, OrgMigration


@pytest.fixture
def applied(tree):
    return migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)


def test_the_menu_links_to_the_application_page(tree, client):
    client.force_login(tree.uni_admin)
    page = client.get("/manage/").content.decode()
    assert f"/manage/orgs/{tree.uni.id}/migrations/" in page and "申请组织迁移" in page


def test_the_picker_finds_possible_superiors_by_name_only(tree, client):
    client.force_login(tree.uni_admin)
    html = client.get(f"/manage/orgs/{tree.uni.id}/migrations/targets/", {"q": "浙江"}).content.decode()
    assert "共青团浙江省委员会" in html and f'value="{tree.other_province.id}"' in html
    html = client.get(f"/manage/orgs/{tree.uni.id}/migrations/targets/", {"q": "临床"}).content.decode()
    assert "第一临床医学院团委" not in html  # its own descendants are never offered
    assert "团总支" not in html  # nor organisations that may not hold a 基层团委


def test_applying_on_the_page_lists_the_request_with_its_steps(tree, client):
    client.force_login(tree.uni_admin)
    response = client.post(
        f"/manage/orgs/{tree.uni.id}/migrations/", {"to_parent_id": tree.other_province.id, "reason": "学校划转"}
    )
    assert response.status_code == 302
    page = client.get(f"/manage/orgs/{tree.uni.id}/migrations/").content.decode()
    assert "待原上级审批" in page and "提交申请" in page and "撤回" in page


def test_a_refused_application_shows_the_reason_on_the_form(tree, client):
    client.force_login(tree.uni_admin)
    page = client.post(
        f"/manage/orgs/{tree.uni.id}/migrations/", {"to_parent_id": tree.college.id, "reason": "x"}
    ).content.decode()
    assert "不能迁移到本组织的下级组织之下" in page
    assert not OrgMigration.objects.exists()


def test_the_application_page_is_404_for_a_superior_or_outsider(tree, client):
    for person in (tree.province_admin, tree.outsider):
        client.force_login(person)
        assert client.get(f"/manage/orgs/{tree.uni.id}/migrations/").status_code == 404


def test_both_superiors_approve_from_their_todo(tree, client, applied):
    client.force_login(tree.province_admin)
    home = client.get("/manage/").content.decode()
    assert "待审批的组织迁移（1）" in home and f"/manage/migrations/{applied.id}/" in home
    detail = client.get(f"/manage/migrations/{applied.id}/").content.decode()
    assert "同意迁出" in detail
    client.post(f"/manage/migrations/{applied.id}/approve/")
    client.force_login(tree.outsider)
    assert "同意接收" in client.get(f"/manage/migrations/{applied.id}/").content.decode()
    client.post(f"/manage/migrations/{applied.id}/approve/")
    assert Org.objects.get(pk=tree.uni.pk).parent_id == tree.other_province.id
    page = client.get(f"/manage/migrations/{applied.id}/").content.decode()
    assert "已完成" in page and "新上级组织同意接收" in page


def test_reject_needs_a_reason_and_withdraw_is_for_the_applicant(tree, client, applied):
    client.force_login(tree.province_admin)
    client.post(f"/manage/migrations/{applied.id}/reject/", {"reason": ""})
    assert OrgMigration.objects.get(pk=applied.pk).status == OrgMigration.Status.RELEASE
    client.post(f"/manage/migrations/{applied.id}/withdraw/")
    assert OrgMigration.objects.get(pk=applied.pk).status == OrgMigration.Status.RELEASE
    client.force_login(tree.uni_admin)
    client.post(f"/manage/migrations/{applied.id}/withdraw/")
    assert OrgMigration.objects.get(pk=applied.pk).status == OrgMigration.Status.WITHDRAWN


def test_the_detail_page_is_404_to_outsiders_and_actions_need_post(tree, client, applied):
    client.force_login(tree.city_admin)
    assert client.get(f"/manage/migrations/{applied.id}/").status_code == 404
    client.force_login(tree.province_admin)
    assert client.get(f"/manage/migrations/{applied.id}/approve/").status_code == 405
    assert client.post(f"/manage/migrations/{applied.id}/delete/").status_code == 404


def test_the_applicants_page_lists_with_a_fixed_number_of_queries(tree, client, applied, django_assert_max_num_queries):
    migration_approve(migration=applied, actor=tree.province_admin)
    client.force_login(tree.uni_admin)
    with django_assert_max_num_queries(20):
        assert client.get(f"/manage/orgs/{tree.uni.id}/migrations/").status_code == 200
