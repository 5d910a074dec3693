"""组织迁移 pages (SPEC U4): apply, follow the steps, approve or reject."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import picker
from core.exceptions import DomainError
from core.forms import add_domain_errors
from orgchanges import migration
from orgs import access
from orgs.models import Org
from web.orgs.forms import MigrationApplyForm


@login_required
def migration_page(request, pk: int):
    """申请组织迁移: the form and this organisation's requests with their steps."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    form = MigrationApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        to_parent = Org.objects.filter(pk=form.cleaned_data["to_parent_id"]).first()
        try:
            migration.migration_apply(
                org=org, to_parent=to_parent, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as e:
            add_domain_errors(form, e)
        else:
            messages.success(request, "迁移申请已提交，待原上级组织管理员审批。")
            return redirect("orgs:migrations", pk=org.pk)
    p = picker.Picker(field="to_parent_id", label="新上级组织", url=reverse("orgs:migration_targets", args=[org.pk]),
                      min_chars=2, placeholder="输入新上级组织名称中的关键词搜索")  # fmt: skip
    picker.build(p, search=lambda q: migration.migration_targets(org=org, query=q), to_choice=_target_choice,
                 chosen_ids=[form.data.get("to_parent_id")])  # fmt: skip
    return render(request, "orgs/migrations.html", {
        "org": org, "form": form, "p": p, "migrations": migration.migrations_of_org(org)[:50],
        "parent_categories": migration.allowed_parent_categories(org.category),
    })  # fmt: skip


@login_required
def migration_targets(request, pk: int):
    """htmx fragment: organisations the applicant may choose as the new superior (names only)."""
    org = access.fetch_org(request.user, pk, access.MANAGE)
    return picker.results(request, url=reverse("orgs:migration_targets", args=[org.pk]), min_chars=2,
                          search=lambda q: migration.migration_targets(org=org, query=q), to_choice=_target_choice,
                          empty="没有可以接收本组织的组织，请换个关键词。")  # fmt: skip


def _target_choice(org: Org) -> picker.Choice:
    return picker.Choice(id=org.pk, label=org.full_name, tag=org.category)


@login_required
def migration_detail(request, pk: int):
    m = migration.get_migration_for_viewer(request.user, pk)
    check = migration.full_name_check(m.org) if m.status == m.Status.DONE else None
    return render(request, "orgs/migration_detail.html", {
        "m": m, "my_turn": migration.is_my_turn(request.user, m), "waiting": migration.waiting_org(m),
        "can_withdraw": m.is_open and access.is_admin_of(request.user, m.org),
        "name_check": check if check is not None and check.pk == m.pk else None,
        "may_check_name": access.is_admin_of_parent(request.user, m.org),
    })  # fmt: skip


@login_required
@require_POST
def migration_action(request, pk: int, action: str):
    """approve / reject / withdraw, each a service call; refusals come back as messages."""
    m = migration.get_migration_for_viewer(request.user, pk)
    services = {
        "approve": lambda: migration.migration_approve(migration=m, actor=request.user, note=request.POST.get("note", "")),
        "reject": lambda: migration.migration_reject(migration=m, actor=request.user, reason=request.POST.get("reason", "")),
        "withdraw": lambda: migration.migration_withdraw(migration=m, actor=request.user),
    }  # fmt: skip
    if action == "full_name":  # after the move: the new superior confirms or corrects the 全称 (O2)
        return _full_name_confirm(request, m)
    if action not in services:
        raise Http404
    try:
        done = services[action]()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{done.org.short_name}的迁移申请：{done.status}。")
    return redirect("orgs:migration_detail", pk=m.pk)


def _full_name_confirm(request, m):
    try:
        org = migration.migration_full_name_confirm(
            migration=m, actor=request.user, full_name=request.POST.get("full_name", ""),
            descendants=request.POST.get("descendants") == "1",
        )  # fmt: skip
    except DomainError as e:
        messages.error(request, e.message)
    else:
        also = f"；{org.descendants_renamed}个下级组织的全称已一并更正" if org.descendants_renamed else ""
        messages.success(request, f"已确认{org.short_name}的组织全称：{org.full_name}{also}。")
    return redirect("orgs:migration_detail", pk=m.pk)
