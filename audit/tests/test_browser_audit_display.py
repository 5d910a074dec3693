"""In Chromium: 操作记录 reads in Chinese, with field names and values instead of internal keys, and the 操作人
column does not wrap one character a line (issue 14, item 8)."""

import pytest
from playwright.sync_api import Page, expect

from audit.models import AuditEvent
from conftest import PASSWORD
from people.org_info import org_info_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_trail_shows_chinese_field_names_and_values(page: Page, live_server, tree):
    org_info_update(
        org=tree.uni, actor=tree.uni_admin, data={"industry": "P", "admin_quota": "0", "phone": "025-86862000"}
    )
    AuditEvent.objects.create(actor=tree.uni_admin, verb="查看完整身份证号码", target_type="org", target_id=str(tree.uni.pk),
                              target_label=str(tree.uni), org=tree.uni, changes={"where": "团员列表", "count": 3})  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("身份证号码").fill(tree.uni_admin.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/audit/orgs/{tree.uni.id}/")
    table = page.locator("table.audit")
    expect(table).to_contain_text("单位所属行业类别：（空） → P 教育")
    expect(table).to_contain_text("本级团组织行政编制数：（空） → 0")
    expect(table).to_contain_text("查看位置：团员列表")
    for internal in ("industry", "admin_quota", "None", "['", "where", "path"):
        expect(table).not_to_contain_text(internal)
    actor = table.locator("tbody tr").first.locator("td").nth(1)
    text_height = actor.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getBoundingClientRect().height; }"
    )
    assert text_height < 30, text_height  # the name on one line, not a character a line
    page.screenshot(path="test-results/audit-trail.png", full_page=True)
