"""修改团员信息: the branch admin edits a member's record, the fields P11 reserves for them included."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.pages import form_saved
from people import access, profile, queries
from people.validation import FIELD_LABELS
from web.people.profile_forms import MemberRecordForm


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, person_id: int):
    # 404 alike for a missing person and for anyone but their branch admin (superiors read only, P9).
    person = access.fetch_person(request.user, person_id, access.MANAGE_MEMBER)
    form = MemberRecordForm.for_person(person, data=request.POST if request.method == "POST" else None)
    save = partial(profile.member_record_update, person=person, actor=request.user)
    if form_saved(request, form, save, f"已保存{person.name}的信息。"):
        return redirect("people:members", pk=person.branch_id)
    if form.errors:  # a refused save may have changed the person in memory: the page shows what is stored
        person.refresh_from_db()
    # The page shows the ID number and mobile masked; 显示 reveals them, audited (people.queries).
    person.numbers = queries.person_numbers(viewer=request.user, person=person)
    return render(request, "people/member_edit.html", {
        "person": person, "form": form, "missing": [FIELD_LABELS[f] for f in person.missing_fields()],
    })  # fmt: skip
