"""GET /orgs/{id}/progress and /orgs/{id}/progress.xlsx (API.md): the same selector as the page."""

import datetime as dt

from ninja import Router, Schema

from api.routers import exports as exports_api
from api.schemas import COMMON_ERRORS, error_responses
from core.replicas import replica_view
from orgs import access
from progress import exports, selectors

router = Router(tags=["进度监督"])


class ProgressRowOut(Schema):
    org_id: int
    short_name: str
    orgs: int
    orgs_complete: int
    cadre_orgs: int
    cadre_orgs_complete: int
    branches: int
    branches_complete: int
    members: int
    members_complete: int


class ProgressOut(Schema):
    as_of: dt.datetime
    self: ProgressRowOut
    rows: list[ProgressRowOut]


@router.get(
    "/{int:id}/progress",
    response={200: ProgressOut, **COMMON_ERRORS, **error_responses(404)},
    summary="录入进度（S1–S5）",
)
@replica_view
def org_progress(request, id: int, sort: str = "", desc: bool = False):
    """One row per direct subordinate with its whole subtree's totals; `self` is the organisation's own subtree."""
    org = access.fetch_org(request.auth, id)
    table = selectors.progress_table(org=org, sort=sort, descending=desc)
    return {"as_of": table["as_of"], "self": table["self"].as_api(), "rows": [r.as_api() for r in table["rows"]]}


@router.get(
    "/{int:id}/progress.xlsx",
    response={**exports_api.ACCEPTED, **COMMON_ERRORS, **error_responses(404)},
    openapi_extra=exports_api.EXPORT_OPENAPI,
    summary="录入进度 Excel",
)
@replica_view
def org_progress_xlsx(request, id: int, sort: str = "", desc: bool = False):
    org = access.fetch_org(request.auth, id)
    return exports_api.answer(exports.progress_export(actor=request.auth, org=org, sort=sort, descending=desc))
