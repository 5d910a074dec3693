from . import access
from .selectors import current_admin_org


def admin_orgs_context(request):
    """The admin's organisations, for the menu's organisation switcher."""

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_admin_orgs": [], "acting_org": None}
    acting = current_admin_org(request)

    def acting_org_has_branches() -> bool:
        """录入下级支部成员 exists only for an organisation with a direct subordinate branch (P5-1). A template calls
        it when it shows the menu; the branches below the admin's organisations are read once a request."""
        return acting is not None and any(parent == acting.id for _, parent, _ in access.admin_child_branches(user))

    # The menu's to-do and message counts: workflow.context_processors.inbox.
    return {
        "my_admin_orgs": access.admin_orgs(user),
        "acting_org": acting,
        "acting_org_has_branches": acting_org_has_branches,
    }
