"""What an import did, row by row (SPEC T6): the same report for the page, the API and the result workbook."""

from dataclasses import dataclass, field


class Status:
    CREATED = "创建"
    SKIPPED = "跳过"
    FAILED = "失败"
    WILL_CREATE = "将创建"  # a dry run's answer for a valid row


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


@dataclass
class ImportReport:
    dry_run: bool = False
    headers: list = field(default_factory=list)  # the uploaded header row
    rows: list[RowResult] = field(default_factory=list)

    def add(self, result: RowResult) -> RowResult:
        self.rows.append(result)
        return result

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def created(self) -> int:
        return self._count(Status.CREATED)

    @property
    def would_create(self) -> int:
        return self._count(Status.WILL_CREATE)

    @property
    def skipped(self) -> int:
        return self._count(Status.SKIPPED)

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.failed]

    def as_dict(self) -> dict:
        """The body of API.md's import answer, plus every row's outcome."""
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "would_create": self.would_create,
            "skipped": self.skipped,
            "failed": [{"row": r.row, "message": r.message} for r in self.failed],
            "rows": [{"row": r.row, "status": r.status, "message": r.message, **r.values} for r in self.rows],
        }
