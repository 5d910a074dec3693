from django.urls import path

from imports.urls import import_paths

from . import views

app_name = "graduates"
urlpatterns = [
    path("", views.start, name="start"),
    path("orgs/<int:pk>/", views.home, name="home"),
    path("orgs/<int:pk>/mark/", views.mark, name="mark"),
    *import_paths("orgs/<int:pk>/marks/", "marks", "graduation_marks", page=views.marks_page),
    path("orgs/<int:pk>/branch/", views.branch, name="branch"),
    path("orgs/<int:pk>/members/<int:person_id>/flag/", views.flag, name="flag"),
    # The 毕业转出 template lists the branch's members: its own view, not the framework's empty template.
    path("orgs/<int:pk>/transfers/template/", views.transfers_template, name="transfers_template"),
    *import_paths("orgs/<int:pk>/transfers/", "transfers", "graduation_transfers", page=views.branch_page)[1:],
    path("orgs/<int:pk>/season/<int:year>/", views.season, name="season"),
    path("orgs/<int:pk>/season/<int:year>.xlsx", views.season_xlsx, name="season_xlsx"),
    path("orgs/<int:pk>/cleanup/", views.cleanup, name="cleanup"),
    path("orgs/<int:pk>/cleanup/delete/", views.delete, name="delete"),
]
