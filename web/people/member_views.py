"""团员列表 of a branch (S7, P9) and what the branch admin does from it: verify, delete (its reset-code pages
are accounts/reset_views.py)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.pages import refusal_as_message
from core.replicas import replica_view
from orgs import access as org_access
from orgs.models import Org
from people import access, members, queries, selectors
from people.validation import FIELD_LABELS

PAGE_SIZE = 50


@login_required
@replica_view
def member_list(request, pk: int):
    """团员列表: everyone sees who is incomplete; only the branch admin sees full data and acts.

    Opened on a committee, it lists every member of its subtree, branch by branch, read-only and
    masked (P9): the superiors' view of who is still incomplete anywhere below them.
    """
    org = org_access.fetch_org(request.user, pk)
    complete = {"true": True, "false": False}.get(request.GET.get("complete", ""))
    if not org.is_branch:
        return _subtree_member_list(request, org, complete)
    branch = org
    manages = org_access.is_admin_of(request.user, branch)
    counts = selectors.member_counts(branch)
    listed = {None: counts["total"], True: counts["complete"], False: counts["total"] - counts["complete"]}[complete]
    paginator = Paginator(selectors.member_list(branch, complete=complete), PAGE_SIZE)
    paginator.count = listed  # the header's totals give the list's length: no second COUNT of the branch
    page = paginator.get_page(request.GET.get("page"))
    positions = selectors.member_positions(branch, list(page))
    for person in page:
        person.position = positions.get(person.id, "")
        person.missing_labels = [FIELD_LABELS[f] for f in person.missing_fields()]
        # Masked for everyone; the branch admin reveals one record at a time (people.queries).
        person.numbers = queries.person_numbers(viewer=request.user, person=person)
    return render(request, "people/members.html", {
        "branch": branch, "page": page, "manages": manages, "complete": request.GET.get("complete", ""),
        "counts": counts,
    })  # fmt: skip


def _subtree_member_list(request, org: Org, complete: bool | None):
    members = selectors.subtree_member_list(org, complete=complete)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        person.missing_labels = [FIELD_LABELS[f] for f in person.missing_fields()]
        person.numbers = queries.person_numbers(viewer=request.user, person=person)
    return render(request, "people/subtree_members.html", {
        "org": org, "page": page, "complete": request.GET.get("complete", ""), "counts": members.counts(),
    })  # fmt: skip


def _on_member(request, person_id: int, action, done: str):
    """The branch admin's action on one member from the list, then back to the list."""
    person = access.fetch_person(request.user, person_id, access.MANAGE_MEMBER)
    branch_id = person.branch_id
    with refusal_as_message(request):
        action(person=person, actor=request.user)
        messages.success(request, f"{done}：{person.name}。")
    return redirect("people:members", pk=branch_id)


@login_required
@require_POST
def member_delete(request, person_id: int):
    return _on_member(request, person_id, members.member_delete, "已删除团员")


@login_required
@require_POST
def member_verify(request, person_id: int, decision: str):
    if decision not in ("approve", "reject"):  # a rejection deletes the registrant: never by default
        raise Http404("未知的操作：只能认证或驳回。")
    approve = decision == "approve"
    return _on_member(
        request, person_id, partial(members.member_verify, approve=approve), f"已{'认证' if approve else '驳回'}"
    )


@login_required
@require_POST
def person_reveal(request, person_id: int):
    """htmx: one person's full ID number and mobile for whoever manages their record; audited (people.reveal)."""
    person = access.fetch_person(request.user, person_id, access.REVEAL)
    revealed = queries.reveal_person(actor=request.user, person=person, where="页面：显示完整号码")
    return render(request, "people/partials/revealed.html", {"revealed": revealed})
