"""In Chromium: a branch admin downloads the member template, previews, confirms; a big file runs in the background."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from imports.importers import members as member_import
from imports.tests.xlsx import open_xlsx
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="管理中心", exact=True)).to_be_visible()


def test_the_branch_admin_imports_members_from_the_template(page: Page, live_server, tree):
    login(page, live_server.url, tree.branch_admin)
    page.get_by_role("link", name="录入团员团干部").click()
    expect(page.get_by_role("heading", name="录入团员团干部")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载团员团干部录入模板").click()
    assert "录入下级支部成员说明" in open_xlsx(open(download.value.path(), "rb").read()).sheetnames

    rows = member_rows(3, seed=21, dev_base=7000)
    rows[1]["league_join_date"] = "2099-01"
    data = write_xlsx(rows)
    page.get_by_label("选择填好的模板").set_input_files(files=[{"name": "团员.xlsx", "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("heading", name="检查结果（尚未录入）")).to_be_visible()
    table = page.locator(".import-rows tbody tr")
    expect(table).to_have_count(3)
    expect(table.nth(1)).to_contain_text("不能晚于当前月份")
    assert Person.objects.filter(branch=tree.branch).count() == 2

    page.get_by_role("button", name="确认录入 2 人").click()
    expect(page.get_by_role("heading", name="导入结果")).to_be_visible()
    assert Person.objects.filter(branch=tree.branch).count() == 4
    with page.expect_download() as download:
        page.get_by_role("link", name="下载结果工作簿").click()
    ws = open_xlsx(open(download.value.path(), "rb").read()).active
    assert ws.cell(row=3, column=len(member_import.COLUMNS) + 1).value == "失败"
    page.screenshot(path="test-results/member-import.png", full_page=True)


def test_a_big_file_shows_a_progress_bar_and_its_report(page: Page, live_server, tree, settings):
    settings.IMPORT_BACKGROUND_ROWS = 20
    login(page, live_server.url, tree.general_admin)
    page.get_by_role("link", name="录入下级支部成员").click()
    # the searchable branch picker (issue 14, item 4): choosing a branch opens its import page
    page.locator(".pick-list label", has_text=tree.branch.short_name).first.click()
    expect(page.get_by_role("heading", name="录入下级支部成员")).to_be_visible()
    data = write_xlsx(member_rows(60, seed=22, dev_base=8000))
    page.get_by_label("选择填好的模板").set_input_files(files=[{"name": "团员.xlsx", "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator(".job-state")).to_have_text("已完成")
    page.get_by_role("button", name="确认录入 60 人").click()
    expect(page.get_by_text("已录入 60 行")).to_be_visible(timeout=15000)
    assert Person.objects.filter(branch=tree.branch).count() == 62
    page.screenshot(path="test-results/member-import-background.png", full_page=True)
