"""In Chromium: the life-cycle leftovers of issue 14, item 9 — the 全称 after a migration, replacing the secretary,
the 待接转团支部 in the subordinates list, and a delete confirmation that speaks of what is deleted."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_id_number
from orgchanges import deletion
from orgchanges.migration import migration_apply, migration_approve
from orgs.models import Org
from people.models import Cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "共青团浙江省委员会南京医科大学团委"


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_the_new_superior_confirms_the_full_name_after_a_migration(page: Page, live_server, tree):
    m = migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)
    m = migration_approve(migration=migration_approve(migration=m, actor=tree.province_admin), actor=tree.outsider)
    login(page, live_server.url, tree.outsider)
    page.goto(live_server.url + reverse("orgs:migration_detail", args=[m.pk]))
    card = page.locator("#full-name-check")
    expect(card.get_by_role("heading", name="核对组织全称")).to_be_visible()
    expect(card.get_by_text("组织全称仍为“共青团江苏省委员会南京医科大学团委”")).to_be_visible()
    expect(card.get_by_label("组织全称", exact=True)).to_have_value(NEW)
    expect(card.get_by_role("checkbox")).to_be_checked()
    page.screenshot(path="test-results/migration-full-name-check.png", full_page=True)
    card.get_by_role("button", name="确认组织全称").click()
    expect(page.get_by_text(f"已确认南京医科大学团委的组织全称：{NEW}")).to_be_visible()
    expect(page.locator("#full-name-check")).to_have_count(0)
    page.screenshot(path="test-results/migration-full-name-confirmed.png", full_page=True)
    assert Org.objects.get(pk=tree.college.pk).full_name.startswith(NEW)


def test_replacing_the_secretary_says_what_became_of_the_old_one(page: Page, live_server, tree):
    Org.objects.filter(pk=tree.general.pk).update(secretary=tree.general_admin)
    login(page, live_server.url, tree.general_admin)
    page.goto(live_server.url + reverse("orgs:info", args=[tree.general.pk]))
    page.get_by_label("团组织书记姓名").fill("新团总支书记")
    page.get_by_label("书记身份证号码").fill(make_id_number("19980404"))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("组织信息已保存。")).to_be_visible()
    expect(page.get_by_text("原书记团总支管理员不再担任书记")).to_be_visible()
    page.screenshot(path="test-results/secretary-replaced.png", full_page=True)
    assert list(Cadre.objects.filter(org=tree.general, position="书记").values_list("person__name", flat=True)) == [
        "新团总支书记"
    ]


def test_the_pending_branch_is_shown_as_what_it_is(page: Page, live_server, tree):
    deletion.org_delete(org=tree.branch, actor=tree.general_admin)
    pending = Org.objects.get(parent=tree.general, category="待接转团支部")
    login(page, live_server.url, tree.general_admin)
    page.goto(live_server.url + reverse("orgs:children", args=[tree.general.pk]))
    row = page.locator("tr.pending-branch")
    expect(row).to_contain_text("系统建立")
    expect(row).to_contain_text("暂存已删除团支部的团员")
    expect(row.get_by_role("button", name="生成注册码")).to_have_count(0)
    expect(row.get_by_role("link", name="管理员")).to_have_count(0)
    expect(row.get_by_role("link", name="删除")).to_have_count(0)
    expect(row).not_to_contain_text("9999")
    expect(row).not_to_contain_text("未注册")
    page.screenshot(path="test-results/pending-branch-row.png", full_page=True)
    row.get_by_role("link", name="待接转团支部").click()
    expect(page.get_by_text("系统建立的待接转团支部")).to_be_visible()
    expect(page.get_by_text("尚未注册管理员")).to_have_count(0)
    page.screenshot(path="test-results/pending-branch-detail.png", full_page=True)
    assert pending.pk


def test_the_delete_confirmation_speaks_of_what_is_deleted(page: Page, live_server, tree):
    login(page, live_server.url, tree.college_admin)
    page.goto(live_server.url + reverse("orgs:children", args=[tree.college.pk]))
    page.get_by_role("row", name="临床医学2017级团总支").get_by_role("link", name="删除").click()
    expect(page.get_by_role("heading", name="删除下级组织")).to_be_visible()
    expect(page.get_by_text("暂不能删除")).to_be_visible()
    expect(page.get_by_text("团员将移入")).to_have_count(0)
    expect(page.get_by_role("button", name="确认删除")).to_have_count(0)
    page.screenshot(path="test-results/delete-confirm-committee.png", full_page=True)

    page.context.clear_cookies()
    login(page, live_server.url, tree.general_admin)
    page.goto(live_server.url + reverse("orgs:children", args=[tree.general.pk]))
    page.get_by_role("row", name="五年制临床医学2017级3班团支部").get_by_role("link", name="删除").click()
    preview = page.locator("#delete-preview")
    expect(preview).to_contain_text("有 2 名团员")
    expect(preview).to_contain_text("移入临床医学2017级团总支的待接转团支部")
    page.screenshot(path="test-results/delete-confirm-branch.png", full_page=True)
    preview.get_by_role("button", name="确认删除五年制临床医学2017级3班团支部").click()
    expect(page.get_by_text("已删除五年制临床医学2017级3班团支部，2名团员已移入待接转团支部。")).to_be_visible()
    assert not Org.objects.filter(pk=tree.branch.pk).exists()
