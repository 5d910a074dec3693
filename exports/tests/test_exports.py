"""The export engine (issue 14, item 3): big exports in the background, streamed, split past the sheet limit.

Tests run tasks with django-tasks' immediate backend: a job is enqueued on commit and the worker's function
(exports.engine.job_run) runs in the request, so requests that start one are wrapped in
`django_capture_on_commit_callbacks(execute=True)`.
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.pii import mask_id_number
from exports import engine
from exports.models import ExportChunk, ExportJob
from people import export


@pytest.fixture
def big(tree, make_person, settings):
    """Seven members in the 团总支's subtree (2 in the tree already), above a threshold lowered to 3."""
    for i in range(5):
        make_person(f"团员{i}", birth=f"2000010{i + 1}", branch=tree.branch)
    settings.EXPORT_BACKGROUND_ROWS = 3
    return tree


def sheets(content: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def download(client, job_id: int) -> bytes:
    response = client.get(reverse("exports:job_file", args=[job_id]))
    assert response.status_code == 200, response.content[:300]
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_past_the_sheet_limit_the_rows_go_on_in_numbered_sheets_each_with_the_header(big, monkeypatch):
    monkeypatch.setattr(engine, "SHEET_ROWS", 3)
    content = export.members_workbook(actor=big.branch_admin, org=big.branch, full=True, reason="核对团籍")
    book = sheets(content)
    assert list(book) == ["团员名单", "团员名单(2)", "团员名单(3)", "说明"]
    header = [title for title, _ in export.COLUMNS]
    data = []
    for title in ("团员名单", "团员名单(2)", "团员名单(3)"):
        assert book[title][0] == header
        assert len(book[title]) - 1 <= 3
        data += book[title][1:]
    assert len(data) == 7 and len({r[2] for r in data}) == 7  # every member once, in order
    assert [len(book[t]) - 1 for t in ("团员名单", "团员名单(2)", "团员名单(3)")] == [3, 3, 1]
    event = AuditEvent.objects.get(verb=export.FULL_VERB)
    assert event.changes["count"] == 7


def test_exactly_the_limit_stays_on_one_sheet(big, monkeypatch):
    monkeypatch.setattr(engine, "SHEET_ROWS", 7)
    assert list(sheets(export.members_workbook(actor=big.general_admin, org=big.general))) == ["团员名单"]


def test_a_big_export_from_the_page_runs_in_the_worker_and_its_creator_downloads_it(
    big, client, django_capture_on_commit_callbacks
):
    client.force_login(big.general_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("people:members_export", args=[big.general.pk]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE and job.done == job.total == 7
    assert job.expires_at > timezone.now() + dt.timedelta(hours=23)
    assert ExportChunk.objects.filter(job=job).exists()  # the file is in the database: any node serves it

    page = client.get(response.url).content.decode()
    assert "已完成" in page and reverse("exports:job_file", args=[job.pk]) in page and "<progress" in page
    book = sheets(download(client, job.pk))
    rows = book["团员名单"][1:]
    assert len(rows) == 7
    assert mask_id_number(big.member.id_number) in [r[2] for r in rows]  # masked, as the immediate export
    assert big.member.id_number not in [r[2] for r in rows]
    assert AuditEvent.objects.get(verb="导出团员名单").changes == {"count": 7}


def test_a_small_export_stays_immediate(big, client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 20_000
    client.force_login(big.general_admin)
    response = client.get(reverse("people:members_export", args=[big.general.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_a_full_export_in_the_background_keeps_its_reason_audit_and_notes(
    big, client, django_capture_on_commit_callbacks
):
    client.force_login(big.branch_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:members_export", args=[big.branch.pk]), {"reason": "报送团籍核对"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportJob.Status.DONE
    book = sheets(download(client, job.pk))
    assert big.member.id_number in [r[2] for r in book["团员名单"][1:]]
    assert ["用途", "报送团籍核对"] in book["说明"]
    event = AuditEvent.objects.get(verb=export.FULL_VERB)
    assert event.changes["reason"] == "报送团籍核对" and event.changes["count"] == 7


def test_a_full_export_without_a_reason_is_refused_before_any_job(big, client):
    client.force_login(big.branch_admin)
    response = client.post(reverse("people:members_export", args=[big.branch.pk]), {"reason": ""})
    assert response.status_code == 400 and "用途" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_only_the_creator_sees_the_job_and_downloads_the_file(big, client, django_capture_on_commit_callbacks):
    client.force_login(big.general_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("people:members_export", args=[big.general.pk]))
    job = ExportJob.objects.get()
    # The 团总支's superior and the branch's own admin: both may export the list themselves, neither gets this file.
    for other in (big.uni_admin, big.branch_admin, big.outsider):
        client.force_login(other)
        for name in ("exports:job", "exports:job_status", "exports:job_file"):
            response = client.get(reverse(name, args=[job.pk]))
            assert response.status_code == 404, (other.name, name)
            assert "未找到该导出任务" in response.content.decode()


def test_the_file_expires_and_the_scheduled_job_deletes_it(big, client, django_capture_on_commit_callbacks):
    client.force_login(big.general_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("people:members_export", args=[big.general.pk]))
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(reverse("exports:job_file", args=[job.pk]))
    assert response.status_code == 404 and "已过期" in response.content.decode()
    assert "请重新导出" in client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert engine.purge_expired() >= 1
    assert not ExportJob.objects.exists() and not ExportChunk.objects.exists()


def test_the_worker_checks_the_creators_right_again(big, django_capture_on_commit_callbacks):
    """Queued, then the creator lost the organisation: the job fails and keeps no file."""
    from orgs.models import OrgAdmin

    with django_capture_on_commit_callbacks(execute=False):
        job = export.members_export(actor=big.general_admin, org=big.general)
    assert isinstance(job, ExportJob) and job.status == ExportJob.Status.QUEUED
    OrgAdmin.objects.filter(person=big.general_admin).delete()
    engine.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "未找到该团组织" in job.error
    assert not ExportChunk.objects.filter(job=job).exists()


def test_the_api_answers_202_then_the_job_and_the_file(big, api_login, django_capture_on_commit_callbacks):
    api = api_login(big.general_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.get(f"/api/v1/orgs/{big.general.pk}/members.xlsx")
    assert response.status_code == 202, response.content
    body = response.json()
    status = api.get(body["status_url"]).json()
    assert status["status"] == "已完成" and status["done"] == 7 and status["size"] > 0 and not status["expired"]
    file = api.get(body["file_url"])
    assert file.status_code == 200
    assert len(sheets(b"".join(file.streaming_content))["团员名单"]) == 8
    other = api_login(big.uni_admin)
    assert other.get(body["status_url"]).status_code == 404
    assert other.get(body["file_url"]).json()["code"] == "job_not_found"


def test_the_openapi_document_describes_the_job_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/exports/{job_id}" in schema["paths"] and "/api/v1/exports/{job_id}/file" in schema["paths"]
    members = schema["paths"]["/api/v1/orgs/{org_id}/members.xlsx"]["get"]["responses"]
    assert "202" in members and "200" in members
