"""本级团干部 of committees (SPEC P3, P4, S7) and the 录入 template/import of an organisation (P6)."""

from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from api.routers.imports import (
    IMPORT_DOC,
    ImportQuery,
    PeopleImportOut,
    import_answer,
    import_responses,
    people_import_kind,
)
from api.routers.orgs import PageIn, _page_bounds
from api.routers.post_offers import PostOfferOut, offer_out
from api.routers.register import PersonIn
from api.schemas import ERRORS, PersonOut, person_out, xlsx_doc
from core.replicas import replica_view
from excel.workbooks import xlsx_response
from imports import importer
from orgs import access as org_access
from people import access as people_access
from people import cadres, selectors
from people.models import Cadre, PostOffer
from people.validation import FIELD_LABELS

router = Router(tags=["团干部"])


class CadreOut(Schema):
    person: PersonOut
    position: str
    missing: list[str]  # labels of the required fields (P10) still empty; [] when complete


class CadreListOut(Schema):
    items: list[CadreOut]
    count: int


class CadreIn(Schema):
    person: PersonIn
    position: str


class PositionIn(Schema):
    position: str  # a branch: "" or 团员 for a member without a post
    # A branch naming a new 书记 while another member holds it: the old secretary's new post ("" or 团员 for none).
    previous_position: str | None = None


def cadre_out(post: Cadre, *, viewer) -> dict:
    person = post.person
    return {
        "person": person_out(person, viewer=viewer),
        "position": post.position,
        "missing": [FIELD_LABELS[f] for f in person.missing_fields()],
    }


@router.get("/{int:org_id}/cadres", response={200: CadreListOut, **ERRORS}, summary="团干部列表")
@replica_view
def cadre_list(request, org_id: int, page: Query[PageIn], complete: bool | None = None):
    """团干部列表 (S7), 书记 first; `?complete=false` lists those still incomplete. ID numbers and
    mobiles are masked for every reader but the cadre themself; whoever manages these cadres (the
    organisation's or its direct superior's admin) sees one in full with
    `POST /orgs/{id}/people/{person_id}/reveal` (audited)."""
    org = org_access.fetch_org(request.auth, org_id)
    start, end = _page_bounds(page)
    posts = selectors.cadre_list(org, complete=complete)
    shown = list(posts[start:end])
    items = [cadre_out(p, viewer=request.auth) for p in shown]
    return {"items": items, "count": posts.count()}


@router.post("/{int:org_id}/cadres", response={201: CadreOut, 202: PostOfferOut, **ERRORS}, summary="录入本级团干部")
def cadre_add(request, org_id: int, payload: CadreIn):
    """录入本级团干部 (P3): committees only, by the organisation's own admin (a superior gets 403: each
    organisation enters its own cadres; a superior may change their posts or delete them, P4). A new ID number creates the person on the initial password
    (last 8 characters of the ID number, P7): 201. A person already in the system whom the caller can
    already see (a member or cadre of its subtree) is linked at once: 201. Anyone else already on record
    gets a 任职确认 instead: 202 with the offer (name and masked ID number only); the post starts when
    the person accepts it (`POST /post-offers/{id}/accept`) or the admin responsible for their record
    confirms it, and their record is never changed by the link (issue 12). The name must match the
    record (`name_mismatch`); 409 `cadre_exists` if already a cadre here."""
    org = org_access.fetch_org(request.auth, org_id)
    post = cadres.cadre_add(org=org, person_data=payload.person.dict(), position=payload.position, actor=request.auth)
    if isinstance(post, PostOffer):
        return Status(202, offer_out(post))
    return Status(201, cadre_out(post, viewer=request.auth))


@router.patch("/{int:org_id}/cadres/{int:person_id}", response={200: CadreOut, **ERRORS}, summary="团干部职务变更")
def cadre_change_position(request, org_id: int, person_id: int, payload: PositionIn):
    """团干部职务变更 (P4), by the organisation's admin or its direct superior's. For a 团支部 the person is
    one of its members and `position` a branch post, "" or 团员 for none (the answer's position is then "").
    One 书记 per branch: naming a new 书记 while another member holds it needs `previous_position`, the old
    secretary's new post (409 `secretary_taken` without it); the new 书记 becomes the secretary in the
    organisation information. 409 `cadre_is_secretary` / `cadre_is_admin` when the registered secretary
    would lose 书记 with nobody named, or an admin would lose every post here."""
    org = org_access.fetch_org(request.auth, org_id)
    person = people_access.fetch_person(request.auth, person_id)
    post = cadres.cadre_change_position(
        org=org,
        person=person,
        position=payload.position,
        actor=request.auth,
        previous_position=payload.previous_position,
    )
    return cadre_out(post or Cadre(org=org, person=person, position=""), viewer=request.auth)


@router.delete("/{int:org_id}/cadres/{int:person_id}", response={204: None, **ERRORS}, summary="删除团干部")
def cadre_remove(request, org_id: int, person_id: int):
    """P4: deletes the post, not the person. 409 `cadre_is_admin` (revoke the admin first, C6) or
    `cadre_is_secretary` (enter the new secretary in the organisation information first, O4)."""
    org = org_access.fetch_org(request.auth, org_id)
    cadres.cadre_remove(org=org, person=people_access.fetch_person(request.auth, person_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/{int:org_id}/people/template",
    response={**ERRORS},
    openapi_extra=xlsx_doc(),
    summary="下载录入模板（团委：本级团干部模板）",
)
def people_template(request, org_id: int):
    org = org_access.fetch_org(request.auth, org_id)
    imp = importer.get("member_import" if org.is_branch else "cadre_import")
    return xlsx_response(importer.template_bytes(imp, org, actor=request.auth), f"{imp.title}_{org.short_name}.xlsx")


@router.post(
    "/{int:org_id}/people/import",
    response=import_responses(PeopleImportOut, 409),
    openapi_extra=IMPORT_DOC,
    summary="模板批量录入（团委：本级团干部）",
)
def people_import(
    request, org_id: int, file: File[UploadedFile], query: Query[ImportQuery], branch_id: int | None = None
):
    """P6: each valid row is entered, an invalid row writes nothing, people already entered here are
    skipped; a wrong template is refused whole (400 `bad_file`). `dry_run=true` checks and writes nothing.
    Into a 团支部, a member already there whose 团内职务 in the file differs has the post changed instead
    (P4: rows 将变更/变更, counted in `would_change`/`changed`; one 书记 per branch, checked over the file)."""
    org = org_access.fetch_org(request.auth, org_id)
    kind, target = people_import_kind(request, org, branch_id)
    return import_answer(request, kind, target, file, query, filename="导入结果.xlsx")
