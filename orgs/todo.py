"""待办: everything waiting for one admin, counted for the menu and listed on 管理中心 (issue 5)."""

from . import access


def todo_counts(person) -> dict[str, int]:
    """One COUNT per kind of work; empty for people who administer nothing."""
    if not access.admin_orgs(person):
        return {}
    from people.selectors import unverified_members_todo
    from transfers.selectors import transfers_todo

    from .admin_changes import admin_changes_todo
    from .migration import migrations_todo

    counts = {
        "admin_changes": admin_changes_todo(person).count(),
        "verifications": unverified_members_todo(person).count(),
        "transfers": transfers_todo(person).count(),
        "migrations": migrations_todo(person).count(),
    }
    counts["total"] = sum(counts.values())
    return counts
