from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "verb", "target_type", "target_label", "org"]
    list_filter = ["verb", "target_type"]
    raw_id_fields = ["actor", "org"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
