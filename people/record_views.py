"""修改团员信息: the branch admin edits a member's record, the fields P11 reserves for them included."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.exceptions import DomainError
from core.forms import add_domain_errors

from . import access, profile
from .models import Person
from .profile_forms import MemberRecordForm
from .validation import FIELD_LABELS


def _member_for_branch_admin_or_404(request, person_id: int) -> Person:
    """404 alike for a missing person and for anyone but their branch admin (superiors read only, P9)."""
    person = Person.objects.select_related("branch").filter(pk=person_id).first()
    if person is None or not access.can_manage_member(request.user, person):
        raise Http404("未找到该团员，或您不是其所在团支部的管理员。")
    return person


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, person_id: int):
    person = _member_for_branch_admin_or_404(request, person_id)
    form = MemberRecordForm.for_person(person, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            profile.member_record_update(person=person, actor=request.user, data=form.cleaned_data)
        except DomainError as e:
            add_domain_errors(form, e)
            person.refresh_from_db()
        else:
            messages.success(request, f"已保存{person.name}的信息。")
            return redirect("people:members", pk=person.branch_id)
    # The page shows the ID number and mobile masked; 显示 reveals them, audited (people.reveal).
    return render(request, "people/member_edit.html", {
        "person": person, "form": form, "missing": [FIELD_LABELS[f] for f in person.missing_fields()],
    })  # fmt: skip
