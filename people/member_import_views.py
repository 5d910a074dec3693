"""录入团员团干部 and 录入下级支部成员 (SPEC P5, P6): template → upload → preview → confirm → result.

Files up to settings.IMPORT_BACKGROUND_ROWS rows are checked and imported
within the request, as the children import does; larger ones become an
ImportJob whose progress page (imports.views) the admin watches, and which
goes on when the page is closed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from imports import flow, jobs, uploads, workbooks
from imports.models import ImportJob
from imports.views import job_context
from orgs import access as org_access
from orgs.children_forms import ChildrenUploadForm
from orgs.models import Org
from orgs.rules import BRANCHES

from . import access, member_import


def _branch_or_403(request, pk: int) -> Org:
    """404 for what the user cannot see (or a committee), 403 for a branch they see but may not enter into."""
    branch = org_access.get_org_for_viewer_or_404(request.user, pk)
    if not branch.is_branch:
        raise Http404("只有团支部可以录入团员。")
    if not access.can_enter_members(request.user, branch):
        raise PermissionDenied("只有本支部管理员或直属上级组织管理员可以录入团员团干部。")
    return branch


def _area(request, branch, **context):
    """The import card's result: a fragment for htmx, the whole page otherwise."""
    context = {"org": branch, **context}
    if request.htmx:
        return render(request, "people/partials/member_import.html", context)
    return _page(request, branch, **context)


def _page(request, branch, **context):
    recent = ImportJob.objects.filter(created_by=request.user, org=branch, kind="member_import").order_by("-pk")[:5]
    return render(request, "people/member_import.html", {
        "org": branch, "upload_form": ChildrenUploadForm(), "recent": recent,
        "as_superior": not org_access.is_admin_of(request.user, branch),
        "max_rows": member_import.MAX_ROWS, "background_rows": jobs.background_rows(), **context,
    })  # fmt: skip


def _outcome(request, branch, outcome, *, token: str = ""):
    if isinstance(outcome, ImportJob):
        return _area(request, branch, **job_context(outcome))
    result = uploads.stash(request, purpose=f"members-result:{branch.pk}", content=workbooks.result_workbook(outcome))
    return _area(request, branch, report=outcome, token=token, result_token=result)


@login_required
def member_import_page(request, pk: int):
    return _page(request, _branch_or_403(request, pk))


@login_required
def subordinate_branches(request, pk: int):
    """录入下级支部成员: pick one of the organisation's direct subordinate branches."""
    org = org_access.get_org_for_viewer_or_404(request.user, pk)
    if not org_access.can_manage(request.user, org):
        raise PermissionDenied("只有本组织管理员可以录入下级支部成员。")
    branches = list(Org.objects.filter(parent=org, category__in=BRANCHES).order_by("sort_order", "pk"))
    return render(request, "people/member_import_pick.html", {"org": org, "branches": branches})


@login_required
@require_GET
def member_template(request, pk: int):
    branch = _branch_or_403(request, pk)
    return workbooks.xlsx_response(
        member_import.member_template(branch), f"{member_import.TEMPLATE_NAME}_{branch.short_name}.xlsx"
    )


@login_required
@require_POST
def member_import_preview(request, pk: int):
    """Check the upload row by row and write nothing; large files are checked in the background."""
    branch = _branch_or_403(request, pk)
    form = ChildrenUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _area(request, branch, import_error=form.errors["file"][0])
    try:
        data = flow.receive(request, form.cleaned_data["file"])
        outcome = member_import.member_import_start(branch=branch, file=data, actor=request.user, dry_run=True)
    except DomainError as e:
        return _area(request, branch, import_error=e.message)
    token = (
        ""
        if isinstance(outcome, ImportJob)
        else uploads.stash(request, purpose=f"members-upload:{branch.pk}", content=data)
    )
    return _outcome(request, branch, outcome, token=token)


@login_required
@require_POST
def member_import_confirm(request, pk: int):
    """Import the file checked in the preview (kept under a token, or by the preview's job)."""
    branch = _branch_or_403(request, pk)
    token = request.POST.get("token", "")
    try:
        if request.POST.get("job"):
            job = jobs.job_get_for_user(request.user, int(request.POST["job"]))
            if job.org_id != branch.pk or job.kind != "member_import":
                raise Http404
            data = jobs.load_file(job.file_token)
        else:
            data = uploads.load(request, token, purpose=f"members-upload:{branch.pk}")
        outcome = member_import.member_import_start(branch=branch, file=data, actor=request.user, dry_run=False)
    except (DomainError, ValueError) as e:
        return _area(request, branch, import_error=getattr(e, "message", "请重新上传文件。"))
    if token:
        uploads.discard(request, token)
    return _outcome(request, branch, outcome)


@login_required
@require_GET
def member_import_result(request, pk: int, token: str):
    branch = _branch_or_403(request, pk)
    try:
        content = uploads.load(request, token, purpose=f"members-result:{branch.pk}")
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("people:member_import", pk=branch.pk)
    return workbooks.xlsx_response(content, f"团员团干部导入结果_{branch.short_name}.xlsx")
