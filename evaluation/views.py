"""两制 pages (SPEC-2 EV, RG): the organisation's page (rounds, links), a branch's evaluation and registration,
the superior's decision on them, the overdue list, the supervision table and the member's own years.
Thin callers of evaluation.services; what a page may show or do is decided there and in orgs.access."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.dates import year_or_current
from core.exceptions import Invalid, NotFound
from core.pages import refusal_as_message
from core.replicas import replica_view
from exports.views import table_pages
from orgs import access
from orgs.selectors import visible_ancestors
from people import queries

from . import exports, rules, selectors, services
from .models import Evaluation, Level, Outcome, Registration, Stage

PAGE_SIZE = 50
ENTRY = access.MANAGE | access.MANAGE_AS_SUPERIOR


def _save_then(request, save, submit, submitted: str, back: str, pk: int, year: int):
    """Save the page's entries and, with 提交, submit them; the outcome as a message. None when refused (the
    page is shown again with what is saved)."""
    with refusal_as_message(request):
        save()
        if request.POST.get("submit"):
            submit()
        messages.success(request, submitted if request.POST.get("submit") else "已保存。")
        return redirect(back, pk=pk, year=year)
    return None


def _date(text: str):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str):
    return int(text) if text and text.strip().isdigit() else None


@login_required
def home(request, pk: int):
    org = access.fetch_org(request.user, pk)
    year = year_or_current(request.GET.get("year"))
    return render(request, "evaluation/home.html", {
        "org": org, "year": year, "rounds": selectors.rounds_covering(org).order_by("-year", "org__path"),
        "manages": access.is_admin_of(request.user, org), "evaluated": rules.is_evaluated(org),
        "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@require_POST
def round_open(request, pk: int):
    org = access.fetch_org(request.user, pk, access.MANAGE)
    year = _int(request.POST.get("year", "")) or timezone.localdate().year
    with refusal_as_message(request):
        starts, ends = _date(request.POST.get("starts_on", "")), _date(request.POST.get("ends_on", ""))
        if not starts or not ends:
            raise Invalid("请填写开始日期和截止日期。", code="invalid")
        services.round_open(org=org, actor=request.user, year=year, starts_on=starts, ends_on=ends)
        messages.success(request, f"已开启{year}年度团员教育评议，覆盖本组织全部下级团支部。")
    return redirect(f"{reverse('evaluation:home', args=[org.pk])}?year={year}")


# --- a branch's evaluation ------------------------------------------------------------------------------------------


def _posted_items(post, view) -> list[dict]:
    """The table's fields: level_<id>, out_<id> (不参评), reason_<id>; after approval until_<id>, re_<id>,
    talk_on_<id>, talk_<id>."""
    items = []
    approved = view.stage == Stage.APPROVED
    for row in view.rows:
        pid = row.person.pk
        if not approved:
            if f"level_{pid}" not in post:
                continue
            item = {"person_id": pid, "proposed_level": post.get(f"level_{pid}", "")}
            by_settings = rules.exclusion(row.person, view.round) if view.round else ""
            if not by_settings:
                out = post.get(f"out_{pid}") == "1"
                item["participates"] = not out
                if out:
                    item["excluded_reason"] = post.get(f"reason_{pid}", "")
                    item.pop("proposed_level")
            items.append(item)
            continue
        item = {"person_id": pid}
        if post.get(f"until_{pid}"):
            item["correction_until"] = _date(post[f"until_{pid}"]) or post[f"until_{pid}"]
        if post.get(f"re_{pid}"):
            item["re_level"] = post[f"re_{pid}"]
        if post.get(f"talk_{pid}") or post.get(f"talk_on_{pid}"):
            item["talk"] = {"held_on": _date(post.get(f"talk_on_{pid}", "")), "note": post.get(f"talk_{pid}", "")}
        if len(item) > 1:
            items.append(item)
    return items


@login_required
def branch(request, pk: int, year: int):
    org = access.fetch_org(request.user, pk)
    view = services.evaluation_view(branch=org, year=year)
    may_enter = access.has_right(request.user, org, ENTRY) and rules.is_evaluated(org)
    if request.method == "POST" and may_enter:
        meeting = None
        if view.stage != Stage.APPROVED:
            meeting = {"held_on": _date(request.POST.get("held_on", "")), "due": _int(request.POST.get("due", "")),
                       "present": _int(request.POST.get("present", ""))}  # fmt: skip
        done = _save_then(
            request,
            lambda: services.evaluation_save(branch=org, actor=request.user, year=year, meeting=meeting,
                                             items=_posted_items(request.POST, view)),
            lambda: services.evaluation_submit(branch=org, actor=request.user, year=year),
            "评议结果已提交上级组织审核认证。", "evaluation:branch", pk, year,
        )  # fmt: skip
        if done:
            return done
        view = services.evaluation_view(branch=org, year=year)  # what is saved; the message says what was refused
    e = view.evaluation
    excellent = sum(1 for r in view.rows if r.participates and r.item and r.item.proposed_level == Level.EXCELLENT)
    process = e.process if e and e.process_id else None
    decides = bool(process and process.is_open and access.is_admin_of_parent(request.user, org))
    return render(request, "evaluation/branch.html", {
        "org": org, "year": year, "view": view, "evaluation": e, "may_enter": may_enter, "excellent": excellent,
        "levels": Level.values, "editable": may_enter and view.stage in ("未开始", *services.OPEN_STAGES),
        "approved": view.stage == Stage.APPROVED, "process": process, "decides": decides,
        "may_reopen": view.stage == Stage.APPROVED and access.is_admin_of_parent(request.user, org),
        "meeting_problem": rules.meeting_problem(e.held_on, e.due, e.present) if e else "",
    })  # fmt: skip


@login_required
@require_POST
def decide(request, pk: int, year: int, what: str):
    """The direct superior's 审核认证 / 退回修改 of a branch's evaluation or registration."""
    org = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    approve = request.POST.get("decision") == "approve"
    opinion = request.POST.get("opinion", "")
    with refusal_as_message(request):
        if what == "evaluation":
            record = Evaluation.objects.filter(org=org, year=year).first()
            if record is None:
                raise NotFound("该支部尚未填写评议。", code="not_found")
            services.evaluation_decide(evaluation=record, actor=request.user, approve=approve, opinion=opinion)
        else:
            record = Registration.objects.filter(org=org, year=year).first()
            if record is None:
                raise NotFound("该支部尚未填写团籍注册。", code="not_found")
            services.registration_decide(registration=record, actor=request.user, approve=approve, opinion=opinion)
        messages.success(request, "已审核认证。" if approve else "已退回支部修改。")
    return redirect("evaluation:branch" if what == "evaluation" else "evaluation:registration", pk=pk, year=year)


@login_required
@require_POST
def reopen(request, pk: int, year: int):
    org = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    with refusal_as_message(request):
        services.evaluation_reopen(branch=org, actor=request.user, year=year)
        messages.success(request, "评议结果已重新打开，支部可以修改后再次提交。")
    return redirect("evaluation:branch", pk=pk, year=year)


# --- 团籍注册 -----------------------------------------------------------------------------------------------------


@login_required
def registration(request, pk: int, year: int):
    org = access.fetch_org(request.user, pk)
    may_enter = access.has_right(request.user, org, ENTRY) and rules.is_evaluated(org)
    record, rows = services.registration_view(branch=org, year=year)
    if request.method == "POST" and may_enter:
        items = [{"person_id": r.person.pk, "outcome": request.POST.get(f"outcome_{r.person.pk}", ""),
                  "exception_reason": request.POST.get(f"exception_{r.person.pk}", "")}
                 for r in rows if f"outcome_{r.person.pk}" in request.POST]  # fmt: skip
        done = _save_then(
            request, lambda: services.registration_save(branch=org, actor=request.user, year=year, items=items),
            lambda: services.registration_submit(branch=org, actor=request.user, year=year),
            "团籍注册已提交上级组织确认。", "evaluation:registration", pk, year,
        )  # fmt: skip
        if done:
            return done
    stage = record.stage if record else "未开始"
    process = record.process if record and record.process_id else None
    return render(request, "evaluation/registration.html", {
        "org": org, "year": year, "rows": rows, "stage": stage, "may_enter": may_enter,
        "editable": may_enter and stage in ("未开始", *services.OPEN_STAGES), "process": process,
        "decides": bool(process and process.is_open and access.is_admin_of_parent(request.user, org)),
        "outcomes": Outcome.values,
    })  # fmt: skip


@login_required
@replica_view
def overdue(request, pk: int):
    org = access.fetch_org(request.user, pk)
    page = Paginator(services.overdue(org=org), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, queries.masked_numbers(p)) for p in page]
    return render(request, "evaluation/overdue.html", {"org": org, "page": page, "rows": rows})


supervision, supervision_xlsx = table_pages(
    "evaluation/supervision.html", fetch=access.fetch_org, table=selectors.supervision,
    export=exports.supervision_export, crumbs=visible_ancestors,
)  # fmt: skip


# --- the member's own page (EV7) -------------------------------------------------------------------------------------


@login_required
def mine(request):
    if request.method == "POST":
        with refusal_as_message(request):
            year = _int(request.POST.get("year", "")) or 0
            services.appeal_make(person=request.user, year=year, reason=request.POST.get("reason", ""))
            messages.success(request, "申诉已提交，由所在团支部的上级组织处理。")
        return redirect("evaluation:mine")
    return render(request, "evaluation/mine.html", {"years": services.my_years(request.user)})
