from django.urls import path

from . import cadre_views, member_views, views

app_name = "people"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("orgs/<int:pk>/members/", member_views.member_list, name="members"),
    path("orgs/<int:pk>/reset-codes/", member_views.reset_codes_branch, name="reset_codes_branch"),
    path("members/<int:person_id>/delete/", member_views.member_delete, name="member_delete"),
    path("members/<int:person_id>/verify/<str:decision>/", member_views.member_verify, name="member_verify"),
    path("<int:person_id>/reset-code/", member_views.reset_code_issue, name="reset_code"),
    path("orgs/<int:pk>/cadres/", cadre_views.cadre_list, name="cadres"),
    path("orgs/<int:pk>/cadres/new/", cadre_views.cadre_new, name="cadre_new"),
    path("orgs/<int:pk>/cadres/template/", cadre_views.cadre_template, name="cadre_template"),
    path("orgs/<int:pk>/cadres/import/", cadre_views.cadre_import_preview, name="cadre_import_preview"),
    path("orgs/<int:pk>/cadres/import/confirm/", cadre_views.cadre_import_confirm, name="cadre_import_confirm"),
    path("orgs/<int:pk>/cadres/import/<str:token>/result/", cadre_views.cadre_import_result, name="cadre_import_result"),
    path("orgs/<int:pk>/cadres/<int:person_id>/delete/", cadre_views.cadre_delete, name="cadre_delete"),
    path("orgs/<int:pk>/cadres/<int:person_id>/position/", cadre_views.cadre_position, name="cadre_position"),
]
