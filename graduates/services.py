"""毕业生 (SPEC-2 GR): marking a class's graduation, the yearly switch, members' flags and the clean-up.

Every change and permission check of the module is here; the pages, the API, the importers (graduates.importers)
and the background job call these.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Conflict, NotAllowed
from core.signals import counts_changed
from orgchanges.deletion import org_delete
from orgs import access
from orgs.models import Org
from orgs.rules import Category
from people import access as people_access
from people.models import Person

from . import rules
from .models import Flag, GraduateFlag, GraduationMark, GraduationSwitch, NoDateReason

# --- GR1: marks ------------------------------------------------------------------------------------------------

BRANCH_ADMIN_REFUSED = "团支部管理员不能标记毕业时间：请由上级团委、团工委或团总支的管理员标记。"
MARKER_ONLY = "只有上级团委、团工委或团总支的管理员可以标记团支部的毕业时间。"


def may_mark(actor, org: Org) -> bool:
    """GR1: the admin of any committee above the branch (never the branch's own admin as such)."""
    return access.is_admin_of_ancestor(actor, org)


def require_marker(actor, org: Org) -> None:
    if not may_mark(actor, org):
        raise NotAllowed(BRANCH_ADMIN_REFUSED if access.is_admin_of(actor, org) else MARKER_ONLY, code="forbidden")
    if org.category == Category.GRADUATED:
        raise Conflict(f"{org.short_name}已转为毕业生团组织，毕业时间不能再修改。", code="already_graduated")
    if org.category != Category.BRANCH:
        raise rules.field_error(
            "org", f"{org.short_name}是{org.category}：只有学校的团支部标记毕业时间。", "not_a_branch"
        )


def mark_view(org: Org) -> dict:
    """GET /orgs/{id}/graduation: the mark (or none yet) and whether the class has graduated (GR2)."""
    mark = GraduationMark.objects.filter(org=org).first()
    switch = GraduationSwitch.objects.filter(org=org).order_by("-year").first()
    return {
        "org_id": org.pk, "expected": (mark.expected or None) if mark else None,
        "no_date_reason": (mark.no_date_reason or None) if mark else None, "category": org.category,
        "graduated_year": switch.year if switch else None,
    }  # fmt: skip


@transaction.atomic
def mark_set(*, org: Org, actor, expected: object = None, no_date_reason: str | None = None) -> GraduationMark:
    """GR1: a committee admin marks (or changes) a school branch's expected graduation or its no-date reason."""
    require_marker(actor, org)
    year, month, reason = rules.check_mark(expected, no_date_reason or "", today=timezone.localdate())
    mark = GraduationMark.objects.select_for_update().filter(org=org).first()
    before = (mark.expected or mark.no_date_reason) if mark else None
    if mark is None:
        mark = GraduationMark(org=org)
    mark.expected_year, mark.expected_month, mark.no_date_reason, mark.marked_by = year, month, reason, actor
    mark.full_clean(exclude=["org", "marked_by"])
    mark.save()
    after = mark.expected or mark.no_date_reason
    if before != after:
        audit_record(actor=actor, verb="标记毕业时间", target=org, org=org, changes={"from": before, "to": after})
    return mark


# --- GR2: the yearly switch --------------------------------------------------------------------------------------


def switch_due(*, today: dt.date | None = None) -> int:
    """GR2, the background job: on or after the switch day, every 团支部 marked to graduate this year becomes a
    毕业生团组织, keeping its members. A GraduationSwitch row per branch and year makes it run once: a second run
    (or a second worker) finds nothing left to switch. Returns how many branches it switched."""
    today = today or timezone.localdate()
    if today < rules.switch_day(today.year):
        return 0
    due = (
        GraduationMark.objects.filter(expected_year=today.year, org__category=Category.BRANCH)
        .exclude(org__graduation_switches__year=today.year)
        .order_by("org__path")
        .values_list("org_id", flat=True)
    )
    return sum(_switch(org_id, today.year) for org_id in list(due))


def _switch(org_id: int, year: int) -> int:
    try:
        with transaction.atomic():
            if not Org.objects.filter(pk=org_id, category=Category.BRANCH).update(category=Category.GRADUATED):
                return 0  # switched (or deleted) meanwhile
            org = Org.objects.get(pk=org_id)
            members = Person.objects.filter(branch=org).count()
            GraduationSwitch.objects.create(org=org, year=year, org_name=org.full_name, members=members)
            audit_record(actor=None, verb="转为毕业生团组织", target=org, org=org,
                         changes={"组织类别": [Category.BRANCH, Category.GRADUATED], "年度": year, "团员数": members})  # fmt: skip
    except IntegrityError:  # another worker recorded this branch's switch first
        return 0
    counts_changed.send(sender=Org, org_ids=[org_id])  # the bulk update above sends no model signal
    return 1


# --- GR3: flags ---------------------------------------------------------------------------------------------------


@transaction.atomic
def flag_set(*, person: Person, actor, flag: str, today: dt.date | None = None) -> GraduateFlag | None:
    """GR3: the branch admin or its direct superior's admin flags a member ("" clears the flag)."""
    branch = person.branch
    if branch is None or not people_access.can_enter_members(actor, branch):
        raise NotAllowed("只有本支部管理员或直属上级组织管理员可以设置团员的毕业生标记。", code="forbidden")
    flag = (flag or "").strip()
    if flag and flag not in Flag.values:
        raise rules.field_error("graduate_flag", f"毕业生标记只能是{'、'.join(Flag.values)}之一（留空为清除）。")
    today = today or timezone.localdate()
    if flag == Flag.FLOATING and not rules.season_over(today.year, today):
        raise rules.field_error(
            "graduate_flag", "“毕业学生流动团员”只能在每年7月31日之后标记（毕业季结束后仍未转出的毕业学生）。",
            "too_early",
        )  # fmt: skip
    if (
        flag == Flag.THIS_YEAR
        and not GraduationMark.objects.filter(org=branch, no_date_reason=NoDateReason.MIXED).exists()
    ):
        raise rules.field_error(
            "graduate_flag", f"“本届毕业生”只能标记在混合支部的团员上：{branch.short_name}未标记为混合支部。",
            "not_mixed",
        )  # fmt: skip
    current = GraduateFlag.objects.select_for_update().filter(person=person).first()
    before = current.flag if current else ""
    if before == flag:
        return current
    if not flag:
        current.delete()
        current = None
    elif current is None:
        current = GraduateFlag.objects.create(person=person, flag=flag, set_by=actor)
    else:
        current.flag, current.set_by = flag, actor
        current.save(update_fields=["flag", "set_by", "updated_at"])
    audit_record(actor=actor, verb="设置毕业生标记", target=person, org=branch,
                 changes={"from": before or None, "to": flag or None})  # fmt: skip
    return current


# --- GR6: the clean-up ----------------------------------------------------------------------------------------------


def offered(members: int, year: int | None, *, today: dt.date) -> bool:
    """GR6: a 毕业生团组织 (switched in `year`) is offered for deletion once empty and its season is over."""
    return members == 0 and rules.season_over(year or today.year, today)


@transaction.atomic
def graduated_delete(*, org: Org, actor, today: dt.date | None = None) -> None:
    """GR6: the direct superior deletes an emptied 毕业生团组织 (U2's deletion, which it must leave nobody to)."""
    if org.category != Category.GRADUATED:
        raise Conflict(f"{org.short_name}不是毕业生团组织，请在组织管理中删除。", code="not_graduated")
    today = today or timezone.localdate()
    members = Person.objects.filter(branch=org).count()
    if members:
        raise Conflict(
            f"{org.short_name}还有{members}名团员，不能删除：请先为他们办理毕业转出。", code="org_has_members"
        )
    year = GraduationSwitch.objects.filter(org=org).order_by("-year").values_list("year", flat=True).first()
    if not offered(members, year, today=today):
        raise Conflict(f"毕业季（7月31日）结束后才能清理{org.short_name}。", code="season_not_over")
    result = org_delete(org=org, actor=actor)
    if result["moved"]:  # a member entered between the count and the deletion's locks: undo it all
        raise Conflict(f"{org.short_name}刚刚有团员加入，不能删除。", code="org_has_members")


def flag_of(person: Person) -> str:
    """GR3: the member's flag, "" for none."""
    return GraduateFlag.objects.filter(person=person).values_list("flag", flat=True).first() or ""
