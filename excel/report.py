"""What an import did, row by row (SPEC T6): the same report for the page, the API and the result workbook."""

from dataclasses import dataclass, field


class Status:
    CREATED = "创建"
    SKIPPED = "跳过"
    FAILED = "失败"
    WILL_CREATE = "将创建"  # a dry run's answer for a valid row
    CHANGED = "变更"  # a row on record whose values this import changed (a member's 团内职务)
    WILL_CHANGE = "将变更"  # a dry run's answer for such a row


@dataclass
class RowResult:
    row: int  # Excel row number
    status: str
    message: str = ""
    values: dict = field(default_factory=dict)  # cleaned values, for the preview table
    cells: list = field(default_factory=list)  # the row as uploaded, for the result workbook

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED


def _count_of(status: str) -> property:
    """A report's count of the rows that ended with `status` (its `created`, `skipped` …)."""
    return property(lambda report: sum(1 for r in report.rows if r.status == status))


@dataclass
class ImportReport:
    dry_run: bool = False
    headers: list = field(default_factory=list)  # the uploaded header row
    rows: list[RowResult] = field(default_factory=list)
    name_key: str = "name"  # the value that names a row (a person's name, an organisation's short name)

    created = _count_of(Status.CREATED)
    would_create = _count_of(Status.WILL_CREATE)
    changed = _count_of(Status.CHANGED)
    would_change = _count_of(Status.WILL_CHANGE)
    skipped = _count_of(Status.SKIPPED)

    def add(self, result: RowResult) -> RowResult:
        self.rows.append(result)
        return result

    @property
    def would_apply(self) -> int:
        """Rows a confirmation would write: created and changed."""
        return self.would_create + self.would_change

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.failed]

    @property
    def failed_by_reason(self) -> list[dict]:
        """The failed rows grouped by message, in the order each message first appears: 393 rows failing for one
        reason are one entry with their rows and names, not 393 identical messages."""
        groups: dict[str, dict] = {}
        for r in self.failed:
            group = groups.setdefault(r.message, {"message": r.message, "rows": [], "names": []})
            group["rows"].append(r.row)
            group["names"].append(str(r.values.get(self.name_key) or ""))
        return list(groups.values())

    def as_dict(self) -> dict:
        """The body of API.md's import answer, plus every row's outcome and the failures grouped by reason."""
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "would_create": self.would_create,
            "changed": self.changed,
            "would_change": self.would_change,
            "skipped": self.skipped,
            "failed": [{"row": r.row, "message": r.message} for r in self.failed],
            "failed_by_reason": self.failed_by_reason,
            "rows": [{"row": r.row, "status": r.status, "message": r.message, **r.values} for r in self.rows],
        }

    @classmethod
    def from_dict(cls, body: dict, sheet, *, name_key: str = "name") -> "ImportReport":
        """A report rebuilt from `as_dict` and the uploaded rows (excel.readers.SheetData), for its workbook."""
        outcomes = {r["row"]: r for r in body.get("rows", [])}
        report = cls(dry_run=body.get("dry_run", False), headers=sheet.headers, name_key=name_key)
        for row in sheet.rows:
            outcome = dict(outcomes.get(row.number, {}))
            status, message = outcome.pop("status", ""), outcome.pop("message", "")
            outcome.pop("row", None)
            report.add(RowResult(row=row.number, status=status, message=message, values=outcome, cells=row.cells))
        return report


def reasons_of(body: dict) -> list[dict]:
    """The grouped failures of a report stored as `as_dict` (one from before the grouping is grouped here)."""
    if "failed_by_reason" in body:
        return body["failed_by_reason"]
    names = {r["row"]: r.get("name") or r.get("short_name") or "" for r in body.get("rows", [])}
    groups: dict[str, dict] = {}
    for f in body.get("failed", []):
        group = groups.setdefault(f["message"], {"message": f["message"], "rows": [], "names": []})
        group["rows"].append(f["row"])
        group["names"].append(names.get(f["row"], ""))
    return list(groups.values())
