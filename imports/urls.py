from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status/", views.job_status, name="job_status"),
    path("<int:pk>/result/", views.job_result, name="job_result"),
]


def import_paths(base: str, name: str, kind: str, *, page, preview: str = "import/") -> list:
    """An importer's template, preview, confirm and result URLs under the namespace of the page that shows its
    card: <name>_template, <name>_import_preview, <name>_import_confirm, <name>_import_result.

    `page` is that page's view, `page(request, target, **context)`, which shows the card's outcome to a request
    without htmx. The page (a higher layer) hands it over here, so the framework never imports a page."""
    kind_kwargs = {"kind": kind, "page": page}
    return [
        path(f"{base}template/", views.template, kind_kwargs, name=f"{name}_template"),
        path(f"{base}{preview}", views.preview, kind_kwargs, name=f"{name}_import_preview"),
        path(f"{base}import/confirm/", views.confirm, kind_kwargs, name=f"{name}_import_confirm"),
        path(f"{base}import/<str:token>/result/", views.result, kind_kwargs, name=f"{name}_import_result"),
    ]
