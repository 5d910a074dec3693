"""创建下级组织 (SPEC T5–T7): 单个创建 with the proposed 全称, and 批量创建 from the Excel template.

Batch creation is two steps: the upload is checked without writing
(preview), kept in a private temporary file under a random token held in
the session, and imported when the admin confirms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from core.normalize import clean_text
from imports import flow, workbooks

from . import access, batch, rules, selectors, services
from .children_forms import ChildCreateForm, ChildrenUploadForm


def _parent_or_403(request, pk: int):
    """404 for an organisation the user cannot see, 403 for one they see but do not administer."""
    parent = access.get_org_for_viewer_or_404(request.user, pk)
    if not access.can_manage(request.user, parent):
        raise PermissionDenied("只有本组织管理员可以创建直属下级组织。")
    return parent


def _page(request, parent, form=None, **context):
    categories = rules.creatable_categories(parent.category)
    form = form or ChildCreateForm(categories=categories)
    short_name = clean_text(form["short_name"].value())
    proposed = services.proposed_full_name(parent, short_name) if short_name else ""
    full_name = form["full_name"].value() if form.is_bound else proposed
    return render(
        request,
        "orgs/children_create.html",
        {
            "org": parent,
            "form": form,
            "categories": categories,
            "proposed": proposed,
            "full_name": full_name,
            "upload_form": ChildrenUploadForm(),
            "children": selectors.org_children(parent)[:200],
            **context,
        },
    )


def _import_area(request, parent, **context):
    """The batch card's result: a fragment for htmx, the whole page otherwise."""
    if request.htmx:
        return render(request, "orgs/partials/children_import.html", {"org": parent, **context})
    return _page(request, parent, **context)


@login_required
def children_create(request, pk: int):
    """单个创建: 简称 + 类别, the proposed 全称 shown for correction."""
    parent = _parent_or_403(request, pk)
    form = ChildCreateForm(request.POST or None, categories=rules.creatable_categories(parent.category))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create_child(parent=parent, actor=request.user, **form.cleaned_data)
        except DomainError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"已创建{org.category}“{org.short_name}”（{org.full_name}）。")
            return redirect("orgs:children_create", pk=parent.pk)
    return _page(request, parent, form)


@login_required
@require_GET
def children_proposal(request, pk: int):
    """htmx: the 全称 field, following the 简称 as typed unless the admin has corrected it."""
    parent = _parent_or_403(request, pk)
    short_name = clean_text(request.GET.get("short_name"))
    proposed = services.proposed_full_name(parent, short_name) if short_name else ""
    current = request.GET.get("full_name", "").strip()
    edited = current and current != request.GET.get("proposed", "").strip()
    context = {"org": parent, "proposed": proposed, "full_name": current if edited else proposed}
    return render(request, "orgs/partials/children_full_name.html", context)


@login_required
@require_GET
def children_template(request, pk: int):
    parent = _parent_or_403(request, pk)
    return workbooks.xlsx_response(
        batch.children_template(parent, actor=request.user), f"{batch.TEMPLATE_NAME}_{parent.short_name}.xlsx"
    )


def _run(request, parent):
    return lambda data, dry_run: batch.children_import(parent=parent, file=data, actor=request.user, dry_run=dry_run)


@login_required
@require_POST
def children_import_preview(request, pk: int):
    parent = _parent_or_403(request, pk)
    form = ChildrenUploadForm(request.POST, request.FILES)
    context = flow.preview(request, purpose=f"children:{parent.pk}", form=form, run=_run(request, parent))
    return _import_area(request, parent, **context)


@login_required
@require_POST
def children_import_confirm(request, pk: int):
    parent = _parent_or_403(request, pk)
    context = flow.confirm(request, purpose=f"children:{parent.pk}", run=_run(request, parent))
    return _import_area(request, parent, **context)


@login_required
@require_GET
def children_import_result(request, pk: int, token: str):
    """The result workbook: the uploaded rows with 结果 and 说明 beside each."""
    parent = _parent_or_403(request, pk)
    try:
        content = flow.result(request, purpose=f"children:{parent.pk}", token=token)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("orgs:children_create", pk=parent.pk)
    return workbooks.xlsx_response(content, f"批量创建下级组织结果_{parent.short_name}.xlsx")
