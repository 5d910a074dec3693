"""任职确认 pages (issue 12): the person accepts or declines a post offered to them, the admin
responsible for their record confirms it, the offering organisation withdraws it.

Every action is a POST and goes through orgchanges.post_offers (the offer's process in the approval
engine), which with people.post_offers checks who may act.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.pages import post_action, refusal_as_message
from orgchanges import post_offers as flow
from people import post_offers


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_GET
def offers_to_confirm(request):
    """Offers to people whose record the admin's organisations answer for."""
    offers = list(post_offers.offers_to_confirm(request.user)[:200])
    return render(request, "people/offers.html", {"offers": offers})


def _decide(request, offer_id: int, action, done: str, **reason):
    offer = post_offers.get_offer_for_actor(request.user, offer_id)
    with refusal_as_message(request):
        action(offer=offer, actor=request.user, **reason)
        messages.success(request, f"{done}：{offer.person.name}在{offer.org.short_name}任{offer.position}。")
    return _back(request, "people:me" if offer.person_id == request.user.pk else "people:offers")


offer_accept = post_action(partial(_decide, action=flow.post_offer_accept, done="已确认任职"))
# The reason is optional (不通过 of a 任职确认 needs no reason).
offer_decline = post_action(partial(_decide, action=flow.post_offer_decline, done="已拒绝任职"), "reason")


@login_required
@require_POST
def offer_withdraw(request, offer_id: int):
    offer = post_offers.get_offer_for_actor(request.user, offer_id, withdraw=True)
    with refusal_as_message(request):
        flow.post_offer_withdraw(offer=offer, actor=request.user)
        messages.success(request, f"已撤回对{offer.person.name}的任职确认。")
    return (
        redirect("people:cadres", pk=offer.org_id)
        if not offer.org.is_branch
        else redirect("orgs:info", pk=offer.org_id)
    )
