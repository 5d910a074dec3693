"""两制 (SPEC-2 EV, RG, API.md's 两制 table): the same services and aggregates as the pages."""

import datetime as dt
from typing import Literal

from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from api.routers import exports as exports_api
from api.routers.imports import IMPORT_DOC, ImportOut, ImportQuery, import_answer, import_responses
from api.routers.orgs import PageIn, _page_bounds
from api.schemas import ERRORS, xlsx_doc
from core.replicas import replica_view
from evaluation import exports, services
from evaluation import importer as ev_importer
from evaluation import selectors as ev_selectors
from excel.workbooks import xlsx_response
from imports import importer
from orgs import access
from people import queries

router = Router(tags=["两制"])

LevelIn = Literal["优秀", "合格", "基本合格", "不合格", ""]
OutcomeIn = Literal["予以注册", "暂缓注册", "不予注册"]


class RoundIn(Schema):
    year: int
    starts_on: dt.date
    ends_on: dt.date


class RoundOut(RoundIn):
    id: int
    org_id: int


class MeetingIO(Schema):
    held_on: dt.date | None = None
    due: int | None = None
    present: int | None = None


class TalkIO(Schema):
    held_on: dt.date | None = None
    note: str = ""


class ItemOut(Schema):
    person_id: int
    name: str
    participates: bool
    excluded_reason: str
    proposed_level: str | None
    approved_level: str | None
    correction_until: dt.date | None
    talk: TalkIO | None


class EvaluationOut(Schema):
    status: str
    meeting: MeetingIO
    excellent_limit: int
    items: list[ItemOut]


class ItemIn(Schema):
    person_id: int
    participates: bool | None = None
    excluded_reason: str | None = None
    proposed_level: LevelIn | None = None
    correction_until: dt.date | None = None
    re_level: Literal["合格", "基本合格"] | None = None
    talk: TalkIO | None = None


class EvaluationIn(Schema):
    meeting: MeetingIO | None = None
    items: list[ItemIn] | None = None


class ProcessOut(Schema):
    process_id: int


class YearOut(Schema):
    year: int
    level: str | None
    outcome: str | None
    correction_until: dt.date | None
    appealed: bool
    appeal_upheld: bool | None


class AppealIn(Schema):
    reason: str


class RegItemIn(Schema):
    person_id: int
    outcome: OutcomeIn
    exception_reason: str = ""


class RegItemOut(RegItemIn):
    name: str
    allowed: list[str]
    why: str


class RegistrationIO(Schema):
    items: list[RegItemIn]


class RegistrationOut(Schema):
    status: str
    items: list[RegItemOut]


class OverdueOut(Schema):
    person_id: int
    name: str
    id_number: str  # masked
    branch: str
    last_registered: dt.date | None
    since: dt.date


class OverdueListOut(Schema):
    items: list[OverdueOut]
    count: int


class ProgressRowOut(Schema):
    org_id: int
    short_name: str
    branches: int
    submitted: int
    approved: int
    participants: int
    excellent: int
    qualified: int
    basic: int
    unqualified: int
    registered: int
    deferred: int
    refused: int


class AnnualProgressOut(Schema):
    as_of: dt.datetime
    rows: list[ProgressRowOut]


def _branch(request, id: int, need=access.VIEW):
    return access.fetch_org(request.auth, id, need)


def _submitted(request, id: int, year: int, submit) -> Status:
    """A branch's submission to its direct superior (evaluation or registration): 201 with the process."""
    branch = _branch(request, id, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    return Status(201, {"process_id": submit(branch=branch, actor=request.auth, year=year).pk})


def _evaluation(branch, year: int) -> dict:
    return services.evaluation_view(branch=branch, year=year).as_api()


def _registration(branch, year: int) -> dict:
    registration, rows = services.registration_view(branch=branch, year=year)
    return {"status": registration.stage if registration else "未开始", "items": [r.as_api() for r in rows]}


@router.post("/orgs/{int:id}/evaluation-rounds", response={201: RoundOut, **ERRORS}, summary="开启团员教育评议（EV1）")
def round_open(request, id: int, payload: RoundIn):
    org = access.fetch_org(request.auth, id, access.MANAGE)
    return Status(201, services.round_open(org=org, actor=request.auth, **payload.dict()))


@router.get(
    "/orgs/{int:id}/evaluation-rounds", response={200: list[RoundOut], **ERRORS}, summary="覆盖本组织的两制工作"
)
def rounds(request, id: int):
    return list(ev_selectors.rounds_covering(access.fetch_org(request.auth, id)).order_by("-year", "org__path"))


@router.get(
    "/orgs/{int:id}/evaluations/{int:year}", response={200: EvaluationOut, **ERRORS}, summary="支部评议（EV2–EV6）"
)
def evaluation_get(request, id: int, year: int):
    """Every member is an item; those the settings leave out, or marked 不参评, have `participates: false`."""
    return _evaluation(_branch(request, id), year)


@router.put("/orgs/{int:id}/evaluations/{int:year}", response={200: EvaluationOut, **ERRORS}, summary="填写评议")
def evaluation_put(request, id: int, year: int, payload: EvaluationIn):
    """Merged by `person_id`: items not sent keep their values. After approval only `correction_until`,
    `re_level` and `talk` (EV6)."""
    branch = _branch(request, id, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    data = payload.dict(exclude_unset=True)  # recursive: an item holds only the fields sent
    services.evaluation_save(branch=branch, actor=request.auth, year=year, meeting=data.get("meeting"),
                             items=data.get("items"))  # fmt: skip
    return _evaluation(branch, year)


@router.post(
    "/orgs/{int:id}/evaluations/{int:year}/submit", response={201: ProcessOut, **ERRORS}, summary="提交评议结果（EV5）"
)
def evaluation_submit(request, id: int, year: int):
    """409 over the 优秀 limit, with an invalid meeting, levels missing, after the window, or while one is open."""
    return _submitted(request, id, year, services.evaluation_submit)


@router.post(
    "/orgs/{int:id}/evaluations/{int:year}/reopen",
    response={200: EvaluationOut, **ERRORS},
    summary="重新打开评议结果（EV5）",
)
def evaluation_reopen(request, id: int, year: int):
    branch = _branch(request, id, access.MANAGE_AS_SUPERIOR)
    services.evaluation_reopen(branch=branch, actor=request.auth, year=year)
    return _evaluation(branch, year)


@router.get("/me/evaluations", response={200: list[YearOut], **ERRORS}, summary="本人历年评议等次和注册结果（EV7）")
def my_evaluations(request):
    return services.my_years(request.auth)


@router.post("/me/evaluations/{int:year}/appeal", response={201: ProcessOut, **ERRORS}, summary="评议申诉（EV7）")
def my_appeal(request, year: int, payload: AppealIn):
    """Once, for a 不合格; decided by the branch's direct superior committee."""
    appeal = services.appeal_make(person=request.auth, year=year, reason=payload.reason)
    return Status(201, {"process_id": appeal.process_id})


@router.get(
    "/orgs/{int:id}/registrations/{int:year}", response={200: RegistrationOut, **ERRORS}, summary="团籍注册（RG1–RG2）"
)
def registration_get(request, id: int, year: int):
    """Every member with the outcomes RG2 allows (`allowed`, `why`) and the recorded or proposed one."""
    return _registration(_branch(request, id), year)


@router.put(
    "/orgs/{int:id}/registrations/{int:year}", response={200: RegistrationOut, **ERRORS}, summary="填写团籍注册"
)
def registration_put(request, id: int, year: int, payload: RegistrationIO):
    branch = _branch(request, id, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    services.registration_save(branch=branch, actor=request.auth, year=year, items=[i.dict() for i in payload.items])
    return _registration(branch, year)


@router.post(
    "/orgs/{int:id}/registrations/{int:year}/submit", response={201: ProcessOut, **ERRORS}, summary="提交团籍注册"
)
def registration_submit(request, id: int, year: int):
    return _submitted(request, id, year, services.registration_submit)


@router.get(
    "/orgs/{int:id}/overdue-registrations", response={200: OverdueListOut, **ERRORS}, summary="逾期未注册（RG3）"
)
@replica_view
def overdue(request, id: int, page: Query[PageIn]):
    org = access.fetch_org(request.auth, id)
    start, end = _page_bounds(page)
    qs = services.overdue(org=org)
    items = [{"person_id": p.pk, "name": p.name, "id_number": queries.masked_numbers(p).id_number,
              "branch": p.branch.short_name if p.branch else "", "last_registered": p.last_registered and p.last_registered.date(),
              "since": p.since} for p in qs[start:end]]  # fmt: skip
    return {"items": items, "count": qs.count()}


@router.get(
    "/orgs/{int:id}/annual-progress/{int:year}",
    response={200: AnnualProgressOut, **ERRORS},
    summary="两制进度（EV8/RG4）",
)
@replica_view
def annual_progress(request, id: int, year: int):
    """One row per direct subordinate with its subtree's totals, current the moment a change commits."""
    table = ev_selectors.supervision(org=access.fetch_org(request.auth, id), year=year)
    return {"as_of": table["as_of"], "rows": [r.as_api() for r in table["rows"]]}


@router.get(
    "/orgs/{int:id}/annual-progress/{int:year}.xlsx",
    response={**exports_api.ACCEPTED, **ERRORS},
    openapi_extra=exports_api.EXPORT_OPENAPI,
    summary="两制进度 Excel",
)
@replica_view
def annual_progress_xlsx(request, id: int, year: int):
    org = access.fetch_org(request.auth, id)
    return exports_api.answer(exports.supervision_export(actor=request.auth, org=org, year=year))


# --- entry by the Excel template (EV4), on the import framework ----------------------------------------------------


class EvaluationRowOut(Schema):
    row: int
    status: Literal["创建", "跳过", "失败", "将创建", "变更", "将变更"]
    message: str  # a 优秀 row also gives the 优秀 count after the import and the limit (EV3)
    person_id: str = ""
    name: str = ""
    participates: str = ""  # 是 / 否, as in the file
    level: str = ""
    excluded_reason: str = ""


class EvaluationImportOut(ImportOut):
    rows: list[EvaluationRowOut]


def _import_branch(request, id: int, year: int):
    """The branch, once the caller may enter its evaluation; only the current round's year is imported."""
    branch = _branch(request, id)
    services.require_entry(request.auth, branch)
    ev_importer.require_year(branch, year)
    return branch


@router.get(
    "/orgs/{int:id}/evaluations/{int:year}/template",
    response={**ERRORS},
    openapi_extra=xlsx_doc(),
    summary="下载团员教育评议录入模板（EV4）",
)
def evaluation_template(request, id: int, year: int):
    """The branch's members (人员编号, 姓名, ID number masked) with what is entered so far; 是否参评 and 评议等次 are
    drop-downs. 409 `not_current_year` for a year other than the current round's."""
    branch = _import_branch(request, id, year)
    imp = importer.get(ev_importer.KIND)
    return xlsx_response(
        importer.template_bytes(imp, branch, actor=request.auth), f"{imp.title}_{branch.short_name}.xlsx"
    )


@router.post(
    "/orgs/{int:id}/evaluations/{int:year}/import",
    response=import_responses(EvaluationImportOut, 409),
    openapi_extra=IMPORT_DOC,
    summary="按模板录入团员教育评议（EV4）",
)
def evaluation_import(request, id: int, year: int, file: File[UploadedFile], query: Query[ImportQuery]):
    """Each row is checked as PUT /orgs/{id}/evaluations/{year} checks an item, and the file is saved through the
    same service: all rows or none (a file with any failed row saves nothing). Rows equal to what is saved are
    skipped. `dry_run=true` checks and writes nothing; a 优秀 row's message gives the 优秀 count and the limit."""
    branch = _import_branch(request, id, year)
    return import_answer(request, ev_importer.KIND, branch, file, query, filename="团员教育评议导入结果.xlsx")
