"""Posts offered to people already on record (issue 12): 任职确认.

An admin who enters a cadre or a secretary by name and ID number proves only
that they know those two facts. When the person is already on record and the
admin cannot already see them (people.access.can_view_person), nothing is
linked: a PostOffer waits for the person to accept it (个人中心, GET /me/post-offers)
or for the organisation responsible for their record (their branch; for
someone without a branch, the direct superior of their 登记组织) to confirm it.
The offering side sees the name and the masked ID number it typed, can
withdraw the offer, and never gains view, edit or reset rights over the
person by making it. Accepting creates the post (and, for a secretary offer,
registers the secretary, O4).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Conflict, NotFound
from orgs import access as org_access
from orgs.models import Org

from . import access
from .models import Cadre, Person, PostOffer, PostOfferStatus

OFFER_SENT = (
    "系统中已登记此人。为保护个人信息，其任职须经本人在“个人中心”确认，或由其所在组织的管理员确认后才生效；"
    "确认前本组织看不到其个人信息，也不会修改其已登记的信息。"
)


def post_offer_make(*, org: Org, person: Person, position: str, actor, secretary: bool = False) -> PostOffer:
    """Offer `position` in `org` to `person`; an open offer for the same organisation is updated, not repeated."""
    open_offer = (
        PostOffer.objects.select_for_update().filter(person=person, org=org, status=PostOfferStatus.PENDING).first()
    )
    if open_offer is not None:
        open_offer.position = position
        open_offer.secretary = open_offer.secretary or secretary
        open_offer.offered_by = actor
        open_offer.save(update_fields=["position", "secretary", "offered_by", "updated_at"])
        return open_offer
    try:
        with transaction.atomic():
            offer = PostOffer.objects.create(
                person=person, org=org, position=position, secretary=secretary, offered_by=actor
            )
    except IntegrityError:  # a concurrent offer for the same post won
        raise Conflict("已向此人发出本组织的任职确认，请等待确认。", code="offer_exists") from None
    audit_record(
        actor=actor,
        verb="发出任职确认",
        target=person,
        org=org,
        changes={"position": position, **({"secretary": True} if secretary else {})},
    )
    return offer


def can_decide(actor, offer: PostOffer) -> bool:
    """The person themself, or an admin responsible for their record."""
    return actor.pk == offer.person_id or access.is_responsible_for(actor, offer.person)


def can_withdraw(actor, offer: PostOffer) -> bool:
    return access.can_manage_cadres(actor, offer.org)


def get_offer_for_actor(actor, offer_id: int, *, withdraw: bool = False) -> PostOffer:
    """The offer if the actor may decide it (or, with `withdraw`, take it back); NotFound for missing and not yours."""
    offer = PostOffer.objects.select_related("person", "org", "offered_by").filter(pk=offer_id).first()
    _require(offer is not None and (can_withdraw(actor, offer) if withdraw else can_decide(actor, offer)))
    return offer


def _require(allowed: bool) -> None:
    """One answer for a missing offer and one the actor may not touch."""
    if not allowed:
        raise NotFound("未找到该任职确认，或您无权处理。", code="offer_not_found")


def _lock_open(offer: PostOffer) -> PostOffer:
    locked = PostOffer.objects.select_for_update().select_related("person", "org").get(pk=offer.pk)
    if locked.status != PostOfferStatus.PENDING:
        raise Conflict(f"该任职确认已{locked.status}，无需再处理。", code="offer_closed")
    return locked


def _close(offer: PostOffer, status: str, actor) -> None:
    offer.status = status
    offer.decided_by = actor
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def post_offer_accept(*, offer: PostOffer, actor) -> Cadre:
    """Accepted by the person or confirmed by their record's admin: the post starts."""
    _require(can_decide(actor, offer))
    org = Org.objects.select_for_update().get(pk=offer.org_id)
    offer = _lock_open(offer)
    post, _ = Cadre.objects.update_or_create(person=offer.person, org=org, defaults={"position": offer.position})
    if offer.secretary:
        org.secretary = offer.person
        org.save(update_fields=["secretary", "updated_at"])
    _close(offer, PostOfferStatus.ACCEPTED, actor)
    audit_record(
        actor=actor,
        verb="确认任职",
        target=offer.person,
        org=org,
        changes={"position": offer.position, "by": "本人" if actor.pk == offer.person_id else "所在组织管理员"},
    )
    return post


def _end(offer: PostOffer, *, status: str, verb: str, actor) -> PostOffer:
    """Close an open offer without a post (declined or withdrawn), audited."""
    offer = _lock_open(offer)
    _close(offer, status, actor)
    audit_record(actor=actor, verb=verb, target=offer.person, org=offer.org, changes={"position": offer.position})
    return offer


@transaction.atomic
def post_offer_decline(*, offer: PostOffer, actor) -> PostOffer:
    _require(can_decide(actor, offer))
    return _end(offer, status=PostOfferStatus.DECLINED, verb="拒绝任职", actor=actor)


@transaction.atomic
def post_offer_withdraw(*, offer: PostOffer, actor) -> PostOffer:
    _require(can_withdraw(actor, offer))
    return _end(offer, status=PostOfferStatus.WITHDRAWN, verb="撤回任职确认", actor=actor)


def withdraw_secretary_offers(*, org: Org, actor) -> None:
    """A secretary entered directly replaces any secretary offer still open for the organisation."""
    for offer in PostOffer.objects.filter(org=org, secretary=True, status=PostOfferStatus.PENDING):
        _close(offer, PostOfferStatus.WITHDRAWN, actor)


# Reads


def offers_for_person(person: Person) -> QuerySet[PostOffer]:
    return PostOffer.objects.filter(person=person, status=PostOfferStatus.PENDING).select_related("org")


def offers_of_org(org: Org) -> QuerySet[PostOffer]:
    """Open offers an organisation made: its managers see the name and the masked ID number only."""
    return PostOffer.objects.filter(org=org, status=PostOfferStatus.PENDING).select_related("person").order_by("id")


def offers_to_confirm(actor) -> QuerySet[PostOffer]:
    """Open offers to people whose record the actor's organisations answer for (access.responsible_org_id)."""
    ids = org_access.admin_org_ids(actor)
    if not ids:
        return PostOffer.objects.none()
    return (
        PostOffer.objects.filter(status=PostOfferStatus.PENDING)
        .filter(Q(person__branch_id__in=ids) | Q(person__branch__isnull=True, person__home_org__parent_id__in=ids))
        .exclude(person=actor)
        .select_related("person", "org")
        .order_by("id")
    )
