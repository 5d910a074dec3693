"""The pages of a background export: the job page, the fragment htmx polls, the download; and `respond`,
which the export pages of every app use to answer an export_start outcome."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.pages import job_view
from core.replicas import replica_view
from excel.workbooks import XLSX_CONTENT_TYPE, attachment, xlsx_response

from . import engine
from .models import ExportJob
from .registry import KINDS


def respond(outcome: engine.Ready | ExportJob) -> HttpResponse:
    """A small export downloads at once; a big one goes to its job page (progress bar, then the download)."""
    if isinstance(outcome, ExportJob):
        return redirect("exports:job", pk=outcome.pk)
    return xlsx_response(outcome.content, outcome.filename)


def job_context(job: ExportJob) -> dict:
    kind = KINDS.get(job.kind)
    return {"job": job, "label": kind.label if kind else job.kind, "expired": engine.expired(job),
            "keep_hours": engine.keep_hours()}  # fmt: skip


job_page = job_view("exports/job.html", fetch=engine.job_get_for_user, context=job_context)
job_status = job_view("exports/partials/job_status.html", fetch=engine.job_get_for_user, context=job_context)


@login_required
@require_GET
def job_file(request, pk: int):
    """The finished file, streamed piece by piece from the database; only for the job's creator."""
    filename, size, pieces = engine.job_file(request.user, pk)
    response = StreamingHttpResponse(pieces, content_type=XLSX_CONTENT_TYPE)
    response["Content-Length"] = str(size)
    return attachment(response, filename)


LISTED_PER_PAGE = 50


def table_pages(template: str, *, fetch, table, export, crumbs, listing=None):
    """A yearly module's statistics page with drill-down and its workbook (对标定级, 两制, 毕业季): the page view
    and the .xlsx view. `fetch(user, pk)` gives the organisation the reader may see (404 otherwise), `table(org=,
    year=)` the rows, `crumbs(user, org)` the breadcrumb, `export(actor=, org=, year=)` an export_start outcome,
    `listing` (name, selector(org=, year=)) a list shown below the table, paginated, as `name`."""

    @login_required
    @replica_view
    def page(request, pk: int, year: int):
        org = fetch(request.user, pk)
        context = {**table(org=org, year=year), "ancestors": crumbs(request.user, org)}
        if listing:
            name, selector = listing
            rows = Paginator(selector(org=org, year=year), LISTED_PER_PAGE)
            context[name] = rows.get_page(request.GET.get("page"))
        return render(request, template, context)

    @login_required
    @replica_view
    def xlsx(request, pk: int, year: int):
        return respond(export(actor=request.user, org=fetch(request.user, pk), year=year))

    return page, xlsx
