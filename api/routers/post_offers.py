"""任职确认 (issue 12): posts offered to people already on record, and who answers them.

`GET /post-offers` lists what the caller may answer: offers made to them, and offers to people whose
record their organisations answer for. The person, or that admin, accepts or declines; the offering
organisation lists its open offers at `GET /orgs/{id}/post-offers` and withdraws one with DELETE.
Each offer is a 任职确认 process of the approval engine (`process_id`; also `/processes/{id}`).
"""

import datetime as dt

from ninja import Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut
from orgchanges import post_offers as flow
from orgs import access as org_access
from people import access, post_offers, queries
from people.models import PostOffer

router = Router(tags=["任职确认"])
orgs_router = Router(tags=["任职确认"])
ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}


class PostOfferOut(Schema):
    id: int
    process_id: int
    status: str
    org_id: int
    org_name: str
    person_id: int
    name: str
    id_number: str  # always masked: an offer shows nobody a record
    position: str
    secretary: bool
    created_at: dt.datetime
    message: str


class PostOfferListOut(Schema):
    items: list[PostOfferOut]
    count: int


def offer_out(offer: PostOffer) -> dict:
    return {
        "id": offer.id,
        "process_id": offer.process_id,
        "status": offer.status,
        "org_id": offer.org_id,
        "org_name": offer.org.full_name,
        "person_id": offer.person_id,
        "name": offer.person.name,
        "id_number": queries.masked_numbers(offer.person).id_number,
        "position": offer.position,
        "secretary": offer.secretary,
        "created_at": offer.created_at,
        "message": post_offers.OFFER_SENT,
    }


@router.get("", response={200: PostOfferListOut, **ERRORS}, summary="待我确认的任职")
def offer_list(request):
    """Open offers made to the caller, then those to people whose record the caller's organisations answer for."""
    own = list(post_offers.offers_for_person(request.auth).select_related("person"))
    others = list(post_offers.offers_to_confirm(request.auth)[:200])
    items = [offer_out(o) for o in own + others]
    return {"items": items, "count": len(items)}


@router.post("/{int:offer_id}/accept", response={200: PostOfferOut, **ERRORS}, summary="确认任职")
def offer_accept(request, offer_id: int):
    offer = post_offers.get_offer_for_actor(request.auth, offer_id)
    flow.post_offer_accept(offer=offer, actor=request.auth)
    offer.refresh_from_db()
    return offer_out(offer)


@router.post("/{int:offer_id}/decline", response={200: PostOfferOut, **ERRORS}, summary="拒绝任职")
def offer_decline(request, offer_id: int):
    offer = post_offers.get_offer_for_actor(request.auth, offer_id)
    return offer_out(flow.post_offer_decline(offer=offer, actor=request.auth))


@orgs_router.get(
    "/{int:org_id}/post-offers", response={200: PostOfferListOut, **ERRORS}, summary="本组织发出的任职确认"
)
def org_offer_list(request, org_id: int):
    org = org_access.fetch_org(request.auth, org_id)
    if not access.can_manage_cadres(request.auth, org):
        return {"items": [], "count": 0}
    items = [offer_out(o) for o in post_offers.offers_of_org(org)[:200]]
    return {"items": items, "count": len(items)}


@orgs_router.delete("/{int:org_id}/post-offers/{int:offer_id}", response={204: None, **ERRORS}, summary="撤回任职确认")
def org_offer_withdraw(request, org_id: int, offer_id: int):
    offer = post_offers.get_offer_for_actor(request.auth, offer_id, withdraw=True)
    if offer.org_id != org_id:
        raise post_offers.NotFound("未找到该任职确认，或您无权处理。", code="offer_not_found")
    flow.post_offer_withdraw(offer=offer, actor=request.auth)
    return Status(204, None)
