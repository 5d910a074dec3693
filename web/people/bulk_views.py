"""Bulk work of SPEC §7: 查找人员 by a pasted list, 导出团员名单 of a whole subtree."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.exceptions import DomainError
from core.forms import add_domain_errors
from core.pages import refusal_on_form
from exports.views import respond
from orgs import access as org_access
from orgs.selectors import current_admin_org
from people import export, search


class SearchForm(forms.Form):
    query = forms.CharField(
        label="姓名或身份证号码",
        max_length=40000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "张三\n李四\n320102200001010011"}),
        help_text=f"每行一个，也可用逗号、顿号、空格分隔；一次最多{search.MAX_TOKENS}个。18位身份证号码按号码查找，其余按姓名精确查找。",
        error_messages={"required": "请粘贴要查找的姓名或身份证号码。"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def people_search(request):
    """查找人员 within the acting organisation's subtree; POST keeps ID numbers out of URLs and logs."""
    org = current_admin_org(request)
    if org is None:
        raise Http404("只有团组织管理员可以查找人员。")
    form = SearchForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_valid():
        with refusal_on_form(form):
            result = search.people_search(actor=request.user, org=org, names_or_ids=form.cleaned_data["query"])
    context = {"org": org, "form": form, "result": result}
    if request.htmx:
        return render(request, "people/partials/search_results.html", context)
    return render(request, "people/search.html", context)


class FullExportForm(forms.Form):
    reason = forms.CharField(
        label="导出用途",
        max_length=export.REASON_MAX,
        help_text="例如：报送上级团委核对团员信息。用途会记入操作记录，并与导出人、导出时间一起写入文件的“说明”工作表。",
        error_messages={
            "required": export.REASON_REQUIRED,
            "max_length": f"用途最多{export.REASON_MAX}个字，请简要填写。",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_export(request, pk: int):
    """导出团员名单: one workbook for the whole subtree; 404 for an organisation the user cannot see.

    GET: ID numbers and mobiles masked, no questions asked. POST with a reason (导出完整名单): in full in the
    rows of the branches the user administers, audited with the reason (people.export). A subtree above
    settings.EXPORT_BACKGROUND_ROWS members is written by the background worker: the answer is its job page
    (a progress bar, then the download)."""
    org = org_access.fetch_org(request.user, pk)
    if request.method != "POST":
        return respond(export.members_export(actor=request.user, org=org))
    form = FullExportForm(request.POST)
    if not form.is_valid():
        return render(request, "people/export_full.html", {"org": org, "form": form}, status=400)
    try:
        outcome = export.members_export(actor=request.user, org=org, full=True, reason=form.cleaned_data["reason"])
    except DomainError as e:
        add_domain_errors(form, e)
        return render(request, "people/export_full.html", {"org": org, "form": form}, status=e.status)
    return respond(outcome)
