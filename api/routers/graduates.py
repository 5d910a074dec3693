"""毕业生 (SPEC-2 GR, API.md's graduates table): the same services, importers and selectors as the pages.

The member flag (GR3) is PATCH /orgs/{id}/members/{person_id} `{graduate_flag}`, in api/routers/members.py.
"""

from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from api.routers import exports as exports_api
from api.routers.imports import IMPORT_DOC, ImportOut, ImportQuery, import_answer, import_responses
from api.schemas import ERRORS, xlsx_doc
from core.replicas import replica_view
from excel.workbooks import xlsx_response
from graduates import exports, importers, selectors, services
from imports import importer
from orgs import access

router = Router(tags=["毕业生"])


class MarkIn(Schema):
    expected: str | None = None  # "YYYY-MM"
    no_date_reason: str | None = None  # 教师支部 or 混合支部, when there is no date


class MarkOut(Schema):
    org_id: int
    expected: str | None
    no_date_reason: str | None
    category: str
    graduated_year: int | None  # the year it became a 毕业生团组织 (GR2)


class SeasonRowOut(Schema):
    org_id: int
    short_name: str
    graduating: int
    initiated: int
    approved: int
    pending: int
    returned: int


class WaitingOut(Schema):
    person_id: int
    name: str
    branch_id: int
    branch: str


class SeasonOut(Schema):
    rows: list[SeasonRowOut]
    total: SeasonRowOut
    not_initiated: list[WaitingOut]  # graduating members with no open transfer, by branch (at most 1,000)


@router.get("/{int:id}/graduation", response={200: MarkOut, **ERRORS}, summary="团支部的毕业时间（GR1）")
def graduation_get(request, id: int):
    return services.mark_view(access.fetch_org(request.auth, id))


@router.patch("/{int:id}/graduation", response={200: MarkOut, **ERRORS}, summary="标记毕业时间（GR1）")
def graduation_mark(request, id: int, payload: MarkIn):
    """An admin of any committee above the 团支部 (its own admin gets 403): `{expected: "YYYY-MM"}` or
    `{no_date_reason}` (教师支部, 混合支部), one of the two; 409 once it is a 毕业生团组织."""
    org = access.fetch_org(request.auth, id)
    services.mark_set(org=org, actor=request.auth, **payload.dict())
    return services.mark_view(org)


@router.get(
    "/{int:id}/graduation/template", response={**ERRORS}, openapi_extra=xlsx_doc(), summary="批量标记毕业时间模板"
)
def graduation_template(request, id: int):
    org = access.fetch_org(request.auth, id)
    return xlsx_response(
        importer.template_bytes(importers.MARKS, org, actor=request.auth), f"{importers.MARKS_TITLE}.xlsx"
    )


@router.post(
    "/{int:id}/graduation/import",
    response=import_responses(ImportOut, 409),
    openapi_extra=IMPORT_DOC,
    summary="批量标记毕业时间（GR1）",
)
def graduation_import(request, id: int, file: File[UploadedFile], query: Query[ImportQuery]):
    """Columns 组织全称, 预计毕业年月, 无毕业时间原因: the 团支部 of the organisation's subtree; `dry_run=true` writes nothing."""
    org = access.fetch_org(request.auth, id)
    return import_answer(request, "graduation_marks", org, file, query, filename="批量标记毕业时间结果.xlsx")


@router.get(
    "/{int:id}/graduation-transfers/template",
    response={**ERRORS},
    openapi_extra=xlsx_doc(),
    summary="毕业转出模板（本支部团员）",
)
def graduation_transfers_template(request, id: int):
    """The branch's members (ID numbers masked), for its own admin or its direct superior's."""
    org = access.fetch_org(request.auth, id)
    content = importers.transfers_template_bytes(org, actor=request.auth)
    return xlsx_response(content, f"{importers.TRANSFERS_TITLE}_{org.short_name}.xlsx")


@router.post(
    "/{int:id}/graduation-transfers/import",
    response=import_responses(ImportOut, 409),
    openapi_extra=IMPORT_DOC,
    summary="批量毕业转出（GR4）",
)
def graduation_transfers_import(request, id: int, file: File[UploadedFile], query: Query[ImportQuery]):
    """Columns 姓名, 身份证号码, 转入组织全称, 转接原因; rows without a destination are skipped. One 办理转出 request
    per person; any failed row (an unknown destination…) and nothing is submitted. `dry_run=true` writes nothing."""
    org = access.fetch_org(request.auth, id)
    return import_answer(request, "graduation_transfers", org, file, query, filename="毕业转出结果.xlsx")


@router.get("/{int:id}/graduation-season/{int:year}", response={200: SeasonOut, **ERRORS}, summary="毕业季（GR5）")
@replica_view
def graduation_season(request, id: int, year: int):
    org = access.fetch_org(request.auth, id)
    table = selectors.season(org=org, year=year)
    waiting = selectors.not_initiated(org=org, year=year)[:1000]
    return {
        "rows": [r.as_api() for r in table["rows"]], "total": table["total"].as_api(),
        "not_initiated": [{"person_id": p.pk, "name": p.name, "branch_id": p.branch_id, "branch": p.branch.short_name}
                          for p in waiting],
    }  # fmt: skip


@router.get(
    "/{int:id}/graduation-season/{int:year}.xlsx",
    response={**exports_api.ACCEPTED, **ERRORS},
    openapi_extra=exports_api.EXPORT_OPENAPI,
    summary="毕业季 Excel（GR5）",
)
@replica_view
def graduation_season_xlsx(request, id: int, year: int):
    org = access.fetch_org(request.auth, id)
    return exports_api.answer(exports.season_export(actor=request.auth, org=org, year=year))
