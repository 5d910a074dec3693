"""The admin's 重置密码验证码 pages (SPEC U2): one code for a person, or a whole branch's codes as Excel.

They sit under /people/ beside the lists they are opened from and keep their names there
(`people:reset_code`, `people:reset_codes_branch`), but they belong to accounts: people sits below accounts in
the app order, so config/urls.py adds `people_paths` to the people namespace."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from excel.workbooks import xlsx_response
from orgs import access as org_access
from people import access

from . import reset


@login_required
@require_POST
def reset_code_issue(request, person_id: int):
    """htmx: one 重置密码验证码, shown once to the admin who hands it over."""
    person = access.fetch_person(request.user, person_id, access.RESET)
    issued = reset.reset_code_issue(person=person, actor=request.user)
    return render(request, "people/partials/reset_code.html", {"issued": issued})


@login_required
@require_http_methods(["GET", "POST"])
def reset_codes_branch(request, pk: int):
    """批量生成重置密码验证码: GET is the confirm step (how many members get a code, how many live codes it
    replaces) and changes nothing; the POST of its form issues the codes and downloads them."""
    branch = org_access.fetch_org(request.user, pk, org_access.MANAGE)
    if request.method == "GET":
        plan = reset.reset_codes_plan_branch(branch=branch, actor=request.user)
        return render(request, "people/reset_codes_confirm.html", {"branch": branch, "plan": plan})
    issued = reset.reset_codes_issue_branch(branch=branch, actor=request.user)
    return xlsx_response(reset.reset_codes_workbook(issued), reset.reset_codes_filename(branch))


# Added to the people namespace under /people/ by config/urls.py.
people_paths = [
    path("orgs/<int:pk>/reset-codes/", reset_codes_branch, name="reset_codes_branch"),
    path("<int:person_id>/reset-code/", reset_code_issue, name="reset_code"),
]
