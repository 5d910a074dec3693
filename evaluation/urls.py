from django.urls import path

from imports.urls import import_paths

from . import import_views, views
from .importer import KIND

app_name = "evaluation"
urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("orgs/<int:pk>/", views.home, name="home"),
    path("orgs/<int:pk>/rounds/", views.round_open, name="round_open"),
    path("orgs/<int:pk>/overdue/", views.overdue, name="overdue"),
    path("orgs/<int:pk>/<int:year>/", views.branch, name="branch"),
    path("orgs/<int:pk>/<int:year>/reopen/", views.reopen, name="reopen"),
    path("orgs/<int:pk>/<int:year>/registration/", views.registration, name="registration"),
    path("orgs/<int:pk>/<int:year>/<str:what>/decide/", views.decide, name="decide"),
    path("orgs/<int:pk>/<int:year>/supervision/", views.supervision, name="supervision"),
    path("orgs/<int:pk>/<int:year>/supervision.xlsx", views.supervision_xlsx, name="supervision_xlsx"),
    # 按模板录入 (EV4): the import card's page and the framework's template, preview, confirm and result
    path("orgs/<int:pk>/import/", import_views.import_page, name="import"),
    *import_paths("orgs/<int:pk>/", "evaluation", KIND, page=import_views.page, preview="import/check/"),
]
