"""In Chromium (issue 18): a 团支部 finds a member past 28 on its 应离团 list through the menu and asks for 超龄离团
in one click; its 团总支 approves it from 待办; the member is then listed as 离团团员, and is restored."""

import pytest
from playwright.sync_api import Page, expect

from people.models import Person
from people.tests.test_browser_class_list import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overage_request_approval_and_restore(page: Page, live_server, st_tree):
    t = st_tree
    base = live_server.url
    login(page, base, t.branch_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="应离团名单").click()
    row = page.get_by_role("row", name=t.old.name)
    expect(row).to_contain_text(t.old.id_number_masked)
    row.get_by_role("button", name="申请超龄离团").click()
    expect(page.get_by_text("已提交1人的超龄离团申请")).to_be_visible()
    expect(page.get_by_role("row", name=t.old.name)).to_contain_text("超龄离团待审核")
    page.screenshot(path="test-results/standing-overage.png", full_page=True)

    page.context.clear_cookies()
    login(page, base, t.general_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="待办 1").click()
    page.get_by_role("row", name=f"{t.old.name}：超龄离团").get_by_role("link", name="办理").click()
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.get_by_text("已通过").first).to_be_visible()
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="离团团员").click()
    expect(page.get_by_role("row", name=t.old.name)).to_contain_text("超龄离团")
    assert Person.objects.get(pk=t.old.pk).branch_id is None

    page.context.clear_cookies()
    login(page, base, t.branch_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="离团团员").click()
    page.get_by_role("row", name=t.old.name).get_by_role("link", name="恢复团籍").click()
    page.get_by_label("恢复到团支部").select_option(str(t.branch.pk))
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("请填写恢复团籍的原因").first).to_be_visible()
    page.get_by_label("恢复到团支部").select_option(str(t.branch.pk))
    page.get_by_label("原因").fill("误操作，恢复团籍")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("已提交" + t.old.name + "的恢复团籍申请")).to_be_visible()
    assert Person.objects.get(pk=t.old.pk).pending_status == "正常"
