"""Every change to the organisation tree goes through here (SPEC T3–T7)."""

from django.db import IntegrityError, transaction

from audit.services import audit_record
from core.exceptions import Conflict, DomainError
from core.normalize import clean_text

from . import access, rules
from .models import Org
from .rules import Category


def proposed_full_name(parent: Org, short_name: str) -> str:
    """T6: the system proposes parent's 全称 + 简称; the creator may correct it."""
    return parent.full_name + short_name


def new_child_errors(parent: Org, *, short_name: str, category: str, full_name: str) -> list[DomainError]:
    """T3 and T7 for a direct subordinate an admin creates, every error at once; no database.

    `org_create_child` raises the first; the children import (imports.importers.children) reports them all.
    """
    creatable = rules.creatable_categories(parent.category)
    allowed = "、".join(creatable)
    errors = []
    if not category:
        errors.append(DomainError(f"请填写组织类别：请从下拉列表中选择（可选：{allowed}）。", code="bad_category"))
    elif category in rules.SYSTEM_CATEGORIES:
        errors.append(
            DomainError(f"{category}不能由管理员创建。请把组织类别改为：{allowed}中的一项。", code="placement")
        )
    else:
        try:
            rules.check_placement(parent.category, category)
        except DomainError as e:
            errors.append(e)
    try:
        rules.check_short_name(short_name, category if category in creatable else "")
    except DomainError as e:
        errors.append(e)
    if len(full_name) > 200:
        errors.append(DomainError("组织全称不能超过200个字，请缩短。", code="full_name_too_long"))
    return errors


@transaction.atomic
def org_create_root(*, short_name: str, full_name: str | None = None, actor=None) -> Org:
    if Org.objects.filter(depth=1).exists():
        raise Conflict("根组织已经存在，不能重复创建。", code="root_exists")
    org = Org.objects.add_root(
        instance=Org(category=Category.LEADING, short_name=short_name, full_name=full_name or short_name)
    )
    audit_record(actor=actor, verb="创建根组织", target=org, org=org)
    return org


@transaction.atomic
def org_create_child(
    *,
    parent: Org,
    short_name: str,
    category: str,
    full_name: str | None = None,
    sort_order: int | None = None,
    actor=None,
    by_operator: bool = False,
) -> Org:
    """Create a direct subordinate of `parent`.

    Admins may create only the categories of `rules.creatable_categories`;
    the operator (loading leading bodies) and the system (pending-transfer
    branches) pass `by_operator=True`.
    """
    if not by_operator:
        access.require_manage(actor, parent, as_parent=False, action="创建直属下级组织")
    short_name = clean_text(short_name)
    full_name = clean_text(full_name) or proposed_full_name(parent, short_name)
    if by_operator:
        rules.check_placement(parent.category, category)
    else:
        errors = new_child_errors(parent, short_name=short_name, category=category, full_name=full_name)
        if errors:
            raise errors[0]
    if Org.objects.filter(parent=parent, short_name=short_name).exists():
        raise Conflict(f"{parent.short_name}下已有名为“{short_name}”的组织，同级组织不能重名。", code="duplicate_name")
    if sort_order is None:
        sort_order = (parent.numchild or 0) + 1
    try:
        with transaction.atomic():
            org = Org.objects.add_child(
                parent,
                instance=Org(
                    parent=parent,
                    category=category,
                    short_name=short_name,
                    full_name=full_name,
                    sort_order=sort_order,
                ),
            )
    except IntegrityError:
        raise Conflict(
            f"{parent.short_name}下已有名为“{short_name}”的组织，同级组织不能重名。", code="duplicate_name"
        ) from None
    audit_record(
        actor=actor,
        verb="创建下级组织",
        target=org,
        org=parent,
        changes={"short_name": short_name, "category": category, "full_name": full_name},
    )
    return org


@transaction.atomic
def children_reorder(*, parent: Org, ordered_ids: list[int], actor) -> None:
    """组织排序: the admin of `parent` sets the order of its direct subordinates."""
    access.require_manage(actor, parent, as_parent=False, action="调整直属下级组织的排序")
    # The 待接转团支部 (U2) takes no part: it keeps its place after every ordinary subordinate.
    children = {
        c.id: c for c in Org.objects.select_for_update().filter(parent=parent).exclude(category=Category.PENDING)
    }
    if set(ordered_ids) != set(children) or len(ordered_ids) != len(children):
        raise DomainError(
            "排序列表必须恰好包含全部直属下级组织（待接转团支部除外，它总是列在最后），各一次。", code="bad_order"
        )
    changed = []
    for position, org_id in enumerate(ordered_ids, start=1):
        child = children[org_id]
        if child.sort_order != position:
            child.sort_order = position
            changed.append(child)
    Org.objects.bulk_update(changed, ["sort_order"])
    if changed:
        audit_record(actor=actor, verb="调整组织排序", target=parent, org=parent, changes={"order": ordered_ids})
