"""The import framework (SPEC T6, P6): one way to read, check, decide and apply an Excel template.

An import is declared once, as an `Importer`:

- its template (columns, sheet, instructions and drop-downs: `template(target) -> TemplateSpec`);
- `check(row, run) -> Checked`: one row without the database, through the very function the domain's
  service uses for the same input (people.members.check_new_member, people.cadres.check_cadre,
  orgs.services.new_child_errors), so a row and a form are refused for the same reasons in the same words;
- `unique`: what may appear only once in the file;
- `decide(run, rows)`: one chunk against the database in bulk (who exists, what is taken), marking rows
  skipped or failed;
- `apply(run, rows)`: writes the rows still to create.

`run_import` does the rest the same way for every importer: the file is read and refused whole if it is not
the template; every row is checked; then the rows go in chunks, each decided and applied in one transaction
(a row's own writes in a savepoint where the importer writes row by row), so an import that stops half-way
leaves whole chunks and the same file uploaded again skips them. A dry run decides and writes nothing.
Above settings.IMPORT_BACKGROUND_ROWS rows `import_start` hands the file to the background worker
(imports.jobs) instead. The pages (imports.views), the API answers (api/routers/imports.py) and the result
workbook (excel.workbooks) are the same for every importer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from core.exceptions import DomainError
from excel import readers
from excel.readers import Column, DataRow, SheetData
from excel.report import ImportReport, RowResult, Status
from excel.workbooks import TemplateSpec, result_workbook, template_workbook

from . import jobs
from .kinds import IMPORTERS

CHUNK = 1000
RACE_MESSAGE = "该行的数据刚刚已被他人录入，请重新上传本文件：已录入的行会自动跳过。"


@dataclass
class Checked:
    """A row after its check: the result shown and reported, and the clean values decide and apply use."""

    result: RowResult
    clean: dict = field(default_factory=dict)
    key: str = ""  # what the decide step looks the row up by (a keyed hash, a name)
    found: Any = None  # what the decide step found for the apply step (a person on record to link)
    made: Any = None  # what the check prepared for the apply step to write (a new person's fields)

    @property
    def pending(self) -> bool:
        return self.result.status in (Status.WILL_CREATE, Status.WILL_CHANGE)

    @property
    def changing(self) -> bool:
        """A row on record that the apply step changes instead of creating (see `change`)."""
        return self.result.status == Status.WILL_CHANGE

    def change(self, message: str) -> None:
        """The row names a record already there and changes it (a member's new 团内职务): 将变更, then 变更."""
        self.result.status, self.result.message = Status.WILL_CHANGE, message

    def changed(self, message: str) -> None:
        self.result.status, self.result.message = Status.CHANGED, message

    def fail(self, message: str) -> None:
        self.result.status, self.result.message = Status.FAILED, message

    def skip(self, message: str) -> None:
        self.result.status, self.result.message = Status.SKIPPED, message

    def done(self, message: str) -> None:
        self.result.status, self.result.message = Status.CREATED, message


@dataclass(frozen=True)
class Unique:
    """A value that may appear once in a file; a later row repeating it fails with `message` ({row}, {value})."""

    field: str
    message: str
    count_failed: bool = False  # does a row that failed its check still claim the value?


@dataclass(frozen=True)
class Sheet:
    """The template's data sheet: the name messages cite, the sheet's name, its columns, how many rows at most."""

    title: str
    name: str
    columns: tuple[Column, ...]
    max_rows: int


@dataclass(frozen=True)
class Words:
    """What the pages say about this import, and where they are."""

    verb: str  # 录入 / 创建
    unit: str  # 人 / 名团干部 / 个组织: the confirmation button's count
    skipped: str  # the summary's label of skipped rows
    result_file: str  # the result workbook's file name, before _<target>.xlsx
    columns: tuple[tuple[str, str], ...]  # (value key, header) of the preview table
    url_prefix: str  # URL names <prefix>_preview, _confirm, _result (each with the target's id)
    page_url: str  # URL name of the page showing the import card
    list_url: str = ""  # URL name of the list a finished import links to
    list_label: str = ""
    preview_url: str = field(init=False)
    confirm_url: str = field(init=False)
    result_url: str = field(init=False)

    def __post_init__(self):
        for step in ("preview", "confirm", "result"):
            object.__setattr__(self, f"{step}_url", f"{self.url_prefix}_{step}")


@dataclass
class Run:
    """One import in progress: what the steps share."""

    importer: "Importer"
    target: Any
    actor: Any
    dry_run: bool
    headers: list
    state: dict = field(default_factory=dict)  # the importer's own (counts, the file's optional columns)
    _columns: dict = field(default_factory=dict, init=False, repr=False)

    def has_column(self, key: str) -> bool:
        """Whether the uploaded file has the column `key` (always, for rows given as dicts)."""
        if self.headers is None:
            return True
        if key not in self._columns:  # asked for every row: the header row is folded once per key
            column = next(c for c in self.importer.columns if c.key == key)
            self._columns[key] = any(readers.header_key(h) == column.label for h in self.headers)
        return self._columns[key]


@dataclass(frozen=True)
class Importer:
    kind: str  # as in imports.kinds
    sheet: Sheet
    require: Callable[[Any, Any], None]  # (actor, target): raises DomainError when the actor may not import
    template: Callable[[Any], TemplateSpec]
    check: Callable[[DataRow, Run], Checked]
    decide: Callable[[Run, list[Checked]], None]
    apply: Callable[[Run, list[Checked]], None]
    words: Words
    unique: tuple[Unique, ...] = ()
    name_key: str = "name"  # the value that names a row in the grouped errors
    chunk: int = CHUNK
    lock_target: bool = False  # one import into one target at a time: a double-clicked confirmation skips
    finish: Callable[[Run, ImportReport], None] | None = None  # after a real import (an audit row)
    background: bool = True  # large files go to the worker
    applies: Callable[[Any], bool] = lambda target: True  # False: the import's pages answer 404 for this target
    not_here: str = ""  # why, on that 404

    @property
    def title(self) -> str:
        return self.sheet.title

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.sheet.columns

    @property
    def max_rows(self) -> int:
        return self.sheet.max_rows

    def read(self, file) -> SheetData:
        """An upload as this template, refusing a wrong template or a non-workbook whole (P6)."""
        return readers.read_rows(
            file, columns=self.columns, template_name=self.title, sheet_name=self.sheet.name, max_rows=self.max_rows
        )


def get(kind: str) -> Importer:
    return import_string(IMPORTERS[kind])


def template_bytes(importer: Importer, target, *, actor) -> bytes:

    importer.require(actor, target)
    return template_workbook(importer.template(target))


def rows_from_dicts(importer: Importer, rows: list[dict]) -> SheetData:
    """Rows given as dicts keyed like the columns (tests, benchmarks), numbered from Excel's row 2."""
    if len(rows) > importer.max_rows:
        raise readers.FileRefused(f"一次最多上传{importer.max_rows}行数据，请分成几个文件分别上传。")
    keys = [c.key for c in importer.columns]
    return SheetData(
        headers=None,
        rows=[
            DataRow(number=n, values={k: row.get(k, "") for k in keys}, cells=[row.get(k, "") for k in keys])
            for n, row in enumerate(rows, start=2)
        ],
    )


def _sheet(importer: Importer, source) -> SheetData:
    if isinstance(source, SheetData):
        return source
    if isinstance(source, list):
        return rows_from_dicts(importer, source)
    return importer.read(source)


def run_import(
    importer: Importer,
    *,
    target,
    actor,
    source,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import `source` (an upload, bytes, a SheetData or a list of dicts) into `target` now.

    `progress(done, total)` is called after each chunk.
    """
    importer.require(actor, target)
    sheet = _sheet(importer, source)
    run = Run(importer=importer, target=target, actor=actor, dry_run=dry_run, headers=sheet.headers)
    headers = list(sheet.headers or [c.header for c in importer.columns])
    report = ImportReport(dry_run=dry_run, headers=headers, name_key=importer.name_key)
    rows = [importer.check(row, run) for row in sheet.rows]
    report.rows = [r.result for r in rows]
    for unique in importer.unique:
        _mark_repeats(rows, unique)
    total = len(rows)
    for start in range(0, total, importer.chunk):
        _run_chunk(run, rows[start : start + importer.chunk])
        if progress:
            progress(min(start + importer.chunk, total), total)
    if not dry_run and importer.finish:
        importer.finish(run, report)
    return report


def _mark_repeats(rows: list[Checked], unique: Unique) -> None:
    seen: dict = {}
    for r in rows:
        value = r.clean.get(unique.field)
        if not value or (r.result.failed and not unique.count_failed):
            continue
        if value in seen:
            if not r.result.failed:
                r.fail(unique.message.format(row=seen[value], value=value))
        else:
            seen[value] = r.result.row


def _run_chunk(run: Run, chunk: list[Checked]) -> None:
    """Decide and apply one chunk in one transaction; a concurrent insert of the same row re-decides once."""
    importer = run.importer
    before = [(r.result.status, r.result.message) for r in chunk]
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                if importer.lock_target and not run.dry_run:
                    run.target = type(run.target).objects.select_for_update().get(pk=run.target.pk)
                importer.decide(run, [r for r in chunk if r.pending])
                if not run.dry_run:
                    importer.apply(run, [r for r in chunk if r.pending])
            return
        except IntegrityError:
            for r, (status, message) in zip(chunk, before, strict=True):
                r.result.status, r.result.message = status, message
            if attempt == 2:
                for r in chunk:
                    if r.pending:
                        r.fail(RACE_MESSAGE)
            # Someone else entered one of these rows meanwhile: the second attempt looks again.


def apply_each(write: Callable[[Run, Checked], str]) -> Callable[[Run, list[Checked]], None]:
    """An apply step that writes row by row through a service, each row in its own savepoint.

    `write` returns the row's message; a DomainError fails that row alone and leaves nothing of it behind.
    """

    def apply(run: Run, rows: list[Checked]) -> None:
        for r in rows:
            try:
                with transaction.atomic():
                    message = write(run, r)
            except DomainError as e:
                r.fail(e.message)
            else:
                r.done(message)

    return apply


def import_start(importer: Importer, *, target, actor, file, dry_run: bool):
    """Import now (an ImportReport) or, above settings.IMPORT_BACKGROUND_ROWS rows, in the background (an ImportJob).

    The file is read here either way, so a wrong template or a file that is not a workbook is refused at once,
    before any job exists.
    """
    importer.require(actor, target)
    content = readers.read_upload(file)
    sheet = importer.read(content)
    if importer.background and len(sheet.rows) > jobs.background_rows():
        return jobs.job_start(
            kind=importer.kind, org=target, actor=actor, content=content, total=len(sheet.rows), dry_run=dry_run
        )
    return run_import(importer, target=target, actor=actor, source=sheet, dry_run=dry_run)


def run_job(job, content: bytes, progress) -> dict:
    """The worker's entry (imports.jobs): the job's creator imports into the job's target, as on the page."""
    if job.org is None:
        raise DomainError("该组织已被删除，导入未进行。", code="org_gone")
    importer = get(job.kind)
    report = run_import(
        importer, target=job.org, actor=job.created_by, source=content, dry_run=job.dry_run, progress=progress
    )
    return report.as_dict()


def result_workbook_from_job(job, content: bytes) -> bytes:
    """The annotated workbook of a finished job: the uploaded rows with 结果 and 说明 beside each."""

    sheet = get(job.kind).read(content)
    return result_workbook(ImportReport.from_dict(job.report, sheet))
