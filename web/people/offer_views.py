"""任职确认 pages (issue 12): the person accepts or declines a post offered to them, the admin
responsible for their record confirms it, the offering organisation withdraws it.

Every action is a POST and goes through orgchanges.post_offers (the offer's process in the approval
engine), which with people.post_offers checks who may act.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
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
    try:
        action(offer=offer, actor=request.user, **reason)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{done}：{offer.person.name}在{offer.org.short_name}任{offer.position}。")
    return _back(request, "people:me" if offer.person_id == request.user.pk else "people:offers")


@login_required
@require_POST
def offer_accept(request, offer_id: int):
    return _decide(request, offer_id, flow.post_offer_accept, "已确认任职")


@login_required
@require_POST
def offer_decline(request, offer_id: int):
    reason = request.POST.get("reason", "")  # optional (不通过 of a 任职确认 needs no reason)
    return _decide(request, offer_id, flow.post_offer_decline, "已拒绝任职", reason=reason)


@login_required
@require_POST
def offer_withdraw(request, offer_id: int):
    offer = post_offers.get_offer_for_actor(request.user, offer_id, withdraw=True)
    try:
        flow.post_offer_withdraw(offer=offer, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已撤回对{offer.person.name}的任职确认。")
    return (
        redirect("people:cadres", pk=offer.org_id)
        if not offer.org.is_branch
        else redirect("orgs:info", pk=offer.org_id)
    )
