"""In Chromium (issue 14, item 3): a big 导出团员名单 goes to the background, shows a progress bar, then the
download; the file opens with every member. The job is queued with the production task backend (nothing runs
it in the request); the test then runs the worker's own function, as `manage.py worker` would."""

import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from exports import engine
from exports.models import ExportJob
from people.tests.test_browser_class_list import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, EXPORT_BACKGROUND_ROWS=3)
def test_a_big_export_shows_a_progress_bar_then_the_download(page: Page, live_server, tree, make_person):
    for i in range(5):
        make_person(f"团员{i}", birth=f"2000010{i + 1}", branch=tree.branch)
    base = live_server.url
    login(page, base, tree.general_admin.id_number)
    page.get_by_role("link", name="导出团员名单").first.click()

    expect(page.get_by_role("heading", name="导出团员名单")).to_be_visible()
    bar = page.get_by_role("progressbar", name="导出进度")
    expect(bar).to_be_visible()
    expect(page.locator(".job-state")).to_have_text("排队中")
    expect(page.get_by_text("可以关闭本页，导出不会中断")).to_be_visible()
    page.screenshot(path="test-results/export-queued.png", full_page=True)

    job = ExportJob.objects.get()
    engine.job_run(job.pk)  # the worker's part

    link = page.get_by_role("link", name="下载 团员名单")
    expect(link).to_be_visible(timeout=10_000)  # htmx polls every second
    expect(page.locator(".job-state")).to_have_text("已完成")
    expect(bar).to_have_attribute("value", "100")
    page.screenshot(path="test-results/export-done.png", full_page=True)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("团员名单-") and download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert ws.max_row == 1 + 7
