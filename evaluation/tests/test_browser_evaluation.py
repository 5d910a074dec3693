"""In Chromium (issue 16): a 团支部 enters its evaluation with the 优秀 count shown live, is refused over the
limit, submits; its 团总支 finds it in 待办 and approves it; a member sees the approved level on 我的评议."""

import pytest
from playwright.sync_api import Page, expect

from evaluation.models import Evaluation
from people.tests.test_browser_class_list import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_branch_evaluation_from_entry_to_the_member(page: Page, live_server, ev_tree):
    t = ev_tree
    base = live_server.url
    login(page, base, t.branch_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="团员教育评议和团籍注册").click()
    page.get_by_role("link", name="本支部评议").click()
    expect(page.get_by_text("优秀最多 3 人")).to_be_visible()

    page.get_by_label("会议日期").fill(str(t.round.starts_on))
    page.get_by_label("应到人数").fill("12")
    page.get_by_label("实到人数").fill("11")
    for i, person in enumerate(t.people):
        page.get_by_label(f"{person.name}评议等次").select_option("优秀" if i < 4 else "合格")
    expect(page.get_by_text("超出上限，请调整后再提交")).to_be_visible()  # counted live, before any request
    page.get_by_role("button", name="保存并提交上级审核").click()
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="保存并提交上级审核").click()
    expect(page.get_by_text("超过参评人数12人的30%（最多3人）")).to_be_visible()
    page.get_by_label(f"{t.people[3].name}评议等次").select_option("合格")
    expect(page.get_by_text("超出上限，请调整后再提交")).to_be_hidden()
    page.get_by_role("button", name="保存并提交上级审核").click()
    expect(page.get_by_text("评议结果已提交上级组织审核认证")).to_be_visible()
    page.screenshot(path="test-results/evaluation-submitted.png", full_page=True)

    page.context.clear_cookies()
    login(page, base, t.general_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="待办 1").click()
    page.get_by_role("row", name="团员教育评议").get_by_role("link", name="办理").click()
    page.get_by_role("link", name="查看业务详情").click()
    expect(page.get_by_text("状态：已提交")).to_be_visible()
    page.get_by_role("button", name="审核认证").click()
    expect(page.get_by_text("已审核认证。")).to_be_visible()
    assert Evaluation.objects.get().stage == "已通过"

    page.context.clear_cookies()
    login(page, base, t.member.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="我的评议").click()
    expect(page.get_by_role("row", name=str(t.year))).to_contain_text("优秀")
    page.screenshot(path="test-results/evaluation-member.png", full_page=True)
