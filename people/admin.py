from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Cadre, Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "id_number_masked", "branch", "complete", "account_state"]
    list_filter = ["complete", "account_state", "verified"]
    search_fields = ["name"]
    raw_id_fields = ["branch"]
    exclude = ["password", "id_number", "mobile"]
    readonly_fields = ["id_number_masked", "mobile_masked", "birth_date", "gender", "complete", "last_login"]


@admin.register(Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["person", "org", "position"]
    raw_id_fields = ["person", "org"]
