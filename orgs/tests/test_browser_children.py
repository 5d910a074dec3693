"""In Chromium: an admin creates a subordinate with the proposed 全称, then a batch from the template."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from imports.importers import children as batch
from imports.tests.xlsx import make_xlsx, open_xlsx
from orgs.models import Org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="创建下级组织")).to_be_visible()  # S6 may show a prompt first


def test_single_creation_shows_the_proposed_full_name_live_and_keeps_a_correction(page: Page, live_server, tree):
    login(page, live_server.url, tree.college_admin)
    page.get_by_role("link", name="创建下级组织").click()
    expect(page.get_by_role("heading", name="创建下级组织")).to_be_visible()
    expect(page.get_by_label("组织类别").locator("option")).to_have_text(
        ["请选择", "基层团委", "团工委", "团总支", "团支部"]
    )

    page.get_by_label("组织简称").press_sequentially("临床医学2018级团总支", delay=20)
    full_name = page.get_by_label("组织全称")
    expect(full_name).to_have_value(tree.college.full_name + "临床医学2018级团总支")
    full_name.fill("共青团南京医科大学第一临床医学院临床医学2018级总支部委员会")
    page.get_by_label("组织简称").press("End")
    page.get_by_label("组织简称").press_sequentially("x", delay=20)
    page.get_by_label("组织简称").press("Backspace")
    page.wait_for_timeout(600)
    expect(full_name).to_have_value(
        "共青团南京医科大学第一临床医学院临床医学2018级总支部委员会"
    )  # the correction is kept
    page.get_by_label("组织类别").select_option("团总支")
    page.get_by_role("button", name="创建", exact=True).click()

    expect(page.get_by_text("已创建团总支“临床医学2018级团总支”")).to_be_visible()
    assert Org.objects.get(short_name="临床医学2018级团总支").full_name.endswith("总支部委员会")

    # A wrong suffix is refused beside the field.
    page.get_by_label("组织简称").fill("临床医学2019级")
    page.get_by_label("组织类别").select_option("团总支")
    page.get_by_role("button", name="创建", exact=True).click()
    expect(page.locator(".field-error")).to_contain_text("应以“团总支”结尾")


def test_batch_creation_downloads_previews_confirms_and_reports(page: Page, live_server, tree, tmp_path):
    login(page, live_server.url, tree.general_admin)
    page.goto(f"{live_server.url}/manage/orgs/{tree.general.id}/children/new/")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载批量创建模板").click()
    template = open_xlsx(open(download.value.path(), "rb").read())
    assert "填写说明" in template.sheetnames

    data = make_xlsx(
        [
            [c.header for c in batch.COLUMNS],
            ["口腔2018级1班团支部", "团支部"],
            ["口腔2018级2班", "团支部"],
            ["五年制临床医学2017级3班团支部", "团支部"],
        ],
        title=batch.SHEET,
    )
    page.get_by_label("选择填好的模板").set_input_files(
        files=[{"name": "下级组织.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_role("heading", name="检查结果（尚未创建）")).to_be_visible()
    rows = page.locator(".import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("将创建")
    expect(rows.nth(1)).to_contain_text("应以“团支部”结尾")
    expect(rows.nth(2)).to_contain_text("已存在，跳过")
    assert not Org.objects.filter(short_name="口腔2018级1班团支部").exists()

    page.get_by_role("button", name="确认创建 1 个组织").click()
    expect(page.get_by_role("heading", name="导入结果")).to_be_visible()
    expect(page.locator(".import-rows tbody tr").nth(0)).to_contain_text("创建")
    assert Org.objects.filter(parent=tree.general, short_name="口腔2018级1班团支部").exists()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载结果工作簿").click()
    result = open_xlsx(open(download.value.path(), "rb").read()).active
    assert result["D3"].value == "失败" and "团支部" in result["E3"].value
    page.screenshot(path="test-results/children-import.png", full_page=True)


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_page_fits_a_laptop_and_a_phone(page: Page, live_server, tree, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server.url, tree.college_admin)
    page.goto(f"{live_server.url}/manage/orgs/{tree.college.id}/children/new/")
    expect(page.get_by_role("heading", name="单个创建")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {width}px"
