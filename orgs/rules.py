"""Tree rules of SPEC T2, T3 and T7, in one place.

Every service that places an organisation (creation, batch import,
migration, loading leading bodies) asks these functions; nothing else
decides what may sit under what.
"""

from django.db import models

from core.exceptions import DomainError


class Category(models.TextChoices):
    LEADING = "团的领导机关", "团的领导机关"
    PRIMARY = "基层团委", "基层团委"
    WORKING = "团工委", "团工委"
    GENERAL = "团总支", "团总支"
    BRANCH = "团支部", "团支部"
    PENDING = "待接转团支部", "待接转团支部"
    GRADUATED = "毕业生团组织", "毕业生团组织"  # SPEC-2 GR2: a graduated class, switched by the system


class BranchKind(models.TextChoices):
    """Flags a 团支部 may carry (SPEC-2 DJ1): these kinds are not rated in 对标定级."""

    TEMPORARY = "临时团支部", "临时团支部"
    FLOATING = "流动团员团支部", "流动团员团支部"


COMMITTEES = {Category.PRIMARY, Category.WORKING, Category.GENERAL}
# Leaves that hold members: a 毕业生团组织 keeps its class's members until they are transferred out (GR2).
BRANCHES = {Category.BRANCH, Category.PENDING, Category.GRADUATED}

# T3: what may sit directly under each category. U2 adds one exception: any
# organisation that deletes a branch keeps its members in its own 待接转团支部,
# so every non-branch category may hold that system branch (admins never create it).
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    Category.LEADING: frozenset(Category.values),
    Category.PRIMARY: frozenset(
        {Category.PRIMARY, Category.WORKING, Category.GENERAL, Category.BRANCH, Category.PENDING, Category.GRADUATED}
    ),
    Category.WORKING: frozenset(
        {Category.PRIMARY, Category.WORKING, Category.GENERAL, Category.BRANCH, Category.PENDING, Category.GRADUATED}
    ),
    Category.GENERAL: frozenset({Category.BRANCH, Category.PENDING, Category.GRADUATED}),
    Category.BRANCH: frozenset(),
    Category.PENDING: frozenset(),
    Category.GRADUATED: frozenset(),
}

# T4/U2/GR2: admins never create these by hand; the operator loads leading
# bodies, the system creates pending-transfer branches and switches graduated classes.
SYSTEM_CATEGORIES = {Category.LEADING, Category.PENDING, Category.GRADUATED}

# T7: the suffix a 简称 must end with, by category.
NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    Category.PRIMARY: ("团委",),
    Category.WORKING: ("团工委",),
    Category.GENERAL: ("团总支",),
    Category.BRANCH: ("团支部",),
}


# T7's examples, quoted in the messages.
NAME_EXAMPLES: dict[str, str] = {
    Category.PRIMARY: "建国门街道团委",
    Category.WORKING: "北控集团团工委",
    Category.GENERAL: "临床医学院2017级团总支",
    Category.BRANCH: "五年制临床医学2017级3班团支部",
}


def may_contain(parent_category: str, child_category: str) -> bool:
    return child_category in ALLOWED_CHILDREN.get(parent_category, frozenset())


def check_placement(parent_category: str, child_category: str) -> None:
    if child_category not in Category.values:
        raise DomainError(
            f"组织类别“{child_category}”不存在，可选：{'、'.join(Category.values)}。", code="bad_category"
        )
    if not may_contain(parent_category, child_category):
        creatable = creatable_categories(parent_category)
        hint = (
            f"{parent_category}下只能设立：{'、'.join(creatable)}。"
            if creatable
            else f"{parent_category}是最末级组织，不能设立下级组织。"
        )
        raise DomainError(f"{parent_category}下不能设立{child_category}。{hint}", code="placement")


def creatable_categories(parent_category: str) -> list[str]:
    """Categories an admin may create under `parent_category` (in display order)."""
    allowed = ALLOWED_CHILDREN.get(parent_category, frozenset())
    return [c for c in Category.values if c in allowed and c not in SYSTEM_CATEGORIES]


def check_short_name(short_name: str, category: str) -> None:
    if not short_name:
        raise DomainError("请填写组织简称。", code="name_required")
    if len(short_name) > 50:
        raise DomainError("组织简称不能超过50个字。", code="name_too_long")
    suffixes = NAME_SUFFIXES.get(category)
    if not suffixes:
        return
    example = NAME_EXAMPLES[category]
    if not short_name.endswith(suffixes):
        raise DomainError(
            f"{category}的简称应以“{suffixes[0]}”结尾（单位或地名＋{suffixes[0]}），例如“{example}”。",
            code="name_suffix",
        )
    if category == Category.PRIMARY and short_name.endswith("团工委"):
        raise DomainError("简称以“团工委”结尾的应选择类别“团工委”。", code="name_suffix")
    suffix = next(s for s in suffixes if short_name.endswith(s))
    # T7: a unit or place name comes before the suffix: not nothing, nor only spaces or punctuation.
    if not any(ch.isalnum() for ch in short_name[: -len(suffix)]):
        raise DomainError(
            f"组织简称“{short_name}”缺少单位或地名：{category}的简称应为“单位或地名＋{suffix}”，"
            f"请在“{suffix}”前填写单位或地名，例如“{example}”。",
            code="name_prefix",
        )


def refuse_pending(org, what: str) -> None:
    """U2: the 待接转团支部 is the system's holding place for a deleted branch's members, not an ordinary branch."""
    if org.category == Category.PENDING:
        raise DomainError(
            f"{org.short_name}是系统建立的待接转团支部，只暂存已删除团支部的团员，等待直属上级组织为他们办理组织关系转出；"
            f"{what}",
            code="pending_branch",
        )
