from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.pages import form_saved
from people import post_offers, profile
from people.validation import FIELD_LABELS
from web.people.profile_forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    """个人中心: a person's own record; they complete their own fields, the P11 ones stay read-only."""
    person = request.user
    form = ProfileForm.for_person(person, data=request.POST if request.method == "POST" else None)
    save = partial(profile.profile_update, person=person, actor=request.user)
    if form_saved(request, form, save, "个人信息已保存。"):
        return redirect("people:me")
    return render(request, "people/me.html", {
        "person": person, "form": form, "reserved_note": profile.RESERVED_NOTE,
        "branch": person.branch,
        "posts": person.cadre_posts.select_related("org").order_by("org__path"),
        "missing": [FIELD_LABELS[f] for f in person.missing_fields()],
        "offers": list(post_offers.offers_for_person(person)),
    })  # fmt: skip
