"""团干部列表 and 录入本级团干部 of a committee (SPEC P3, P4, S7).

The organisation's admin and its direct superior's admin act; deeper
superiors see the list read-only with ID numbers and mobiles masked (§8,
P9). Batch entry is two steps like 批量创建: the upload is checked without
writing (preview), kept under a random token held in the session, and
imported when the admin confirms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import pii
from core.exceptions import DomainError
from core.forms import add_domain_errors
from imports import flow, workbooks
from orgs import access as org_access

from . import access, cadres, post_offers, selectors
from .cadre_forms import CadreForm, CadreUploadForm
from .choices import COMMITTEE_POSITIONS
from .models import Person, PostOffer
from .validation import FIELD_LABELS

PAGE_SIZE = 50


def _org_or_404(request, pk: int):
    org = org_access.get_org_for_viewer_or_404(request.user, pk)
    if org.is_branch:
        raise Http404("团支部的团干部随团员一起录入，请在团员列表中查看。")
    return org


def _managed_or_403(request, pk: int):
    """404 for an organisation the user cannot see, 403 for one they see but may not manage (P4, §8)."""
    org = _org_or_404(request, pk)
    if not access.can_manage_cadres(request.user, org):
        raise PermissionDenied("只有本组织或直属上级组织的管理员可以录入、删除和变更团干部。")
    return org


@login_required
@require_GET
def cadre_list(request, pk: int):
    """团干部列表: who is still incomplete (S7); full ID numbers and actions only for those who manage them."""
    org = org_access.get_org_for_viewer_or_404(request.user, pk)
    if org.is_branch:
        return redirect("people:members", pk=org.pk)
    manages = access.can_manage_cadres(request.user, org)
    complete = {"true": True, "false": False}.get(request.GET.get("complete", ""))
    page = Paginator(selectors.cadre_list(org, complete=complete), PAGE_SIZE).get_page(request.GET.get("page"))
    for post in page:  # masked for everyone but oneself; 显示 reveals one record, audited (people.reveal)
        _show(post.person, full=post.person_id == request.user.pk)
    offers = list(post_offers.offers_of_org(org)) if manages else []
    resettable = access.resettable_ids(request.user, [post.person for post in page]) if manages else set()
    return render(request, "people/cadres.html", {
        "org": org, "page": page, "manages": manages, "complete": request.GET.get("complete", ""),
        "positions": COMMITTEE_POSITIONS, "offers": offers, "resettable": resettable,
    })  # fmt: skip


def _show(person: Person, *, full: bool) -> None:
    person.id_shown = person.id_number if full else pii.mask_id_number(person.id_number)
    person.mobile_shown = person.mobile if full else pii.mask_mobile(person.mobile)
    person.missing_labels = [FIELD_LABELS[f] for f in person.missing_fields()]


def _page(request, org, form=None, **context):
    return render(request, "people/cadre_new.html", {
        "org": org, "form": form or CadreForm(), "upload_form": CadreUploadForm(),
        "template_name": cadres.TEMPLATE_NAME, **context,
    })  # fmt: skip


@login_required
def cadre_new(request, pk: int):
    """录入本级团干部, one at a time."""
    org = _managed_or_403(request, pk)
    form = CadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = cadres.cadre_add(
                org=org, person_data=form.person_data(), position=form.cleaned_data["position"], actor=request.user
            )
        except DomainError as e:
            add_domain_errors(form, e)
        else:
            if isinstance(post, PostOffer):
                messages.success(
                    request, f"已向{post.person.name}发出任职确认（{post.position}）。{post_offers.OFFER_SENT}"
                )
            else:
                messages.success(request, f"已录入本级团干部：{post.person.name}（{post.position}）。")
            return redirect("people:cadre_new", pk=org.pk)
    return _page(request, org, form)


@login_required
@require_GET
def cadre_template(request, pk: int):
    org = _managed_or_403(request, pk)
    return workbooks.xlsx_response(cadres.cadre_template(org), f"{cadres.TEMPLATE_NAME}_{org.short_name}.xlsx")


def _import_area(request, org, **context):
    if request.htmx:
        return render(request, "people/partials/cadre_import.html", {"org": org, **context})
    return _page(request, org, **context)


def _run(request, org):
    return lambda data, dry_run: cadres.cadre_import(org=org, file=data, actor=request.user, dry_run=dry_run)


@login_required
@require_POST
def cadre_import_preview(request, pk: int):
    org = _managed_or_403(request, pk)
    form = CadreUploadForm(request.POST, request.FILES)
    context = flow.preview(request, purpose=f"cadres:{org.pk}", form=form, run=_run(request, org))
    return _import_area(request, org, **context)


@login_required
@require_POST
def cadre_import_confirm(request, pk: int):
    org = _managed_or_403(request, pk)
    return _import_area(request, org, **flow.confirm(request, purpose=f"cadres:{org.pk}", run=_run(request, org)))


@login_required
@require_GET
def cadre_import_result(request, pk: int, token: str):
    """The result workbook: the uploaded rows with 结果 and 说明 beside each."""
    org = _managed_or_403(request, pk)
    try:
        content = flow.result(request, purpose=f"cadres:{org.pk}", token=token)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("people:cadre_new", pk=org.pk)
    return workbooks.xlsx_response(content, f"本级团干部导入结果_{org.short_name}.xlsx")


def _person_or_404(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("未找到该人员。")
    return person


def _back_to_list(request, org):
    url = reverse("people:cadres", args=[org.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def cadre_delete(request, pk: int, person_id: int):
    """删除 a cadre who left (P4); admins and the registered secretary are refused with the reason."""
    org = _managed_or_403(request, pk)
    person = _person_or_404(person_id)
    try:
        cadres.cadre_remove(org=org, person=person, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已删除团干部：{person.name}。其个人信息仍保留（如为团员，不受影响）。")
    return _back_to_list(request, org)


@login_required
@require_POST
def cadre_position(request, pk: int, person_id: int):
    """团干部职务变更 (P4)."""
    org = _managed_or_403(request, pk)
    person = _person_or_404(person_id)
    try:
        post = cadres.cadre_change_position(
            org=org, person=person, position=request.POST.get("position", ""), actor=request.user
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{person.name}的职务已变更为：{post.position}。")
    return _back_to_list(request, org)
