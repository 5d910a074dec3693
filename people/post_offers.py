"""Posts offered to people already on record (issue 12): 任职确认.

An admin who enters a cadre or a secretary by name and ID number proves only
that they know those two facts. When the person is already on record and the
admin cannot already see them (people.access.can_view_person), nothing is
linked: a PostOffer waits for the person to accept it (个人中心, 待办, GET /me/post-offers)
or for the organisation responsible for their record (their branch; for
someone without a branch, the direct superior of their 登记组织) to confirm it.
The offering side sees the name and the masked ID number it typed, can
withdraw the offer, and never gains view, edit or reset rights over the
person by making it. Accepting creates the post (and, for a secretary offer,
registers the secretary, O4).

Each offer is a 任职确认 process of the approval engine (SPEC-2 W1–W6), whose one step the person
handles. The engine sits above this app, so this module holds the offer's own rules and effects
and tells the engine by two signals; orgchanges.post_offers answers them (it starts and ends the
process) and carries out accept, decline and withdraw through the engine.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal

from audit.services import audit_record
from core.exceptions import Conflict, NotFound
from orgs import access as org_access
from orgs.models import Org

from . import access
from .models import Cadre, Person, PostOffer, PostOfferStatus
from .secretary import secretary_posts_end
from .services import require_in_league

OFFER_SENT = (
    "系统中已登记此人。为保护个人信息，其任职须经本人在“个人中心”确认，或由其所在组织的管理员确认后才生效；"
    "确认前本组织看不到其个人信息，也不会修改其已登记的信息。"
)

# A new offer, not yet saved (`offer`, `actor`): the receiver starts its process and sets `offer.process`.
offer_opening = Signal()
# Open offers (`offers`) that a secretary entered directly replaces (`actor`): the receiver withdraws them.
offers_superseded = Signal()
# An open offer whose post changed (`offer`): the receiver renames its process.
offer_changed = Signal()


def post_offer_make(*, org: Org, person: Person, position: str, actor, secretary: bool = False) -> PostOffer:
    """Offer `position` in `org` to `person`; an open offer for the same organisation is updated, not repeated."""
    require_in_league(person, "担任团内职务")
    open_offer = (
        PostOffer.objects.select_for_update().filter(person=person, org=org, status=PostOfferStatus.PENDING).first()
    )
    if open_offer is not None:
        open_offer.position = position
        open_offer.secretary = open_offer.secretary or secretary
        open_offer.offered_by = actor
        open_offer.save(update_fields=["position", "secretary", "offered_by", "updated_at"])
        offer_changed.send(sender=PostOffer, offer=open_offer)
        return open_offer
    offer = PostOffer(person=person, org=org, position=position, secretary=secretary, offered_by=actor)
    try:
        with transaction.atomic():
            offer_opening.send(sender=PostOffer, offer=offer, actor=actor)
            if offer.process_id is None:
                raise ImproperlyConfigured("任职确认需要审批流程：orgchanges 应用未安装。")
            offer.save()
    except (IntegrityError, Conflict):  # a concurrent offer for the same post won
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
    offer = PostOffer.objects.select_related("person", "org", "offered_by", "process").filter(pk=offer_id).first()
    require(offer is not None and (can_withdraw(actor, offer) if withdraw else can_decide(actor, offer)))
    return offer


def require(allowed: bool) -> None:
    """One answer for a missing offer and one the actor may not touch."""
    if not allowed:
        raise NotFound("未找到该任职确认，或您无权处理。", code="offer_not_found")


def lock_open(offer: PostOffer) -> PostOffer:
    """The offer, locked, while it still waits; Conflict once it has been answered."""
    locked = PostOffer.objects.select_for_update().select_related("person", "org", "process").get(pk=offer.pk)
    if locked.status != PostOfferStatus.PENDING:
        raise Conflict(f"该任职确认已{locked.status}，无需再处理。", code="offer_closed")
    return locked


def offer_take_up(*, offer: PostOffer, actor) -> Cadre:
    """Accepted by the person or confirmed by their record's admin: the post starts (the engine has moved)."""
    require_in_league(offer.person, "担任团内职务")
    org = Org.objects.select_for_update().get(pk=offer.org_id)
    post, _ = Cadre.objects.update_or_create(person=offer.person, org=org, defaults={"position": offer.position})
    if offer.secretary:
        org.secretary = offer.person
        org.save(update_fields=["secretary", "updated_at"])
        secretary_posts_end(org=org, keep=offer.person, actor=actor)  # O4: one 书记, as on the information page
    audit_record(
        actor=actor,
        verb="确认任职",
        target=offer.person,
        org=org,
        changes={"position": offer.position, "by": "本人" if actor.pk == offer.person_id else "所在组织管理员"},
    )
    return post


def offer_ended(*, offer: PostOffer, verb: str, actor, reason: str = "") -> None:
    """An offer closed without a post (declined or withdrawn): audited."""
    changes = {"position": offer.position, **({"reason": reason} if reason else {})}
    audit_record(actor=actor, verb=verb, target=offer.person, org=offer.org, changes=changes)


def withdraw_secretary_offers(*, org: Org, actor) -> None:
    """A secretary entered directly replaces any secretary offer still open for the organisation."""
    offers = list(PostOffer.objects.filter(org=org, secretary=True, status=PostOfferStatus.PENDING))
    if offers:
        offers_superseded.send(sender=PostOffer, offers=offers, actor=actor)


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
