"""The export kinds: each app that exports registers its own (people.export, orgs.codes, progress.exports).

The apps whose data is exported sit above this one, so they hand their functions over here (registered in
their AppConfig.ready()) and the engine (exports.engine) never imports them. A kind says who may run it
(`check`, the same access checks as its old download), how many rows it will have (`estimate`, which
decides between an immediate download and a background job), the rows (`rows`, a generator reading in
chunks) and what follows them (`finish`: the audit record, a 说明 sheet).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportKind:
    name: str  # the key stored on a job, e.g. "members"
    label: str  # what the job page calls it, e.g. "团员名单"
    sheet: str  # the data sheet's title; past the sheet limit "<sheet>(2)", "<sheet>(3)" …
    columns: tuple[tuple[str, int], ...]  # (header, width)
    # (actor, org, params) -> cleaned params; raises core.exceptions.DomainError (NotFound, NotAllowed, Invalid)
    check: Callable[..., dict]
    # (actor, org, params) -> expected number of data rows (cheap: a count or an aggregate)
    estimate: Callable[..., int]
    # (actor, org, params, tally) -> rows (lists of values); `tally` is a dict the rows may count into
    rows: Callable[..., Iterable[list]]
    # (actor, org, params) -> the export's file name
    filename: Callable[..., str]
    # (wb, actor, org, params, count, tally) -> None: after the rows (audit, notes sheets); optional
    finish: Callable[..., None] | None = None
    # (actor, org, params, tally) -> rows written above the header of the first sheet; optional
    preamble: Callable[..., list[list]] | None = None
    freeze_header: bool = True
    # written at once inside one transaction: one snapshot of many chunked reads (a PostgreSQL server-side
    # cursor), the audit record with it
    snapshot: bool = False
    extra: dict = field(default_factory=dict)


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind


def get(name: str) -> ExportKind:
    return KINDS[name]
