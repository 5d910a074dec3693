from django.contrib import admin
from django.urls import include, path

from accounts.reset_views import people_paths as account_people_paths
from api.api import api
from web.orgs.views import root_redirect
from web.people.urls import urlpatterns as people_paths

urlpatterns = [
    path("", root_redirect),
    path("accounts/", include("accounts.urls")),
    path("manage/", include("web.orgs.urls")),
    # the people pages, and the reset-code pages accounts owns under the same prefix and namespace
    path("people/", include(([*people_paths, *account_people_paths], "people"))),
    path("imports/", include("imports.urls")),
    path("exports/", include("exports.urls")),
    path("transfers/", include("transfers.urls")),
    path("workflow/", include("workflow.urls")),
    path("progress/", include("progress.urls")),
    path("rating/", include("rating.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("standing/", include("standing.urls")),
    path("graduates/", include("graduates.urls")),
    path("audit/", include("web.audit.urls")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
]

# Chinese error pages in the site's look (core.error_pages); the API answers JSON on its own.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
