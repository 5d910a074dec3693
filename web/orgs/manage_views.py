"""组织管理 pages of one's own organisation: subordinates, codes, order, information, admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from core.pages import refusal_as_message, refusal_on_form
from excel.workbooks import xlsx_response
from exports.views import respond
from orgchanges import admin_changes, deletion, migration
from orgs import access, codes, completeness, queries, selectors, services
from orgs.models import AdminChange
from people import access as people_access
from people import org_info as info
from people.models import Cadre
from people.post_offers import offers_of_org
from web.orgs.forms import OrgInfoForm


@login_required
def children_manage(request, pk: int):
    """管理下级组织: each direct subordinate with its code and information status."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    incomplete = request.GET.get("filter") == "incomplete"
    children = selectors.children_with_status(org, incomplete_only=incomplete)
    return render(request, "orgs/children_manage.html", {"org": org, "children": children, "incomplete": incomplete})


@login_required
@require_POST
def code_issue(request, pk: int):
    child = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    issued = codes.registration_code_issue(org=child, actor=request.user)
    return render(request, "orgs/partials/code_issued.html", {"issued": issued})


@login_required
@require_http_methods(["GET", "POST"])
def codes_issue_all(request, pk: int):
    """批量生成注册码: GET is the confirm step (how many organisations, how many unused codes it replaces) and
    changes nothing; the POST of its form issues the codes and downloads them."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    if request.method == "GET":
        plan = codes.registration_codes_plan(parent=org, actor=request.user)
        return render(request, "orgs/codes_confirm.html", {"org": org, "plan": plan})
    with refusal_as_message(request):
        issued = codes.registration_codes_issue_all(parent=org, actor=request.user)
        filename = f"管理员注册码_{org.short_name}_{timezone.localdate():%Y%m%d}.xlsx"
        return xlsx_response(codes.codes_workbook(issued), filename)
    return redirect("orgs:children", pk=org.pk)


@login_required
@require_GET
def codes_state(request, pk: int):
    """注册码状态 of every direct subordinate as a workbook (no codes: they are stored only hashed); changes nothing."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    return respond(codes.codes_state_export(parent=org, actor=request.user))


@login_required
def children_order(request, pk: int):
    org = access.fetch_org(request.user, pk, access.MANAGE)
    if request.method == "POST":
        try:
            ids = [int(x) for x in request.POST.getlist("order")]
            services.children_reorder(parent=org, ordered_ids=ids, actor=request.user)
        except (ValueError, DomainError) as e:
            messages.error(request, getattr(e, "message", "排序数据有误，请刷新页面后重试。"))
        else:
            messages.success(request, "排序已保存。")
        return redirect("orgs:children_order", pk=org.pk)
    children = [c for c in selectors.org_children(org) if not c.is_pending]  # the 待接转团支部 stays last (U2)
    return render(request, "orgs/children_order.html", {"org": org, "children": children})


@login_required
def org_info(request, pk: int):
    """组织信息: the own admin fills it in; the direct superior's admin may also correct locked fields. The
    secretary's ID number and mobile are shown masked (orgs.queries); the own admin reveals them (audited)."""
    org = access.fetch_org(request.user, pk, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    editable = info.editable_fields(request.user, org)
    required = set(completeness.required_fields(org))
    secretary = queries.secretary_card(viewer=request.user, org=org)
    form = OrgInfoForm(
        request.POST or None, initial=_info_initial(org), editable=editable, required=required, secretary=secretary
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in editable}
        with refusal_on_form(form):
            saved = info.org_info_update(org=org, actor=request.user, data=data)
            messages.success(request, "组织信息已保存。")
            for note in saved.secretary_notes:
                messages.info(request, note)
            return redirect("orgs:info", pk=org.pk)
    missing = [completeness.FIELD_LABELS[f] for f in completeness.missing_fields(org)]
    secretary_offers = list(offers_of_org(org).filter(secretary=True))
    return render(request, "orgs/info.html", {
        "org": org, "form": form, "missing": missing, "secretary_offers": secretary_offers, "secretary": secretary,
        "may_reveal": secretary is not None and not secretary.full and queries.may_reveal_secretary(request.user, org),
        "name_check": migration.full_name_check(org), "may_check_name": access.is_admin_of_parent(request.user, org),
    })  # fmt: skip


def _info_initial(org) -> dict:
    """The form's values: the secretary's name only; their ID number and mobile never go into the page."""
    data = {f: getattr(org, f) for f in (*info.OWN_FIELDS, *info.LOCKED_FIELDS, *info.SUPERIOR_FIELDS)}
    data = {k: ("" if v is None else v) for k, v in data.items()} | {"founded_on": org.founded}
    if org.secretary_id:
        data["secretary_name"] = org.secretary.name
    return data


@login_required
@require_POST
def org_info_reveal(request, pk: int):
    """htmx: the secretary's full ID number and mobile for the organisation's own admin; audited (orgs.queries)."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    card = queries.secretary_reveal(viewer=request.user, org=org, where="页面：组织信息")
    return render(request, "orgs/partials/secretary_revealed.html", {"card": card})


@login_required
def admins_manage(request, pk: int):
    """管理员变更 for one organisation (own: needs approval; direct subordinate: immediate)."""

    org = access.fetch_org(request.user, pk, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    admins = selectors.org_admin_people(org)
    admin_ids = {p.id for p in admins}
    candidates = [
        c
        for c in Cadre.objects.filter(org=org).select_related("person").order_by("person__name")
        if c.person_id not in admin_ids
    ]
    pending = AdminChange.objects.filter(org=org, status=AdminChange.Status.PENDING).select_related("person")
    return render(request, "orgs/admins.html", {
        "org": org, "admins": admins, "candidates": candidates, "pending": pending,
        "immediate": access.is_admin_of_parent(request.user, org),
    })  # fmt: skip


@login_required
@require_POST
def admin_change(request, pk: int, action: str):
    org = access.fetch_org(request.user, pk, access.MANAGE | access.MANAGE_AS_SUPERIOR)
    person = people_access.fetch_person(request.user, request.POST.get("person_id"))
    if action not in AdminChange.Action.values:
        raise Http404
    with refusal_as_message(request):
        change = admin_changes.admin_change_request(org=org, person=person, action=action, actor=request.user)
        verb = AdminChange.Action(action).label
        if change is None:
            messages.success(request, f"已{verb}：{person.name}。")
        else:
            messages.info(request, f"{verb}（{person.name}）的申请已提交，待直属上级组织管理员审批。")
    return redirect("orgs:admins", pk=org.pk)


@login_required
@require_POST
def admin_change_decide(request, pk: int, decision: str):
    change = admin_changes.get_change_for_approver_or_none(request.user, pk)
    if change is None or decision not in ("approve", "reject"):
        raise Http404
    with refusal_as_message(request):
        if decision == "approve":
            admin_changes.admin_change_approve(change=change, actor=request.user)
            messages.success(request, f"已批准：{change}。")
        else:
            admin_changes.admin_change_reject(change=change, actor=request.user, note=request.POST.get("note", ""))
            messages.info(request, f"已驳回：{change}。")
    return redirect("orgs:home")


@login_required
def progress_prompt(request):
    """S6: on login, how many direct subordinates have completed their information."""
    org = selectors.current_admin_org(request)
    if org is None:
        return redirect("people:me")
    done, total = selectors.children_progress(org)
    return render(request, "orgs/progress_prompt.html", {"org": org, "done": done, "total": total})


@login_required
@require_http_methods(["GET", "POST"])
def child_delete(request, pk: int):
    """U2 from 管理下级组织: the direct superior's admin deletes a subordinate. GET is the confirmation page,
    which says what this deletion does to this organisation (deletion.deletion_preview) and changes nothing."""
    child = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    if request.method == "GET":
        return _delete_confirm(request, child)
    end_posts = request.POST.get("end_posts") == "1"
    try:
        result = deletion.org_delete(org=child, actor=request.user, end_posts=end_posts)
    except DomainError as e:
        if e.code == "org_has_people":  # U2(3): list who still holds a post and ask once to end them all
            return _delete_confirm(request, child, message=e.message)
        messages.error(request, e.message)
    else:
        moved = f"，{result['moved']}名团员已移入待接转团支部" if result["moved"] else ""
        ended = f"，其{result['ended']}个管理员和团干部职务已结束" if result["ended"] else ""
        messages.success(request, f"已删除{child.short_name}{moved}{ended}。")
    return redirect("orgs:children", pk=child.parent_id)


def _delete_confirm(request, child, message: str = ""):
    return render(request, "orgs/delete_confirm.html", {
        "org": child, "preview": deletion.deletion_preview(child), "message": message,
    })  # fmt: skip
