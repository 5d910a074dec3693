"""The one export engine (issue 14, item 3): every Excel download of a list runs through here.

`export_start` checks the caller's right (the kind's `check`), estimates the rows, and either writes the
workbook at once (up to settings.EXPORT_BACKGROUND_ROWS rows: the download stays immediate) or records an
ExportJob and queues it for the background worker (`manage.py worker`), whose progress the admin watches
on the job page. Either way `write` streams: openpyxl's write-only mode sends each row to a temporary
file as it is appended, rows are read in chunks (the kind's generator uses `.iterator(chunk_size=…)`),
and past SHEET_ROWS data rows a new sheet begins (团员名单(2), 团员名单(3) …), so memory stays bounded
however many rows there are (BENCHMARKS.md, "Exports"). A finished file is stored in the database in
pieces (ExportChunk) so that any web node can stream it, to its creator only, until it expires.
"""

import datetime as dt
import io
import logging
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core import background, replicas
from core.exceptions import DomainError, NotFound
from excel.workbooks import HEADER_FILL, HEADER_FONT, new_workbook, safe_row

from .models import ExportChunk, ExportJob
from .registry import ExportKind, get

logger = logging.getLogger(__name__)

SHEET_ROWS = 1_048_575  # Excel holds 1,048,576 rows a sheet, one of them the header
CHUNK_BYTES = 4 * 1024 * 1024  # a stored file's pieces
PROGRESS_EVERY = 2000  # rows between two progress updates of a job
FAILED = "导出过程中发生系统错误，未生成文件。请稍后重新导出；如仍失败，请联系系统管理员。"
NOT_FOUND = "未找到该导出任务，或它不是您发起的。"


def background_rows() -> int:
    return settings.EXPORT_BACKGROUND_ROWS


def keep_hours() -> int:
    return settings.EXPORT_KEEP_HOURS


@dataclass
class Ready:
    """An export written at once: the download."""

    content: bytes
    filename: str


def sheet_title(kind: ExportKind, number: int) -> str:
    return kind.sheet if number == 1 else f"{kind.sheet}({number})"


def _new_sheet(wb, kind: ExportKind, number: int, preamble: list[list]):
    ws = wb.create_sheet(sheet_title(kind, number))
    for index, (_, width) in enumerate(kind.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if kind.freeze_header:
        ws.freeze_panes = f"A{len(preamble) + 2}"
    for row in preamble:
        ws.append(safe_row(row))
    header = []
    for title, _ in kind.columns:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    return ws


def write(kind: ExportKind, *, actor, org, params: dict, out, progress=None) -> int:
    """Write the workbook to the binary file `out`; the number of data rows. `params` are checked already.

    Every sheet holds at most SHEET_ROWS rows below its header (the first sheet's preamble counts
    against it); the rows go on in the next sheet under the same header."""
    wb = new_workbook(write_only=True)
    tally: dict = {}
    preamble = kind.preamble(actor, org, params, tally) if kind.preamble else []
    ws, number, room, count = None, 0, 0, 0
    for row in kind.rows(actor, org, params, tally):
        if room == 0:
            number += 1
            ws = _new_sheet(wb, kind, number, preamble if number == 1 else [])
            room = SHEET_ROWS - (len(preamble) if number == 1 else 0)
        ws.append(safe_row(row))
        room -= 1
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if ws is None:
        _new_sheet(wb, kind, 1, preamble)  # nothing to export: the header alone
    if kind.finish:
        kind.finish(wb, actor, org, params, count, tally)
    wb.save(out)
    return count


def workbook_bytes(name: str, *, actor, org, params: dict | None = None) -> bytes:
    """The whole export at once (checked, written in one transaction: one snapshot, audited with it)."""
    kind = get(name)
    params = kind.check(actor, org, dict(params or {}))
    buffer = io.BytesIO()
    with transaction.atomic() if kind.snapshot else nullcontext():
        write(kind, actor=actor, org=org, params=params, out=buffer)
    return buffer.getvalue()


def export_start(name: str, *, actor, org, params: dict | None = None) -> Ready | ExportJob:
    """The download now if the export is small, otherwise a queued job (with the immediate task backend it
    has finished when this returns). Raises the kind's refusal (DomainError) before anything is written."""
    kind = get(name)
    params = kind.check(actor, org, dict(params or {}))
    total = kind.estimate(actor, org, params)
    if total <= background_rows():
        buffer = io.BytesIO()
        with transaction.atomic() if kind.snapshot else nullcontext():
            write(kind, actor=actor, org=org, params=params, out=buffer)
        return Ready(buffer.getvalue(), kind.filename(actor, org, params))
    job = ExportJob.objects.create(
        kind=name, org=org, created_by=actor, params=params, total=total, filename=kind.filename(actor, org, params)
    )
    # Imported here: django-tasks wants the task in its own module (exports.tasks), which imports this one.
    from .tasks import run_export_job

    return background.enqueue_on_commit(run_export_job, job)


def job_run(job_id: int) -> None:
    """The worker's part: check the creator's right again, write the file, store it, mark the job."""
    job = background.job_claim(ExportJob, job_id)
    if job is None:
        return

    def progress(done: int) -> None:
        background.job_update(job, done=done)

    try:
        if job.org is None:
            raise NotFound("要导出的团组织已不存在。", code="org_not_found")
        kind = get(job.kind)
        params = kind.check(job.created_by, job.org, dict(job.params))
        with tempfile.TemporaryFile() as f:
            # No surrounding transaction: the progress updates must be seen while the rows are written.
            # The rows from a standby that has replayed everything committed before the job started (core.replicas).
            with replicas.reads_from_replica(at_least=replicas.primary_lsn()):
                count = write(kind, actor=job.created_by, org=job.org, params=params, out=f, progress=progress)
            size = f.seek(0, io.SEEK_END)
            f.seek(0)
            with transaction.atomic():
                ExportChunk.objects.filter(job_id=job.pk).delete()
                seq = 0
                while data := f.read(CHUNK_BYTES):
                    ExportChunk.objects.create(job_id=job.pk, seq=seq, data=data)
                    seq += 1
                _finish(job, ExportJob.Status.DONE, done=count, size=size)
    except DomainError as e:
        _finish(job, ExportJob.Status.FAILED, error=e.message)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _finish(job, ExportJob.Status.FAILED, error=FAILED)
        raise


def _finish(job: ExportJob, status: str, *, done: int | None = None, size: int = 0, error: str = "") -> None:
    rows = {} if done is None else {"done": done}
    expires_at = timezone.now() + dt.timedelta(hours=keep_hours())
    background.job_finish(job, status, error=error, size=size, expires_at=expires_at, **rows)


def job_get_for_user(user, job_id: int) -> ExportJob:
    return background.job_for_creator(ExportJob, user, job_id, missing=NOT_FOUND)


def expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= timezone.now()


def job_file(user, job_id: int):
    """(file name, size, the file's bytes piece by piece) of a finished job, for its creator while it is kept
    and while the creator may still run the export (the kind's check again)."""
    job = job_get_for_user(user, job_id)
    if job.status != ExportJob.Status.DONE:
        raise NotFound("导出尚未完成，完成后才能下载。", code="export_not_ready")
    if expired(job) or job.org is None:
        raise NotFound(f"导出文件已过期（完成后保留{keep_hours()}小时），请重新导出。", code="export_expired")
    get(job.kind).check(user, job.org, dict(job.params))
    seqs = list(ExportChunk.objects.filter(job_id=job.pk).order_by("seq").values_list("seq", flat=True))

    def pieces():
        for seq in seqs:  # one piece in memory at a time
            yield bytes(ExportChunk.objects.filter(job_id=job.pk, seq=seq).values_list("data", flat=True).get())

    return job.filename, job.size, pieces()


def job_out(job: ExportJob) -> dict:
    """The API's view of a job."""
    return {**background.job_out(job, "kind", "filename", "size", "expires_at"), "expired": expired(job)}


def purge_expired() -> int:
    """The scheduled job: delete expired exports' files and jobs, and jobs left unfinished for a week."""
    now = timezone.now()
    stale = Q(expires_at__lte=now) | Q(expires_at__isnull=True, created_at__lte=now - dt.timedelta(days=7))
    deleted, _ = ExportJob.objects.filter(stale).delete()
    return deleted


def totals_sheet(wb, *, title: str, columns, table: dict, values) -> None:
    """A 统计 sheet after an export's rows: its title, the header, one row per direct subordinate and the total
    (`table` as a statistics selector returns it, `values(row)` the row's figures)."""
    sheet = wb.create_sheet("统计")
    sheet.append([title])
    sheet.append(list(columns))
    for row in [*table["rows"], table["total"]]:
        sheet.append(["合计（含本级）" if row is table["total"] else row.short_name, *values(row)])
