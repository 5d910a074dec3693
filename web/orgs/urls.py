from django.urls import path

from imports.urls import import_paths
from web.orgs import children_views, manage_views, migration_views, pick_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_org, name="switch"),
    path("tree/", views.tree, name="tree"),
    path("orgs/<int:pk>/", views.org_detail, name="detail"),
    path("orgs/<int:pk>/tree/", views.tree, name="tree_at"),
    path("orgs/<int:pk>/tree/children/", views.tree_children, name="tree_children"),
    path("orgs/<int:pk>/pick/", pick_views.org_pick, name="pick"),
    path("orgs/<int:pk>/children/", manage_views.children_manage, name="children"),
    path("orgs/<int:pk>/children/order/", manage_views.children_order, name="children_order"),
    path("orgs/<int:pk>/children/new/", children_views.children_create, name="children_create"),
    path("orgs/<int:pk>/children/new/proposal/", children_views.children_proposal, name="children_proposal"),
    *import_paths("orgs/<int:pk>/children/", "children", "children_import", page=children_views.page),
    path("orgs/<int:pk>/children/codes/", manage_views.codes_issue_all, name="codes_all"),
    path("orgs/<int:pk>/children/codes.xlsx", manage_views.codes_state, name="codes_state"),
    path("orgs/<int:pk>/code/", manage_views.code_issue, name="code_issue"),
    path("orgs/<int:pk>/delete/", manage_views.child_delete, name="delete"),
    path("orgs/<int:pk>/info/", manage_views.org_info, name="info"),
    path("orgs/<int:pk>/info/reveal/", manage_views.org_info_reveal, name="info_reveal"),
    path("orgs/<int:pk>/admins/", manage_views.admins_manage, name="admins"),
    path("orgs/<int:pk>/admins/<str:action>/", manage_views.admin_change, name="admin_change"),
    path("admin-changes/<int:pk>/<str:decision>/", manage_views.admin_change_decide, name="admin_change_decide"),
    path("prompt/", manage_views.progress_prompt, name="progress_prompt"),
    path("orgs/<int:pk>/migrations/", migration_views.migration_page, name="migrations"),
    path("orgs/<int:pk>/migrations/targets/", migration_views.migration_targets, name="migration_targets"),
    path("migrations/<int:pk>/", migration_views.migration_detail, name="migration_detail"),
    path("migrations/<int:pk>/<str:action>/", migration_views.migration_action, name="migration_action"),
]
