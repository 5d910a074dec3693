"""The operator site (/operator/) reads; it never writes.

Every change to organisations, admins, people and posts goes through the services,
which check the league's rules (T3, C5, U3 …) and write the audit trail. A Django
admin form would bypass both, so the operator site only shows records; operators
act through the management commands (init_root, load_leading_bodies, …) and the
pages, as any admin does.
"""

from django.contrib import admin
from django.contrib.auth.models import Group


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}  # "delete selected" and any other bulk action write


# Groups and permissions are not how this platform grants rights (orgs.access is): nothing to show.
admin.site.unregister(Group)
