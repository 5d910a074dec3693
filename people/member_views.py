"""团员列表 of a branch (S7, P9) and what the branch admin does from it: verify, delete, reset codes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import reset
from core.exceptions import DomainError
from imports.workbooks import xlsx_response
from orgs import access as org_access
from orgs.models import Org

from . import access, members, reveal, selectors
from .models import Person
from .validation import FIELD_LABELS

PAGE_SIZE = 50


def _branch_for_viewer_or_404(request, pk: int) -> Org:
    branch = org_access.get_org_for_viewer_or_404(request.user, pk)
    if not branch.is_branch:
        raise Http404("只有团支部有团员列表。")
    return branch


@login_required
def member_list(request, pk: int):
    """团员列表: everyone sees who is incomplete; only the branch admin sees full data and acts.

    Opened on a committee, it lists every member of its subtree, branch by branch, read-only and
    masked (P9): the superiors' view of who is still incomplete anywhere below them.
    """
    org = org_access.get_org_for_viewer_or_404(request.user, pk)
    complete = {"true": True, "false": False}.get(request.GET.get("complete", ""))
    if not org.is_branch:
        return _subtree_member_list(request, org, complete)
    branch = org
    manages = org_access.is_admin_of(request.user, branch)
    page = Paginator(selectors.member_list(branch, complete=complete), PAGE_SIZE).get_page(request.GET.get("page"))
    positions = selectors.member_positions(branch, list(page))
    for person in page:
        person.position = positions.get(person.id, "")
        person.missing_labels = [FIELD_LABELS[f] for f in person.missing_fields()]
    # ID numbers and mobiles masked for everyone; the branch admin reveals one record at a time (people.reveal).
    return render(request, "people/members.html", {
        "branch": branch, "page": page, "manages": manages, "complete": request.GET.get("complete", ""),
        "counts": selectors.member_counts(branch),
    })  # fmt: skip


def _subtree_member_list(request, org: Org, complete: bool | None):
    members = selectors.subtree_member_list(org, complete=complete)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        person.missing_labels = [FIELD_LABELS[f] for f in person.missing_fields()]
    return render(request, "people/subtree_members.html", {
        "org": org, "page": page, "complete": request.GET.get("complete", ""), "counts": members.counts(),
    })  # fmt: skip


def _member_for_branch_admin_or_404(request, person_id: int) -> Person:
    person = Person.objects.select_related("branch").filter(pk=person_id).first()
    if person is None or not access.can_manage_member(request.user, person):
        raise Http404("未找到该团员，或您不是其所在团支部的管理员。")
    return person


@login_required
@require_POST
def member_delete(request, person_id: int):
    person = _member_for_branch_admin_or_404(request, person_id)
    branch_id = person.branch_id
    try:
        members.member_delete(person=person, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已删除团员：{person.name}。")
    return redirect("people:members", pk=branch_id)


@login_required
@require_POST
def member_verify(request, person_id: int, decision: str):
    if decision not in ("approve", "reject"):  # a rejection deletes the registrant: never by default
        raise Http404("未知的操作：只能认证或驳回。")
    person = _member_for_branch_admin_or_404(request, person_id)
    branch_id = person.branch_id
    try:
        members.member_verify(person=person, approve=decision == "approve", actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已{'认证' if decision == 'approve' else '驳回'}：{person.name}。")
    return redirect("people:members", pk=branch_id)


@login_required
@require_POST
def person_reveal(request, person_id: int):
    """htmx: one person's full ID number and mobile for whoever manages their record; audited (people.reveal)."""
    person = Person.objects.select_related("branch").filter(pk=person_id).first()
    if person is None:
        raise Http404("未找到该人员。")
    try:
        revealed = reveal.reveal_person(actor=request.user, person=person, where="页面：显示完整号码")
    except DomainError as e:
        raise Http404(e.message) from None
    return render(request, "people/partials/revealed.html", {"revealed": revealed})


@login_required
@require_POST
def reset_code_issue(request, person_id: int):
    """htmx: one 重置密码验证码, shown once to the admin who hands it over."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not access.can_reset_password(request.user, person):
        raise Http404("未找到该人员，或您无权为其生成验证码。")
    issued = reset.reset_code_issue(person=person, actor=request.user)
    return render(request, "people/partials/reset_code.html", {"issued": issued})


@login_required
@require_POST
def reset_codes_branch(request, pk: int):
    branch = _branch_for_viewer_or_404(request, pk)
    if not org_access.is_admin_of(request.user, branch):
        raise Http404
    issued = reset.reset_codes_issue_branch(branch=branch, actor=request.user)
    return xlsx_response(reset.reset_codes_workbook(issued), reset.reset_codes_filename(branch))
