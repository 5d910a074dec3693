from . import access
from .selectors import current_admin_org


def admin_orgs_context(request):
    """The admin's organisations, for the menu's organisation switcher."""

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_admin_orgs": [], "acting_org": None}
    # The menu's to-do and message counts: workflow.context_processors.inbox.
    return {"my_admin_orgs": access.admin_orgs(user), "acting_org": current_admin_org(request)}
