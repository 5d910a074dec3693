"""组织关系转接 pages: the list, each request's timeline and actions, and the ways to start one."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import picker
from core.exceptions import DomainError
from core.pages import post_action, refusal_as_message
from core.pagination import CappedCountPaginator
from core.replicas import replica_view
from orgs import pick as org_pick
from orgs.models import Org
from orgs.rules import Category
from orgs.selectors import fetch_acting_org
from people import pick as people_pick

from . import selectors, services
from .models import Reason, Status


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@replica_view
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
    branch_picker = None
    if t.status == Status.ASSIGN and services.may_act(request.user, t):
        branch_picker = branch_pick(request, t.to_org, "branch_id", "分配到团支部", kind="branch")
    selectors.label_from(request.user, [t])
    events = selectors.with_steps([t])[0].timeline
    for e in events:  # the sending side's admins are not named where the sending organisation is not
        e.actor_shown = e.actor is not None and (t.from_shown or e.actor_id in (t.created_by_id, request.user.pk))
    return render(request, "transfers/detail.html", {
        "t": t, "events": events,
        "my_turn": services.may_act(request.user, t)
        and (t.process.started_by_id != request.user.pk or t.status == Status.ASSIGN),  # W1
        "can_withdraw": t.created_by_id == request.user.pk and t.is_open and not t.reviewed,
        "branch_picker": branch_picker,
    })  # fmt: skip


def _act(request, pk: int, service, **given):
    """One step on a request (`service` with what of the form it takes), then back to the request's page."""
    t = selectors.fetch_transfer(request.user, pk)
    with refusal_as_message(request):
        service(transfer=t, actor=request.user, **given)
        t.refresh_from_db()
        messages.success(request, _what_happened(t))
    return redirect("transfers:detail", pk=t.pk)


def _what_happened(t) -> str:
    """After a step: what it did and what comes next (never a bare 已处理)."""
    return {
        Status.RECEIVER: f"已通过转出审批。接下来由转入方（{t.to_org.short_name}）审批，结果会出现在本页和消息中。",
        Status.ASSIGN: f"已通过转入审批。接下来由{t.to_org.short_name}为{t.person.name}分配团支部。",
        Status.DONE: f"组织关系转接已完成：{t.person.name}已转入{t.to_branch.short_name if t.to_branch else t.to_name}。",
        Status.REJECTED: "已驳回。申请方会在消息中看到驳回理由，可修改后重新申请。",
        Status.WITHDRAWN: "已撤回本次转接申请；如需转接，可重新提交。",
    }.get(t.status, f"已提交，当前状态：{t.get_status_display()}。")


transfer_approve = post_action(partial(_act, service=services.transfer_approve))
transfer_reject = post_action(partial(_act, service=services.transfer_reject), "reason")
transfer_withdraw = post_action(partial(_act, service=services.transfer_withdraw))


@login_required
@require_POST
def transfer_assign(request, pk: int):
    branch = Org.objects.filter(pk=_int(request.POST.get("branch_id"))).first()
    if branch is None:
        messages.error(request, "请选择要分配的团支部。")
        return redirect("transfers:detail", pk=pk)
    return _act(request, pk, services.transfer_assign, branch=branch)


@login_required
def transfer_in(request):
    """办理转入: look the member up by name and ID number; the acting organisation receives them."""
    org = fetch_acting_org(request)
    if request.method == "POST":
        with refusal_as_message(request):
            person = services.find_member(
                name=request.POST.get("name", ""), id_number=request.POST.get("id_number", "")
            )
            t = services.transfer_submit(
                actor=request.user, person=person, to_org=org, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"已提交{person.name}的转入申请，等待转出方审批。")
            return redirect("transfers:detail", pk=t.pk)
    return render(request, "transfers/in.html", {"org": org, "reasons": Reason.values, "data": request.POST})


@login_required
def transfer_out(request):
    """办理转出: pick a branch in one's subtree, its members, the receiver and a reason; one request each."""
    org = fetch_acting_org(request)
    branches = org_pick.pickable_orgs(request.user, within=org, kinds=org_pick.BRANCHES)
    branch = branches.filter(pk=_int(request.GET.get("branch_id") or request.POST.get("branch_id"))).first()
    chosen, to_org = [], None
    if request.method == "POST" and branch is not None:
        chosen = request.POST.getlist("person_ids")
        to_org = receivers("").filter(pk=_int(request.POST.get("to_org_id"))).first()
        people = people_pick.pickable_members(request.user, branch).filter(pk__in=[_int(x) for x in chosen])
        done, errors = _submit_each(request, people, to_org)
        if done:
            messages.success(request, f"已提交{len(done)}人的转出申请，等待转入方审批。")
        for e in errors:
            messages.error(request, e)
        if done and not errors:
            return redirect("transfers:list")
        chosen = [x for x in chosen if _int(x) not in {t.person_id for t in done}]  # keep only the refused
    return render(request, "transfers/out.html", {
        "org": org, "branch": branch, "reasons": Reason.values, "data": request.POST,
        "branch_picker": branch_pick(request, org, "branch_id", "转出团支部", kind="branches",
                                     chosen=[branch.pk] if branch else [], auto=True),
        "member_picker": member_pick(request, branch, chosen=chosen) if branch else None,
        "to_picker": receiver_pick(request, chosen=[to_org.pk] if to_org else []),
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
    """批量接转 (committees only): ≤30 members between two branches of one's subtree, done at once.
    People are picked by name with masked ID numbers (namesakes), counted live (已选 n/30), and every
    choice is kept when the request is refused."""
    org = fetch_acting_org(request)
    if org.is_branch:
        raise Http404("团支部没有批量接转。")
    branches = org_pick.pickable_orgs(request.user, within=org, kinds=org_pick.BRANCHES)
    source = branches.filter(pk=_int(request.GET.get("from") or request.POST.get("from_branch_id"))).first()
    chosen, target = [], None
    if request.method == "POST" and source is not None:
        chosen = request.POST.getlist("person_ids")
        target = branches.filter(pk=_int(request.POST.get("to_branch_id"))).first()
        people = list(people_pick.pickable_members(request.user, source).filter(pk__in=[_int(x) for x in chosen]))
        with refusal_as_message(request):
            if target is None:
                raise DomainError("请搜索并选择转入的团支部。")
            services.batch_transfer(actor=request.user, acting_org=org, from_branch=source, to_branch=target,
                                    people=people, reason=request.POST.get("reason", ""))  # fmt: skip
            messages.success(request, f"已将{len(people)}人从{source.short_name}转入{target.short_name}。")
            return redirect("transfers:list")
    limit = services.BATCH_LIMIT
    return render(request, "transfers/batch.html", {
        "org": org, "source": source, "reasons": Reason.values, "limit": limit, "data": request.POST,
        "from_picker": branch_pick(request, org, "from", "转出团支部", kind="branches",
                                   chosen=[source.pk] if source else [], auto=True),
        "member_picker": member_pick(request, source, chosen=chosen, limit=limit) if source else None,
        "to_picker": branch_pick(request, org, "to_branch_id", "转入团支部", kind="branch",
                                 chosen=[target.pk] if target else [], exclude=source.pk if source else None),
    })  # fmt: skip


@login_required
def self_apply(request):
    """The member's own application (from 个人中心)."""
    person = request.user
    to_org = None
    if request.method == "POST":
        to_org = receivers("").filter(pk=_int(request.POST.get("to_org_id"))).first()
        with refusal_as_message(request):
            if to_org is None:
                raise DomainError("请搜索并选择转入团组织。")
            t = services.transfer_submit(
                actor=person, person=person, to_org=to_org, reason=request.POST.get("reason", "")
            )
            messages.success(request, "申请已提交：先由转出方审批，再由转入方审批。")
            return redirect("transfers:detail", pk=t.pk)
    mine = person.transfers.order_by("-created_at")[:20]
    return render(request, "transfers/apply.html", {
        "reasons": Reason.values, "mine": mine, "person": person, "data": request.POST,
        "to_picker": receiver_pick(request, chosen=[to_org.pk] if to_org else []),
    })  # fmt: skip


# --- pickers (core.picker; templates/partials/picker.html) ---------------------


def branch_pick(request, within: Org, field: str, label: str, *, kind: str, chosen=(), auto=False, exclude=None):
    """Branches under `within` the actor may see, searched by part of the 简称 or 全称 (orgs:pick);
    `exclude`: one not to offer on the first page (the source of a transfer as its target)."""
    p = picker.Picker(
        field=field, label=label, url=reverse("orgs:pick", args=[within.pk]) + f"?kind={kind}", autosubmit=auto,
        placeholder="输入团支部简称或全称中的几个字搜索", empty="没有可选的团支部。",
    )  # fmt: skip
    if exclude is not None:
        p.url += f"&exclude={exclude}"

    def search(q):
        found = org_pick.pickable_orgs(request.user, within=within, query=q, kinds=org_pick.KINDS[kind])
        return found.exclude(pk=exclude) if exclude is not None else found

    return picker.build(p, chosen_ids=chosen, to_choice=org_pick.org_choice, search=search)


def member_pick(request, branch: Org, *, chosen=(), limit: int = 0):
    """The branch's members by part of the name, with masked ID numbers (people:member_pick)."""
    p = picker.Picker(
        field="person_ids", label="选择团员" + (f"（最多{limit}人）" if limit else ""), multiple=True, limit=limit,
        url=reverse("people:member_pick", args=[branch.pk]), placeholder="输入姓名中的字筛选",
        empty="该团支部没有团员。",
    )  # fmt: skip
    return picker.build(p, chosen_ids=chosen, to_choice=people_pick.member_choice, per_page=50,
                        search=lambda q: people_pick.pickable_members(request.user, branch, q))  # fmt: skip


def receivers(query: str):
    """Any organisation but a 待接转团支部, by part of the 全称 (a transfer may go anywhere: names only)."""
    qs = Org.objects.exclude(category=Category.PENDING).only("id", "path", "short_name", "full_name", "category")
    return (qs.filter(full_name__contains=query) if query else qs).order_by("depth", "path")


def _receiver_choice(org: Org) -> picker.Choice:
    return picker.Choice(id=org.pk, label=org.full_name, tag=org.category)


def receiver_pick(request, *, chosen=()):
    p = picker.Picker(field="to_org_id", label="转入团组织", url=reverse("transfers:org_picker"), min_chars=2,
                      placeholder="输入接收组织名称中的关键词搜索")  # fmt: skip
    return picker.build(p, chosen_ids=chosen, search=receivers, to_choice=_receiver_choice)


@login_required
def org_picker(request):
    """htmx fragment: receiving organisations by name (names only, like the registration picker)."""
    return picker.results(request, url=reverse("transfers:org_picker"), search=receivers,
                          to_choice=_receiver_choice, min_chars=2)  # fmt: skip
