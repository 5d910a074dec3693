"""团干部列表 and 录入本级团干部 of a committee, 团干部职务变更 of a committee or a branch (SPEC P3, P4, S7).

Each organisation's own admin enters its 本级团干部 (P3); its admin and its
direct superior's admin delete them and change their posts (P4); deeper
superiors see the list read-only with ID numbers and mobiles masked (§8,
P9). A branch's cadres are its members holding a branch post: 团干部职务变更
of a branch lists its members and changes their posts (people.cadres.branch_position_change). Batch entry is the import framework's card (imports.views, kind
cadre_import): checked without writing, then imported when the admin confirms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.exceptions import DomainError
from core.pages import refusal_as_message, refusal_on_form
from core.replicas import replica_view
from imports import importer
from imports.views import card_context
from orgs import access as org_access
from people import access, cadres, post_offers, queries, selectors
from people.choices import BRANCH_POSITIONS, COMMITTEE_POSITIONS
from people.models import Cadre, Person, PostOffer
from people.validation import FIELD_LABELS
from web.people.cadre_forms import CadreForm

PAGE_SIZE = 50


# P4: the organisation's own admin or its direct superior's admin change and delete its cadres.
MANAGE_CADRES = org_access.MANAGE | org_access.MANAGE_AS_SUPERIOR


@login_required
@require_GET
@replica_view
def cadre_list(request, pk: int):
    """团干部列表: who is still incomplete (S7); full ID numbers and actions only for those who manage them."""
    org = org_access.fetch_org(request.user, pk)
    if org.is_branch:
        return redirect("people:members", pk=org.pk)
    manages = access.can_manage_cadres(request.user, org)
    complete = {"true": True, "false": False}.get(request.GET.get("complete", ""))
    page = Paginator(selectors.cadre_list(org, complete=complete), PAGE_SIZE).get_page(request.GET.get("page"))
    for post in page:  # masked for everyone but oneself; 显示 reveals one record, audited (people.queries)
        post.person.numbers = queries.person_numbers(viewer=request.user, person=post.person)
        post.person.missing_labels = [FIELD_LABELS[f] for f in post.person.missing_fields()]
    enters = access.can_enter_cadres(request.user, org)  # P3: its own admin only
    offers = list(post_offers.offers_of_org(org)) if manages else []
    resettable = access.resettable_ids(request.user, [post.person for post in page]) if manages else set()
    return render(request, "people/cadres.html", {
        "org": org, "page": page, "manages": manages, "enters": enters, "complete": request.GET.get("complete", ""),
        "positions": COMMITTEE_POSITIONS, "offers": offers, "resettable": resettable,
    })  # fmt: skip


def page(request, org, form=None, **context):
    """录入本级团干部: one at a time, and the import card (imports.views, kind cadre_import)."""
    context = card_context(request, importer.get("cadre_import"), org, form=form or CadreForm(), **context)
    return render(request, "people/cadre_new.html", context)


@login_required
def cadre_new(request, pk: int):
    """录入本级团干部, one at a time: the organisation's own admin only (P3; a superior gets 403 saying so)."""
    org = org_access.fetch_org(request.user, pk, MANAGE_CADRES, branch=False)
    cadres.require_cadre_entry(request.user, org)
    form = CadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            post = cadres.cadre_add(
                org=org, person_data=form.person_data(), position=form.cleaned_data["position"], actor=request.user
            )
            if isinstance(post, PostOffer):
                messages.success(
                    request, f"已向{post.person.name}发出任职确认（{post.position}）。{post_offers.OFFER_SENT}"
                )
            else:
                messages.success(request, f"已录入本级团干部：{post.person.name}（{post.position}）。")
            return redirect("people:cadre_new", pk=org.pk)
    return page(request, org, form)


def _back_to_list(request, org):
    url = reverse("people:cadres", args=[org.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def cadre_delete(request, pk: int, person_id: int):
    """删除 a cadre who left (P4); admins and the registered secretary are refused with the reason."""
    org = org_access.fetch_org(request.user, pk, MANAGE_CADRES, branch=False)
    person = access.fetch_person(request.user, person_id)
    with refusal_as_message(request):
        cadres.cadre_remove(org=org, person=person, actor=request.user)
        messages.success(request, f"已删除团干部：{person.name}。其个人信息仍保留（如为团员，不受影响）。")
    return _back_to_list(request, org)


@login_required
@require_GET
def cadre_positions(request, pk: int):
    """团干部职务变更 (P4). A committee's is on its 团干部列表; a branch's lists its members with their posts."""
    org = org_access.fetch_org(request.user, pk, MANAGE_CADRES)
    if not org.is_branch:
        return redirect("people:cadres", pk=org.pk)
    return _branch_positions_page(request, org)


def _branch_positions_page(request, branch, *, status: int = 200, **context):
    query = request.GET.get("q", "").strip()[:20]
    members = Person.objects.filter(branch=branch)
    if query:
        members = members.filter(name__contains=query)
    posts = dict(Cadre.objects.filter(org=branch).values_list("person_id", "position"))
    holders = [p for p in Person.objects.filter(pk__in=posts).order_by("name")]
    page = Paginator(members.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        person.position = posts.get(person.pk, "")
        person.label = cadres.branch_post_label(person.position)
    for person in holders:
        person.label = cadres.branch_post_label(posts[person.pk])
    holders.sort(key=lambda p: BRANCH_POSITIONS.index(posts[p.pk]) if posts[p.pk] in BRANCH_POSITIONS else 99)
    context = {
        "branch": branch, "page": page, "q": query, "holders": holders, "positions": BRANCH_POSITIONS,
        "is_own_admin": org_access.is_admin_of(request.user, branch), **context,
    }  # fmt: skip
    return render(request, "people/branch_positions.html", context, status=status)


@login_required
@require_POST
def cadre_position(request, pk: int, person_id: int):
    """团干部职务变更 (P4); for a branch, naming a new 书记 asks what the old one becomes (one 书记 per branch)."""
    org = org_access.fetch_org(request.user, pk, MANAGE_CADRES)
    person = access.fetch_person(request.user, person_id)
    previous = request.POST.get("previous_position") if org.is_branch else None
    try:
        post = cadres.cadre_change_position(
            org=org,
            person=person,
            position=request.POST.get("position", ""),
            actor=request.user,
            previous_position=previous,
        )
    except DomainError as e:
        if org.is_branch and e.code == "secretary_taken":
            return _branch_positions_page(request, org, status=409, handover={"person": person, "message": e.message})
        messages.error(request, e.message)
    else:
        if org.is_branch:
            label = cadres.branch_post_label(post.position if post else "")
            messages.success(
                request,
                f"{person.name}的团内职务已变更为：{label}。"
                + ("如需由其担任本支部管理员，请在“管理员变更”中添加。" if post and post.position == "书记" else ""),
            )
        else:
            messages.success(request, f"{person.name}的职务已变更为：{post.position}。")
    if org.is_branch:
        url = reverse("people:cadre_positions", args=[org.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _back_to_list(request, org)
