"""毕业生 pages (SPEC-2 GR): the committee's page (the marks of its subtree's branches, one by one and from
Excel), a branch's page (its mark, the members' flags and the bulk 毕业转出 card), the graduation season (GR5) and
the clean-up (GR6). Thin callers of graduates.services, importers and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.pages import post_action, refusal_as_message
from excel import workbooks
from exports.views import table_pages
from imports.views import card_context
from imports.views import target as import_target
from orgs import access
from orgs.selectors import fetch_acting_org, visible_ancestors
from people import access as people_access

from . import exports, importers, rules, selectors, services
from .models import Flag, NoDateReason

PAGE_SIZE = 100
# The import cards (templates/graduates/partials/import_card.html): title, template link, the steps after it.
MARKS_CARD = {
    "title": "批量标记",
    "template_url": "graduates:marks_template",
    "link": "下载批量标记模板",
    "after_link": "（组织全称、预计毕业年月、无毕业时间原因）。",
    "steps": (
        "每行填写一个团支部，年月和原因只填一项，保存为 .xlsx 文件。",
        "上传文件：系统先逐行检查并列出结果，您确认后才保存。",
    ),
}
TRANSFERS_CARD = {
    "title": "批量毕业转出",
    "template_url": "graduates:transfers_template",
    "link": "下载毕业转出表",
    "after_link": "（本支部全部团员，身份证号码隐去中间位）。",
    "steps": (
        "为要转出的团员填写转入组织全称和转接原因；不填转入组织的行不办理。",
        "上传文件并检查：表中有任何错误时整表都不提交；确认后为每人提交一份“办理转出”申请，由转入方审批。",
    ),
}


@login_required
def start(request):
    """Menu entry: the acting organisation's page."""
    return redirect("graduates:home", pk=fetch_acting_org(request).pk)


@login_required
def home(request, pk: int):
    org = access.fetch_org(request.user, pk)
    if org.is_branch:
        return redirect("graduates:branch", pk=org.pk)
    return marks_page(request, org)


def marks_page(request, org, **context):
    """GR1: the subtree's 团支部 and 毕业生团组织 with their marks, and the import card of the marks."""
    branches = Paginator(selectors.marks(org=org), PAGE_SIZE).get_page(request.GET.get("page"))
    for b in branches:
        b.may_mark = services.may_mark(request.user, b) and b.category == "团支部"
    year = timezone.localdate().year
    return render(request, "graduates/home.html", {
        "branches": branches, "reasons": NoDateReason.values, "year": year, "years": selectors.marked_years(org),
        "switch_day": rules.switch_day(year), "may_import": access.is_admin_of(request.user, org)
        or access.is_admin_of_ancestor(request.user, org), "card": MARKS_CARD,
        **card_context(request, importers.MARKS, org, **context),
    })  # fmt: skip


def _mark(request, pk: int, expected: str, no_date_reason: str):
    org = access.fetch_org(request.user, pk)
    with refusal_as_message(request):
        mark = services.mark_set(org=org, actor=request.user, expected=expected or None,
                                 no_date_reason=no_date_reason or None)  # fmt: skip
        messages.success(request, f"已标记{org.short_name}：{mark.expected or mark.no_date_reason}。")
    back = request.POST.get("next_org", "")
    return redirect("graduates:home", pk=back if back.isdigit() else org.pk)  # the committee's list, or the branch


mark = post_action(_mark, "expected", "no_date_reason")


@login_required
def branch(request, pk: int):
    org = access.fetch_org(request.user, pk, branch=True)
    return branch_page(request, org)


def branch_page(request, org, **context):
    """GR3 and GR4: the branch's members with their flags, and the bulk 毕业转出 card."""
    members = selectors.branch_members(org)
    may_flag = people_access.can_enter_members(request.user, org)
    return render(request, "graduates/branch.html", {
        "mark": services.mark_view(org), "members": members, "may_flag": may_flag, "flags": Flag.values,
        "may_transfer": access.acting_org(request.user, org) is not None, "card": TRANSFERS_CARD,
        **card_context(request, importers.TRANSFERS, org, **context),
    })  # fmt: skip


def _flag(request, pk: int, person_id: int, flag: str):
    org = access.fetch_org(request.user, pk, branch=True)
    person = people_access.fetch_person(request.user, person_id, of_org=org)
    with refusal_as_message(request):
        services.flag_set(person=person, actor=request.user, flag=flag)
        messages.success(
            request, f"已{'标记' if flag else '清除'}{person.name}的毕业生标记{('：' + flag) if flag else ''}。"
        )
    return redirect("graduates:branch", pk=org.pk)


flag = post_action(_flag, "flag")


@login_required
@require_GET
def transfers_template(request, pk: int):
    org = import_target(request, importers.TRANSFERS, pk)
    content = importers.transfers_template_bytes(org, actor=request.user)
    return workbooks.xlsx_response(content, f"{importers.TRANSFERS_TITLE}_{org.short_name}.xlsx")


# GR5: per direct subordinate, the season's figures, the workbook, the members not yet initiated by branch.
season, season_xlsx = table_pages(
    "graduates/season.html", fetch=access.fetch_org, table=selectors.season, export=exports.season_export,
    crumbs=visible_ancestors, listing=("waiting", selectors.not_initiated),
)  # fmt: skip


@login_required
def cleanup(request, pk: int):
    """GR6: the subtree's 毕业生团组织; the empty ones after the season are offered for deletion."""
    org = access.fetch_org(request.user, pk)
    items = selectors.cleanup(org=org, today=timezone.localdate())
    for item in items:
        item.may_delete = item.offered and access.is_admin_of_parent(request.user, item.org)
    return render(request, "graduates/cleanup.html", {"org": org, "items": items})


def _delete(request, pk: int):
    org = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    parent_id, name = org.parent_id, org.short_name
    with refusal_as_message(request):
        services.graduated_delete(org=org, actor=request.user)
        messages.success(request, f"已删除毕业生团组织“{name}”。")
    return redirect("graduates:cleanup", pk=parent_id)


delete = post_action(_delete)
