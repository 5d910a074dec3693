"""The menu's counts: 待办 per kind (one grouped COUNT over the open steps) and unread messages (one COUNT)."""

from functools import cache

from orgs import access
from people.selectors import unverified_members_todo

from . import engine

# The menu's names for the kinds of processes it counts (the 待办 page lists every kind).
MENU_KEYS = {"管理员变更": "admin_changes", "组织迁移": "migrations", "组织关系转接": "transfers"}


def todo_counts(person) -> dict[str, int]:
    """Open steps per kind plus members waiting for verification; empty for people who administer nothing."""
    if not access.admin_orgs(person):
        return {}
    per_kind = engine.todo_counts(person)
    counts = {key: per_kind.get(kind, 0) for kind, key in MENU_KEYS.items()}
    counts["other"] = sum(n for kind, n in per_kind.items() if kind not in MENU_KEYS)
    counts["steps"] = sum(per_kind.values())
    counts["verifications"] = unverified_members_todo(person).count()
    counts["total"] = sum(v for k, v in counts.items() if k != "steps")
    return counts


def menu_counts(request) -> dict[str, int]:
    """todo_counts of the person asking, counted once a request: the menu and a page's to-do lists share them."""
    counts = request.__dict__.get("_menu_counts")
    if counts is None:
        counts = request._menu_counts = todo_counts(request.user)
    return counts


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted when a template first shows them (a template calls a callable), once a request: a full page's menu
    # does; an htmx fragment or an error page, which show none of them, costs no query for them.
    counts = cache(lambda: menu_counts(request))
    return {
        "todo_counts": counts,
        "todo_count": lambda: counts().get("total", 0),
        "unread_messages": cache(lambda: engine.unread_count(user)),
    }
