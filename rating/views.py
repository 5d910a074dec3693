"""对标定级 pages (SPEC-2 DJ): the committee's page (rounds, the review of its direct subordinates, statistics)
and each rated organisation's page (its self-rating and review). Thin callers of rating.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.dates import year_or_current
from core.pages import refusal_as_message, refusal_on_form
from exports.views import table_pages
from orgs import access
from orgs.rules import BRANCHES
from orgs.selectors import fetch_acting_org, visible_ancestors

from . import exports, rules, selectors, services
from .forms import ReviewForm, RoundForm, SelfRatingForm

PAGE_SIZE = 50


def _home_url(org, year: int) -> str:
    return f"{reverse('rating:home', args=[org.pk])}?year={year}"


@login_required
def start(request):
    """Menu entry: the acting organisation's page."""
    return redirect("rating:home", pk=fetch_acting_org(request).pk)


@login_required
def home(request, pk: int, round_form: RoundForm | None = None, year: int | None = None):
    org = access.fetch_org(request.user, pk)
    year = year or year_or_current(request.GET.get("year"))
    manages = access.is_admin_of(request.user, org)
    context = {"org": org, "year": year, "rounds": services.rounds_for(org=org), "manages": manages,
               "own": services.rating_view(org=org, actor=request.user, year=year) if org.category in rules.RATED
               else None}  # fmt: skip
    if not org.is_branch:
        context["reviewing"] = selectors.review_list(reviewer=org, year=year) if manages else None
        context["shares"] = rules.shares_for(org, year)
        counts = services.share_counts(org, year)
        top_limit, five_limit = context["shares"].limits(counts["base"])
        context["counts"] = {**counts, "top_limit": top_limit, "five_limit": five_limit}
        context["hollow"] = selectors.hollow_direct(org) if manages else []
        context["review_form"] = ReviewForm()
        if manages and round_form is None:
            today = timezone.localdate()
            round_form = RoundForm(initial={"year": year, "starts_on": today, "top_share": 30})
        context["round_form"] = round_form
    return render(request, "rating/home.html", context)


@login_required
@require_POST
def round_open(request, pk: int):
    org = access.fetch_org(request.user, pk, access.MANAGE)
    form = RoundForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            rnd = services.round_open(org=org, actor=request.user, **form.cleaned_data)
            messages.success(request, f"已开启{rnd.year}年度对标定级，下级团支部和团总支可以自评。")
            return redirect(_home_url(org, rnd.year))
    return home(request, pk, round_form=form, year=form.cleaned_data.get("year") if form.is_bound else None)


@login_required
def org_page(request, pk: int, year: int, self_form: SelfRatingForm | None = None, review_form=None):
    org = access.fetch_org(request.user, pk)
    view = services.rating_view(org=org, actor=request.user, year=year)
    rating = view.rating
    if view.may_self_rate and self_form is None:
        initial = {"founded_on": org.founded, "party_applicants": 0}
        if rating:
            initial = {
                f: getattr(rating, f) for f in ("founded_on", "last_election_on", "party_applicants", "key_project")
            }
            initial.update(level=rating.self_level, reason=rating.self_reason)
        self_form = SelfRatingForm(initial=initial)
    if view.may_review and review_form is None:
        review_form = ReviewForm(initial={"level": rating.reviewed_level or rating.self_level} if rating else None)
    process = rating.process if rating and rating.process_id else None
    return render(request, "rating/org.html", {
        "org": org, "year": year, "view": view, "rating": rating, "self_form": self_form,
        "review_form": review_form, "process": process, "key_min": rules.KEY_PROJECT_MIN,
        "key_max": rules.KEY_PROJECT_MAX, "is_branch_kind": org.category in BRANCHES,
    })  # fmt: skip


@login_required
@require_POST
def self_rate(request, pk: int, year: int):
    org = access.fetch_org(request.user, pk, access.MANAGE)
    form = SelfRatingForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            rating = services.self_rate(org=org, actor=request.user, year=year, **form.cleaned_data)
            left = services.changes_left(rating)
            messages.success(request, f"自评已保存并提交上级复核（复核前还可修改{left}次）。")
            return redirect("rating:org", pk=org.pk, year=year)
    return org_page(request, pk, year, self_form=form)


@login_required
@require_POST
def review(request, pk: int, year: int):
    """复核 from the organisation's page, or from the reviewer's list (`next=list`: back there, the outcome as a
    message)."""
    org = access.fetch_org(request.user, pk, access.MANAGE_AS_SUPERIOR)
    form = ReviewForm(request.POST)
    if request.POST.get("next") == "list":
        if not form.is_valid():
            messages.error(request, f"{org.short_name}：请选择复核等级。")
        with refusal_as_message(request):
            if form.is_valid():
                services.review(org=org, actor=request.user, year=year, **form.cleaned_data)
                messages.success(request, f"已复核：{org.short_name} {form.cleaned_data['level']}。")
        return redirect(_home_url(org.parent, year))
    if form.is_valid():
        with refusal_on_form(form):
            services.review(org=org, actor=request.user, year=year, **form.cleaned_data)
            messages.success(request, f"已复核：{org.short_name} {form.cleaned_data['level']}。")
            return redirect("rating:org", pk=pk, year=year)
    return org_page(request, pk, year, review_form=form)


# DJ7, with the 重点整顿 list (DJ2) below the statistics.
stats, stats_xlsx = table_pages(
    "rating/stats.html", fetch=access.fetch_org, table=selectors.stats, export=exports.rating_export,
    crumbs=visible_ancestors, listing=("weak", selectors.rectification_list),
)  # fmt: skip
