from django.contrib import admin
from django.urls import include, path

from api.api import api
from orgs.views import root_redirect

urlpatterns = [
    path("", root_redirect),
    path("accounts/", include("accounts.urls")),
    path("manage/", include("orgs.urls")),
    path("people/", include("people.urls")),
    path("imports/", include("imports.urls")),
    path("transfers/", include("transfers.urls")),
    path("workflow/", include("workflow.urls")),
    path("progress/", include("progress.urls")),
    path("audit/", include("audit.urls")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
]

# Chinese error pages in the site's look (core.error_pages); the API answers JSON on its own.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
