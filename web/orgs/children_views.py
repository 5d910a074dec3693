"""创建下级组织 (SPEC T5–T7): 单个创建 with the proposed 全称, and 批量创建 from the Excel template.

Batch creation is the import framework's card (imports.views, kind
children_import): checked without writing, then created when the admin confirms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.exceptions import DomainError
from core.normalize import clean_text
from imports import importer
from imports.views import card_context
from orgs import access, rules, selectors, services
from web.orgs.children_forms import ChildCreateForm


def page(request, parent, form=None, **context):
    """单个创建, and the import card of 批量创建 (imports.views, kind children_import)."""
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
            "children": selectors.org_children(parent)[:200],
            **card_context(request, importer.get("children_import"), parent, **context),
        },
    )


@login_required
def children_create(request, pk: int):
    """单个创建: 简称 + 类别, the proposed 全称 shown for correction."""
    parent = access.fetch_org(request.user, pk, access.MANAGE)
    form = ChildCreateForm(request.POST or None, categories=rules.creatable_categories(parent.category))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create_child(parent=parent, actor=request.user, **form.cleaned_data)
        except DomainError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"已创建{org.category}“{org.short_name}”（{org.full_name}）。")
            return redirect("orgs:children_create", pk=parent.pk)
    return page(request, parent, form)


@login_required
@require_GET
def children_proposal(request, pk: int):
    """htmx: the 全称 field, following the 简称 as typed unless the admin has corrected it."""
    parent = access.fetch_org(request.user, pk, access.MANAGE)
    short_name = clean_text(request.GET.get("short_name"))
    proposed = services.proposed_full_name(parent, short_name) if short_name else ""
    current = request.GET.get("full_name", "").strip()
    edited = current and current != request.GET.get("proposed", "").strip()
    context = {"org": parent, "proposed": proposed, "full_name": current if edited else proposed}
    return render(request, "orgs/partials/children_full_name.html", context)
