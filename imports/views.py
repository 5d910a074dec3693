"""The pages of every import (imports.importer): upload → preview → confirm → result, and background jobs.

The same views serve each importer, named by its kind in the URL configuration of the page that shows the
import card (people.urls, orgs.urls): the preview checks the upload and writes nothing, keeping the file for
the confirmation under a token held in the session (imports.uploads); files above
settings.IMPORT_BACKGROUND_ROWS rows become an ImportJob whose progress the admin watches here, and which
goes on when the page is closed. htmx requests get the import card's fragment, others the whole page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError, NotAllowed, NotFound
from core.pages import job_view
from core.upload_limit import charge_upload
from excel import workbooks
from excel.report import reasons_of
from orgs import access as org_access

from . import importer as framework
from . import jobs, uploads
from .forms import UploadForm
from .models import ImportJob

RECENT_JOBS = 5


def target(request, imp: framework.Importer, pk: int):
    """404 for what the user cannot see (or where this import does not apply), 403 for what they may not import
    into; other refusals (a branch has no subordinates) are said in the import card when a file is sent."""
    org = org_access.fetch_org(request.user, pk)
    if not imp.applies(org):
        raise Http404(imp.not_here)
    try:
        imp.require(request.user, org)
    except NotAllowed:
        raise
    except DomainError:
        pass
    return org


def card_context(request, imp: framework.Importer, org, **context) -> dict:
    """What the import card of a page shows: the upload form, the words, the user's recent jobs here."""
    recent = ImportJob.objects.filter(created_by=request.user, org=org, kind=imp.kind).order_by("-pk")[:RECENT_JOBS]
    return {
        "org": org,
        "words": imp.words,
        "upload_form": UploadForm(),
        "recent": recent,
        "max_rows": imp.max_rows,
        "background_rows": jobs.background_rows(),
        **context,
    }


def _area(request, imp: framework.Importer, org, page, **context):
    """The import card's result: a fragment for htmx, the whole page otherwise."""
    if request.htmx:
        return render(request, "imports/partials/result.html", {"org": org, "words": imp.words, **context})
    return page(request, org, **context)


def _outcome(request, imp, org, page, outcome, *, token: str = ""):
    if isinstance(outcome, ImportJob):
        return _area(request, imp, org, page, **job_context(outcome))
    result = uploads.stash(request, purpose=f"{imp.kind}-result:{org.pk}", content=workbooks.result_workbook(outcome))
    return _area(
        request, imp, org, page, report=outcome, reasons=outcome.failed_by_reason, token=token, result_token=result
    )


@login_required
@require_GET
def template(request, pk: int, kind: str, page):
    imp = framework.get(kind)
    org = target(request, imp, pk)
    content = framework.template_bytes(imp, org, actor=request.user)
    return workbooks.xlsx_response(content, f"{imp.title}_{org.short_name}.xlsx")


@login_required
@require_POST
def preview(request, pk: int, kind: str, page):
    """Check the upload row by row and write nothing; large files are checked in the background."""
    imp = framework.get(kind)
    org = target(request, imp, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _area(request, imp, org, page, import_error=form.errors["file"][0])
    try:
        charge_upload(request, request.user)  # the admin's hourly upload quota (core.upload_limit)
        data = framework.readers.read_upload(form.cleaned_data["file"])
        outcome = framework.import_start(imp, target=org, actor=request.user, file=data, dry_run=True)
    except DomainError as e:
        return _area(request, imp, org, page, import_error=e.message)
    token = "" if isinstance(outcome, ImportJob) else uploads.stash(request, purpose=_upload(imp, org), content=data)
    return _outcome(request, imp, org, page, outcome, token=token)


@login_required
@require_POST
def confirm(request, pk: int, kind: str, page):
    """Import the file checked in the preview (kept under a token, or by the preview's job)."""
    imp = framework.get(kind)
    org = target(request, imp, pk)
    token = request.POST.get("token", "")
    try:
        if request.POST.get("job"):
            job = jobs.job_get_for_user(request.user, int(request.POST["job"]))
            if job.org_id != org.pk or job.kind != imp.kind:
                raise NotFound("未找到该导入任务，或它不是您发起的。", code="job_not_found")
            data = jobs.load_file(job.file_token)
        else:
            data = uploads.load(request, token, purpose=_upload(imp, org))
        outcome = framework.import_start(imp, target=org, actor=request.user, file=data, dry_run=False)
    except (DomainError, ValueError) as e:
        return _area(request, imp, org, page, import_error=getattr(e, "message", "请重新上传文件。"))
    if token:
        uploads.discard(request, token)
    return _outcome(request, imp, org, page, outcome)


@login_required
@require_GET
def result(request, pk: int, kind: str, token: str, page):
    """The result workbook: the uploaded rows with 结果 and 说明 beside each, and the reasons summed up."""
    imp = framework.get(kind)
    org = target(request, imp, pk)
    try:
        content = uploads.load(request, token, purpose=f"{imp.kind}-result:{org.pk}")
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(imp.words.page_url, pk=org.pk)
    return workbooks.xlsx_response(content, f"{imp.words.result_file}_{org.short_name}.xlsx")


def _upload(imp, org) -> str:
    return f"{imp.kind}-upload:{org.pk}"


# Background jobs: the progress page, the fragment htmx polls, and the result workbook


def job_context(job: ImportJob) -> dict:
    report = job.report if job.finished else None
    return {
        "job": job,
        "words": framework.get(job.kind).words,
        "report": report,
        "reasons": reasons_of(report) if report else [],
    }


job_page = job_view("imports/job.html", fetch=jobs.job_get_for_user, context=job_context)
job_status = job_view("imports/partials/job_status.html", fetch=jobs.job_get_for_user, context=job_context)


@login_required
@require_GET
def job_result(request, pk: int):
    job = jobs.job_get_for_user(request.user, pk)
    if not job.finished or not job.report:
        raise Http404("导入尚未完成。")
    try:
        content = framework.result_workbook_from_job(job, jobs.load_file(job.file_token))
    except DomainError as e:
        raise Http404(e.message) from None
    return workbooks.xlsx_response(content, f"{'检查' if job.dry_run else '导入'}结果_{job.pk}.xlsx")
