"""In Chromium, issue 4's done-when: a class list of 50 from Excel to complete records, the superior
reads them with ID numbers masked, and an imported member must replace the initial password."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.normalize import clean_code
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(page: Page, base: str, id_number: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_class_list_of_fifty_goes_in_and_is_seen_and_used(page: Page, live_server, tree, settings):
    settings.IMPORT_BACKGROUND_ROWS = 500  # 50 rows run inline
    rows = member_rows(50, seed=50, dev_base=5000)
    base = live_server.url

    login(page, base, tree.branch_admin.id_number)
    page.get_by_role("link", name="录入团员团干部").click()
    page.get_by_label("选择填好的模板").set_input_files(
        files=[{"name": "2017级3班名单.xlsx", "mimeType": XLSX, "buffer": write_xlsx(rows)}]
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("button", name="确认录入 50 人").click()
    expect(page.get_by_role("heading", name="导入结果")).to_be_visible()
    assert Person.objects.filter(branch=tree.branch, complete=True).count() == 52

    page.goto(f"{base}/people/orgs/{tree.branch.id}/members/")
    expect(page.locator(".tile-num").first).to_have_text("52")
    page.get_by_role("button", name="退出").click()

    # The 团总支 above reads the list: names and completeness, ID numbers masked, no actions.
    login(page, base, tree.general_admin.id_number)
    page.goto(f"{base}/people/orgs/{tree.branch.id}/members/")
    first = Person.objects.filter(branch=tree.branch).order_by("name").exclude(pk=tree.branch_admin.pk).first()
    expect(page.get_by_text("上级组织只读查看")).to_be_visible()
    expect(page.get_by_role("cell", name=first.name, exact=True).first).to_be_visible()
    expect(page.get_by_text(first.id_number)).to_have_count(0)
    expect(page.get_by_role("button", name="删除")).to_have_count(0)
    page.screenshot(path="test-results/class-list-superior.png", full_page=True)
    page.get_by_role("button", name="退出").click()

    # An imported member logs in with the last 8 characters of the ID number and must change it.
    member_id = clean_code(rows[7]["id_number"]).upper()
    login(page, base, member_id, member_id[-8:])
    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    page.get_by_label("原密码").fill(member_id[-8:])
    page.get_by_label("新密码", exact=True).fill("Ban-Ji#2026ok")
    page.get_by_label("再次输入新密码").fill("Ban-Ji#2026ok")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()
    assert Person.objects.by_id_number(member_id).get().registered is True
