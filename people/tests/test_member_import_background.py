"""Big member files (SPEC P6, API.md background imports): jobs, progress, and 20,000 rows.

Tests run tasks with django-tasks' immediate backend, so a job has finished
when the request that started it returns; the job is enqueued on commit, so
requests are wrapped in `django_capture_on_commit_callbacks(execute=True)`.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.importers import members as member_import
from imports.models import ImportJob
from imports.tests.xlsx import open_xlsx
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

ROWS = 2100


@pytest.fixture(scope="module")
def big_file():
    rows = member_rows(ROWS, seed=7, dev_base=1000)
    rows[10]["political_status"] = "群众"  # row 12 fails
    return write_xlsx(rows)


def post(client, org, data, *, dry_run=False):
    return client.post(
        f"/api/v1/orgs/{org.id}/people/import?dry_run={'true' if dry_run else 'false'}",
        {"file": SimpleUploadedFile("big.xlsx", data)},
    )


def test_a_file_above_the_threshold_answers_202_and_the_job_finishes_with_the_counts(
    tree, api_login, big_file, django_capture_on_commit_callbacks
):
    client = api_login(tree.branch_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, tree.branch, big_file)
    assert response.status_code == 202, response.content
    job_id = response.json()["job_id"]
    body = client.get(f"/api/v1/imports/{job_id}").json()
    assert body["status"] == "已完成" and body["done"] == body["total"] == ROWS
    report = body["report"]
    assert report["created"] == ROWS - 1 and report["skipped"] == 0
    assert [f["row"] for f in report["failed"]] == [12] and "政治面貌" in report["failed"][0]["message"]
    assert Person.objects.filter(branch=tree.branch).count() == ROWS - 1 + 2
    assert not any(len(r["id_number"]) == 18 and "*" not in r["id_number"] for r in report["rows"][:50])

    with django_capture_on_commit_callbacks(execute=True):
        second = post(client, tree.branch, big_file).json()["job_id"]
    again = client.get(f"/api/v1/imports/{second}").json()
    assert again["report"]["created"] == 0 and again["report"]["skipped"] == ROWS - 1


def test_a_background_preview_writes_nothing(tree, api_login, big_file, django_capture_on_commit_callbacks):
    client = api_login(tree.branch_admin)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(client, tree.branch, big_file, dry_run=True).json()["job_id"]
    body = client.get(f"/api/v1/imports/{job_id}").json()
    assert body["report"]["would_create"] == ROWS - 1 and body["dry_run"] is True
    assert Person.objects.filter(branch=tree.branch).count() == 2


def test_a_job_is_visible_only_to_its_creator(tree, api_login, big_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(api_login(tree.branch_admin), tree.branch, big_file, dry_run=True).json()["job_id"]
    other = api_login(tree.general_admin)
    response = other.get(f"/api/v1/imports/{job_id}")
    assert response.status_code == 404 and response.json()["code"] == "job_not_found"
    assert api_login(tree.branch_admin).get(f"/api/v1/imports/{job_id + 1000}").status_code == 404


def test_the_page_shows_a_progress_bar_then_the_report_and_confirms_from_the_job(
    tree, client, big_file, django_capture_on_commit_callbacks
):
    client.force_login(tree.branch_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:member_import_preview", args=[tree.branch.id]),
            {"file": SimpleUploadedFile("big.xlsx", big_file)},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert "后台检查" in html and "<progress" in html
    job = ImportJob.objects.get(created_by=tree.branch_admin)
    status = client.get(reverse("imports:job_status", args=[job.id])).content.decode()
    assert "已完成" in status and 'hx-trigger="every 1s"' not in status and f"确认录入 {ROWS - 1} 人" in status

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("people:member_import_confirm", args=[tree.branch.id]), {"job": job.id}, HTTP_HX_REQUEST="true"
        )
    done = ImportJob.objects.filter(created_by=tree.branch_admin, dry_run=False).get()
    assert done.status == ImportJob.Status.DONE and done.report["created"] == ROWS - 1
    page = client.get(reverse("imports:job", args=[done.id])).content.decode()
    assert "第12行" in page and "下载结果工作簿" in page

    ws = open_xlsx(client.get(reverse("imports:job_result", args=[done.id])).content).active
    assert ws.max_row == ROWS + 1
    assert ws.cell(row=12, column=13).value == "失败" and ws.cell(row=2, column=13).value == "创建"

    client.force_login(tree.general_admin)
    assert client.get(reverse("imports:job", args=[done.id])).status_code == 404
    assert client.get(reverse("imports:job_result", args=[done.id])).status_code == 404


def test_a_running_job_is_polled_every_second(tree, client):
    job = ImportJob.objects.create(
        kind="member_import", org=tree.branch, created_by=tree.branch_admin, total=100, done=40
    )
    client.force_login(tree.branch_admin)
    html = client.get(reverse("imports:job_status", args=[job.id])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html and "排队中" in html


def test_a_crashed_chunk_leaves_whole_chunks_and_a_rerun_completes(tree, monkeypatch):
    rows = member_rows(2500, seed=11, dev_base=5000)
    real = member_import._insert
    calls = {"n": 0}

    def crash_on_third(branch, create, link):
        calls["n"] += 1
        real(branch, create, link)
        if calls["n"] == 3:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(member_import, "_insert", crash_on_third)
    with pytest.raises(RuntimeError):
        member_import.member_import(branch=tree.branch, file_or_rows=rows, actor=tree.branch_admin, dry_run=False)
    assert Person.objects.filter(branch=tree.branch).count() == 2 + 2 * member_import.CHUNK
    monkeypatch.setattr(member_import, "_insert", real)
    report = member_import.member_import(branch=tree.branch, file_or_rows=rows, actor=tree.branch_admin, dry_run=False)
    assert report.skipped == 2 * member_import.CHUNK and report.created == 500


def test_twenty_thousand_rows_are_imported(tree):
    rows = member_rows(20_000, seed=13, dev_base=100_000)
    seen = []
    start = time.perf_counter()
    report = member_import.member_import(
        branch=tree.branch,
        file_or_rows=rows,
        actor=tree.branch_admin,
        dry_run=False,
        progress=lambda done, total: seen.append(done),
    )
    elapsed = time.perf_counter() - start
    assert report.created == 20_000, [(r.row, r.message) for r in report.failed[:3]]
    assert seen == list(range(1000, 20_001, 1000))
    assert Person.objects.filter(branch=tree.branch).count() == 20_002
    assert elapsed < 60, f"20,000 rows took {elapsed:.1f} s"
