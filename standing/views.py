"""团籍状态 pages (SPEC-2 ST): the 应离团 list with one-click requests (ST2), the status-change form (ST1), the
离团团员 list with 恢复团籍 (ST3), and one request's page. Thin callers of standing.services; the approval itself
is on the engine's process page (workflow), which links here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.pages import refusal_as_message, refusal_on_form
from orgs import access
from orgs.selectors import fetch_acting_org
from people import access as people_access
from people.queries import masked_numbers
from workflow import engine

from . import selectors, services
from .forms import RestoreForm, StatusChangeForm
from .models import StatusChange

PAGE_SIZE = 50


@login_required
def start(request):
    """Menu entry: the acting organisation's 应离团 list."""
    return redirect("standing:overage", pk=fetch_acting_org(request).pk)


def _rows(people, actor, *, may=None):
    today = timezone.localdate()
    return [{"person": p, "id_number": masked_numbers(p).id_number, "age": p.age_on(today),
             "may": may(actor, p) if may else False} for p in people]  # fmt: skip


@login_required
def overage(request, pk: int):
    org = access.fetch_org(request.user, pk)
    page = Paginator(selectors.overage_members(org), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _rows(page, request.user, may=services.may_request_change)
    return render(request, "standing/overage.html", {"org": org, "page": page, "rows": rows,
                                                     "may_any": any(r["may"] for r in rows)})  # fmt: skip


@login_required
@require_POST
def overage_request(request, pk: int):
    """One click: 超龄离团 for the members ticked (or the one button's member), all or nothing."""
    org = access.fetch_org(request.user, pk)
    ids = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("person_ids")
    ids = [i for i in ids if i.isdigit()]
    with refusal_as_message(request):
        done = services.overage_request(org=org, actor=request.user, person_ids=[int(i) for i in ids])
        messages.success(request, f"已提交{len(done)}人的超龄离团申请，等待上级审核。")
    return redirect("standing:overage", pk=org.pk)


@login_required
def left(request, pk: int):
    org = access.fetch_org(request.user, pk)
    page = Paginator(selectors.left_members(org), PAGE_SIZE).get_page(request.GET.get("page"))
    may_restore = selectors.restore_branches(request.user).exists()
    rows = _rows(page, request.user)
    return render(request, "standing/left.html", {"org": org, "page": page, "rows": rows, "may_restore": may_restore})


def _request_page(request, template: str, person, form, make_request, done):
    """A request about one person (a status change, a restore): on a valid POST the service, then the request's
    page; otherwise the form, the person's number masked."""
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            change = make_request(form.cleaned_data)
            messages.success(request, done(change))
            return redirect("standing:change", pk=change.pk)
    return render(request, template, {"person": person, "form": form, "id_number": masked_numbers(person).id_number})


@login_required
def change_form(request, pk: int):
    person = people_access.fetch_person(request.user, pk)
    return _request_page(
        request, "standing/change_form.html", person, StatusChangeForm(request.POST or None),
        lambda data: services.status_change_request(person=person, actor=request.user, **data),
        lambda change: f"已提交{person.name}的{change.to_status}申请，等待上级审核。",
    )  # fmt: skip


@login_required
def restore_form(request, pk: int):
    person = people_access.fetch_person(request.user, pk)
    if not person.has_left:
        raise Http404
    branches = {b.pk: b for b in selectors.restore_branches(request.user)}
    return _request_page(
        request, "standing/restore_form.html", person, RestoreForm(request.POST or None, branches=list(branches.values())),
        lambda data: services.restore_request(person=person, actor=request.user, branch=branches[data["branch"]],
                                              reason=data["reason"]),
        lambda change: f"已提交{person.name}的恢复团籍申请，等待{change.branch.parent.short_name}审核。",
    )  # fmt: skip


@login_required
def change_detail(request, pk: int):
    change = get_object_or_404(StatusChange.objects.select_related("person", "process", "requested_by"), pk=pk)
    if not engine.definition_of(change.process).may_view(request.user, change.process):
        raise Http404
    return render(request, "standing/change.html", {"change": change,
                                                    "id_number": masked_numbers(change.person).id_number})  # fmt: skip
