"""组织关系转接 pages: the list, each request's timeline and actions, and the ways to start one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.registration import org_search
from core.exceptions import DomainError
from core.pagination import CappedCountPaginator
from orgs.models import Org
from orgs.rules import Category
from orgs.selectors import fetch_acting_org
from people.models import Person

from . import selectors, services
from .models import Reason, Status


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def transfer_list(request):
    """转接列表 like the live one, filterable by direction and status, searchable by pasted names."""
    org = fetch_acting_org(request)
    f = {k: request.GET.get(k, "") for k in ("direction", "status", "names")}
    qs = selectors.transfer_list(request.user, org=org, **f)
    page = CappedCountPaginator(qs, 50).get_page(request.GET.get("page"))
    todo = list(selectors.transfers_todo(request.user)[:100])
    selectors.label_from(request.user, [*page, *todo])
    return render(request, "transfers/list.html", {
        "org": org, "page": page, "filters": f, "statuses": Status.values, "todo": todo,
    })  # fmt: skip


@login_required
def transfer_detail(request, pk: int):
    t = selectors.fetch_transfer(request.user, pk)
    branches = []
    if t.status == Status.ASSIGN and services.may_act(request.user, t):
        branches = Org.objects.filter(Org.subtree_q(t.to_org.path), category=Category.BRANCH).order_by("path")[:500]
    selectors.label_from(request.user, [t])
    events = selectors.with_steps([t])[0].timeline
    for e in events:  # the sending side's admins are not named where the sending organisation is not
        e.actor_shown = e.actor is not None and (t.from_shown or e.actor_id in (t.created_by_id, request.user.pk))
    return render(request, "transfers/detail.html", {
        "t": t, "events": events,
        "my_turn": services.may_act(request.user, t)
        and (t.process.started_by_id != request.user.pk or t.status == Status.ASSIGN),  # W1
        "can_withdraw": t.created_by_id == request.user.pk and t.is_open and not t.reviewed, "branches": branches,
    })  # fmt: skip


def _act(request, pk: int, action):
    t = selectors.fetch_transfer(request.user, pk)
    try:
        action(t)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已处理。")
    return redirect("transfers:detail", pk=t.pk)


@login_required
@require_POST
def transfer_approve(request, pk: int):
    return _act(request, pk, lambda t: services.transfer_approve(transfer=t, actor=request.user))


@login_required
@require_POST
def transfer_reject(request, pk: int):
    reason = request.POST.get("reason", "")
    return _act(request, pk, lambda t: services.transfer_reject(transfer=t, actor=request.user, reason=reason))


@login_required
@require_POST
def transfer_withdraw(request, pk: int):
    return _act(request, pk, lambda t: services.transfer_withdraw(transfer=t, actor=request.user))


@login_required
@require_POST
def transfer_assign(request, pk: int):
    branch = Org.objects.filter(pk=_int(request.POST.get("branch_id"))).first()
    if branch is None:
        messages.error(request, "请选择要分配的团支部。")
        return redirect("transfers:detail", pk=pk)
    return _act(request, pk, lambda t: services.transfer_assign(transfer=t, actor=request.user, branch=branch))


@login_required
def transfer_in(request):
    """办理转入: look the member up by name and ID number; the acting organisation receives them."""
    org = fetch_acting_org(request)
    if request.method == "POST":
        try:
            person = services.find_member(
                name=request.POST.get("name", ""), id_number=request.POST.get("id_number", "")
            )
            t = services.transfer_submit(
                actor=request.user, person=person, to_org=org, reason=request.POST.get("reason", "")
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已提交{person.name}的转入申请，等待转出方审批。")
            return redirect("transfers:detail", pk=t.pk)
    return render(request, "transfers/in.html", {"org": org, "reasons": Reason.values, "data": request.POST})


@login_required
def transfer_out(request):
    """办理转出: pick a branch in one's subtree, its members, the receiver and a reason; one request each."""
    org = fetch_acting_org(request)
    branches = Org.objects.filter(Org.subtree_q(org.path), category__in=(Category.BRANCH, Category.PENDING))
    branch = branches.filter(pk=_int(request.GET.get("branch_id") or request.POST.get("branch_id"))).first()
    if request.method == "POST" and branch is not None:
        to_org = Org.objects.filter(pk=_int(request.POST.get("to_org_id"))).first()
        people = Person.objects.filter(branch=branch, pk__in=[_int(x) for x in request.POST.getlist("person_ids")])
        done, errors = _submit_each(request, people, to_org)
        if done:
            messages.success(request, f"已提交{len(done)}人的转出申请，等待转入方审批。")
        for e in errors:
            messages.error(request, e)
        if done and not errors:
            return redirect("transfers:list")
    members = Person.objects.filter(branch=branch).order_by("name") if branch else []
    return render(request, "transfers/out.html", {
        "org": org, "branches": branches.order_by("path")[:500], "branch": branch, "members": members,
        "reasons": Reason.values,
    })  # fmt: skip


def _submit_each(request, people, to_org):
    if to_org is None:
        return [], ["请搜索并选择转入团组织。"]
    if not people:
        return [], ["请勾选要转出的团员。"]
    done, errors = [], []
    for person in people:
        try:
            done.append(services.transfer_submit(actor=request.user, person=person, to_org=to_org,
                                                 reason=request.POST.get("reason", "")))  # fmt: skip
        except DomainError as e:
            errors.append(f"{person.name}：{e.message}")
    return done, errors


@login_required
def batch(request):
    """批量接转 (committees only): ≤30 members between two branches of one's subtree, done at once."""
    org = fetch_acting_org(request)
    if org.is_branch:
        raise Http404("团支部没有批量接转。")
    branches = Org.objects.filter(Org.subtree_q(org.path), category__in=(Category.BRANCH, Category.PENDING))
    source = branches.filter(pk=_int(request.GET.get("from") or request.POST.get("from_branch_id"))).first()
    if request.method == "POST" and source is not None:
        target = branches.filter(pk=_int(request.POST.get("to_branch_id"))).first()
        people = list(
            Person.objects.filter(branch=source, pk__in=[_int(x) for x in request.POST.getlist("person_ids")])
        )
        try:
            if target is None:
                raise DomainError("请选择转入的团支部。")
            services.batch_transfer(actor=request.user, acting_org=org, from_branch=source, to_branch=target,
                                    people=people, reason=request.POST.get("reason", ""))  # fmt: skip
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已将{len(people)}人从{source.short_name}转入{target.short_name}。")
            return redirect("transfers:list")
    members = Person.objects.filter(branch=source).order_by("name") if source else []
    return render(request, "transfers/batch.html", {
        "org": org, "branches": branches.order_by("path")[:500], "source": source, "members": members,
        "reasons": Reason.values, "limit": services.BATCH_LIMIT,
    })  # fmt: skip


@login_required
def self_apply(request):
    """The member's own application (from 个人中心)."""
    person = request.user
    if request.method == "POST":
        to_org = Org.objects.filter(pk=_int(request.POST.get("to_org_id"))).first()
        try:
            if to_org is None:
                raise DomainError("请搜索并选择转入团组织。")
            t = services.transfer_submit(
                actor=person, person=person, to_org=to_org, reason=request.POST.get("reason", "")
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "申请已提交：先由转出方审批，再由转入方审批。")
            return redirect("transfers:detail", pk=t.pk)
    mine = person.transfers.order_by("-created_at")[:20]
    return render(request, "transfers/apply.html", {"reasons": Reason.values, "mine": mine, "person": person})


@login_required
def org_picker(request):
    """htmx fragment: receiving organisations by name (names only, like the registration picker)."""
    results = org_search(request.GET.get("q", ""))
    return render(request, "accounts/partials/org_results.html",
                  {"results": results, "q": request.GET.get("q", ""), "field": "to_org_id"})  # fmt: skip
