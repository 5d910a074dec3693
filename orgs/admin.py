from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Org, OrgAdmin


@admin.register(Org)
class OrgAdminPage(ReadOnlyAdmin):
    list_display = ["full_name", "category", "depth", "sort_order"]
    list_filter = ["category", "depth"]
    search_fields = ["full_name"]
    raw_id_fields = ["parent", "secretary"]
    readonly_fields = ["path", "depth", "numchild", "parent"]


@admin.register(OrgAdmin)
class OrgAdminAdmin(ReadOnlyAdmin):
    list_display = ["org", "person", "created_at"]
    raw_id_fields = ["org", "person"]
