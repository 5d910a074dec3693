from . import access


def admin_orgs_context(request):
    """The admin's organisations, for the menu's organisation switcher."""
    user = getattr(request, "user", None)
    return {"my_admin_orgs": access.admin_orgs(user) if user else []}
