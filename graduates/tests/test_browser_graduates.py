"""In Chromium (issue 18): the 团总支 marks its 4班 to graduate this June, the yearly job switches it to 毕业生团组织,
the 团总支 downloads the class's 毕业转出 sheet, fills in destinations (an unknown one first: refused whole), uploads,
checks and submits one 办理转出 per person; once the receiver has approved them all the emptied 毕业生团组织 is
offered on the clean-up page after 31 July and deleted."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from graduates import rules, services
from orgs.models import Org
from people.tests.test_browser_class_list import login
from transfers import services as transfer_services
from transfers.models import TransferRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filled(content: bytes, destination: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["毕业转出"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=3, value=destination)
        ws.cell(row=row, column=4, value="升学")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_class_from_marking_through_bulk_transfer_to_its_deletion(page: Page, live_server, grad_tree):
    t = grad_tree
    today = timezone.localdate()
    if not rules.season_over(today.year, today):
        pytest.skip("the clean-up step needs a day after 31 July")  # the rules tests cover every date
    base = live_server.url
    login(page, base, t.general_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="毕业生").click()
    page.get_by_label(f"{t.class4.short_name}预计毕业年月").fill(f"{t.year}-06")
    page.get_by_role("row", name=t.class4.short_name).get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"已标记{t.class4.short_name}：{t.year}-06")).to_be_visible()

    assert services.switch_due() == 1  # the worker's yearly job, run on or after the switch day
    page.reload()
    row = page.get_by_role("row", name=t.class4.short_name)
    expect(row).to_contain_text("已转为毕业生团组织")
    row.get_by_role("link", name="毕业转出").click()
    expect(page.get_by_text("类别：毕业生团组织")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载毕业转出表").click()
    sheet = open(download.value.path(), "rb").read()
    chooser = page.get_by_label("选择填好的模板")
    chooser.set_input_files(
        files=[{"name": "毕业转出.xlsx", "mimeType": XLSX, "buffer": filled(sheet, "共青团火星团委")}]
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("转入组织“共青团火星团委”不存在").first).to_be_visible()
    expect(page.get_by_role("button", name="确认办理转出 3 人")).to_have_count(0)  # nothing half-done

    chooser.set_input_files(
        files=[{"name": "毕业转出.xlsx", "mimeType": XLSX, "buffer": filled(sheet, t.destination.full_name)}]
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("button", name="确认办理转出 3 人").click()
    expect(page.get_by_text("导入结果")).to_be_visible()
    assert TransferRequest.objects.filter(kind="办理转出").count() == 3
    page.screenshot(path="test-results/graduates-transfers.png", full_page=True)

    for tr in TransferRequest.objects.all():  # the receiving branch's superior approves each
        transfer_services.transfer_approve(transfer=tr, actor=t.receiver)

    page.goto(f"{base}/graduates/orgs/{t.general.id}/")
    page.get_by_role("link", name="毕业生团组织清理").click()
    page.get_by_role("button", name=f"删除{t.class4.short_name}").click()
    expect(page.get_by_text(f"已删除毕业生团组织“{t.class4.short_name}”")).to_be_visible()
    assert not Org.objects.filter(pk=t.class4.pk).exists()
    page.screenshot(path="test-results/graduates-cleanup.png", full_page=True)
