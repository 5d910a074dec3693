from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from orgs.models import Org

from .validation import FIELD_LABELS


@login_required
def me(request):
    """个人中心: a person's own record, with their branch and posts."""
    person = request.user
    posts = person.cadre_posts.select_related("org").order_by("org__path")
    return render(
        request,
        "people/me.html",
        {
            "person": person,
            "branch": Org.objects.filter(pk=person.branch_id).first(),
            "posts": posts,
            "missing": [FIELD_LABELS[f] for f in person.missing_fields()],
        },
    )
