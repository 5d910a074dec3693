"""任职确认 (issue 12) as a process of the approval engine (SPEC-2 W1–W6).

An organisation offers a person already on record a cadre post (people.post_offers.post_offer_make);
the offer is the domain record of a process of kind 任职确认 with one step handled by that person.
The person accepts (通过) or declines (不通过, a reason optional), the admin responsible for their
record may answer for them, and the offering organisation's admins may withdraw (撤回). The offer
appears in the person's 待办 and inbox; the offering admin is told the answer.

The rules of an offer (who may answer it, what accepting does) stay in people.post_offers, below
the engine: it announces new and superseded offers by signal, and this module, above both, opens
and moves their processes.
"""

from django.db import transaction

from core.exceptions import Conflict
from orgs.models import Org
from people import post_offers as offers
from people.models import Cadre, PostOffer, PostOfferStatus
from workflow import engine
from workflow.engine import Handler
from workflow.models import Action as StepAction
from workflow.models import Process
from workflow.models import Status as ProcessStatus

KIND = "任职确认"
STEP = "本人确认"

# Process status -> the offer's own status, shown on its pages and in the API.
STATUS_OF = {
    ProcessStatus.OPEN: PostOfferStatus.PENDING,
    ProcessStatus.APPROVED: PostOfferStatus.ACCEPTED,
    ProcessStatus.REJECTED: PostOfferStatus.DECLINED,
    ProcessStatus.WITHDRAWN: PostOfferStatus.WITHDRAWN,
    ProcessStatus.RETURNED: PostOfferStatus.TERMINATED,
    ProcessStatus.TERMINATED: PostOfferStatus.TERMINATED,
}


def title(offer: PostOffer) -> str:
    secretary = "（团组织书记）" if offer.secretary else ""
    return f"{offer.person.name}任{offer.org.short_name}{offer.position}{secretary}"


def _move(offer: PostOffer, *, actor, action: str, status: str, label: str, opinion: str = "") -> None:
    try:
        engine.process_move(process=offer.process, actor=actor, action=action, status=status, label=label,
                            opinion=opinion)  # fmt: skip
    except Conflict:  # answered meanwhile
        raise Conflict("该任职确认刚刚已被处理，请刷新后查看。", code="offer_closed") from None


@transaction.atomic
def post_offer_accept(*, offer: PostOffer, actor, opinion: str = "") -> Cadre:
    """The person accepts, or the admin responsible for their record confirms: the post starts."""
    offers.require(offers.can_decide(actor, offer))
    Org.objects.select_for_update().filter(pk=offer.org_id).first()  # serialise with other changes of its posts
    offer = offers.lock_open(offer)
    engine.require_handler(actor, offer.process)  # W1: never the offering admin on their own offer
    by_self = actor.pk == offer.person_id
    _move(offer, actor=actor, action=StepAction.APPROVE, status=ProcessStatus.APPROVED, opinion=opinion,
          label="本人接受任职" if by_self else "所在组织确认任职")  # fmt: skip
    return offers.offer_take_up(offer=offer, actor=actor)


@transaction.atomic
def post_offer_decline(*, offer: PostOffer, actor, reason: str = "") -> PostOffer:
    """不通过: the person (or the admin responsible for their record) declines; a reason is optional."""
    offers.require(offers.can_decide(actor, offer))
    offer = offers.lock_open(offer)
    engine.require_handler(actor, offer.process)
    _move(offer, actor=actor, action=StepAction.REJECT, status=ProcessStatus.REJECTED, label="拒绝任职",
          opinion=reason)  # fmt: skip
    offers.offer_ended(offer=offer, verb="拒绝任职", actor=actor, reason=reason)
    return PostOffer.objects.select_related("person", "org", "process").get(pk=offer.pk)


@transaction.atomic
def post_offer_withdraw(*, offer: PostOffer, actor) -> PostOffer:
    """撤回: an admin of the offering organisation (or of its direct superior) takes the offer back."""
    offers.require(offers.can_withdraw(actor, offer))
    offer = offers.lock_open(offer)
    _move(offer, actor=actor, action=StepAction.WITHDRAW, status=ProcessStatus.WITHDRAWN, label="撤回任职确认")
    offers.offer_ended(offer=offer, verb="撤回任职确认", actor=actor)
    return PostOffer.objects.select_related("person", "org", "process").get(pk=offer.pk)


# --- answering people.post_offers ---------------------------------------------------------------------------


def offer_opening(sender, *, offer: PostOffer, actor, **kwargs) -> None:
    """A new offer: its process, with the person's step open (their 待办 and a message)."""
    offer.process = engine.process_start(
        kind=KIND, title=title(offer), started_by=actor, starting_org=offer.org, subject_person=offer.person,
        subject_org=offer.org, subject_name=offer.person.name, first=Handler(name=STEP, person=offer.person),
    )  # fmt: skip


def offer_changed(sender, *, offer: PostOffer, **kwargs) -> None:
    Process.objects.filter(pk=offer.process_id).update(title=title(offer)[:200])


def offers_superseded(sender, *, offers: list[PostOffer], actor, **kwargs) -> None:
    """A secretary entered directly: the open secretary offers of the organisation are withdrawn."""
    for offer in offers:
        _move(offer, actor=actor, action=StepAction.WITHDRAW, status=ProcessStatus.WITHDRAWN,
              label="已直接登记书记", opinion="本组织已直接登记团组织书记")  # fmt: skip


# --- the workflow ---------------------------------------------------------------------------------------------


class PostOfferFlow(engine.Definition):
    """任职确认: one step, the person (or the admin responsible for their record) answers."""

    kind = KIND
    record_model = PostOffer
    record_gone = "该任职确认已不存在。"
    reject_needs_reason = False  # declining a post needs no reason (issue 12)

    def approve(self, process, *, actor, opinion):
        post_offer_accept(offer=self.record(process), actor=actor, opinion=opinion)
        return Process.objects.get(pk=process.pk)

    def reject(self, process, *, actor, opinion):
        return post_offer_decline(offer=self.record(process), actor=actor, reason=opinion).process

    def withdraw(self, process, *, actor):
        return post_offer_withdraw(offer=self.record(process), actor=actor).process

    def may_handle(self, actor, step) -> bool:
        if not getattr(actor, "is_authenticated", False) or not step.is_open:
            return False
        offer = PostOffer.objects.filter(process_id=step.process_id).select_related("person").first()
        return offer is not None and offers.can_decide(actor, offer)

    def may_view(self, actor, process) -> bool:
        if engine.default_may_view(actor, process):
            return True
        offer = PostOffer.objects.filter(process=process).select_related("person", "org").first()
        return offer is not None and (offers.can_decide(actor, offer) or offers.can_withdraw(actor, offer))

    def sync(self, process) -> None:
        PostOffer.objects.filter(process=process).update(status=STATUS_OF[process.status])


engine.register(PostOfferFlow())
