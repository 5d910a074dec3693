from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_org, name="switch"),
    path("tree/", views.tree, name="tree"),
    path("orgs/<int:pk>/", views.org_detail, name="detail"),
    path("orgs/<int:pk>/tree/", views.tree, name="tree_at"),
    path("orgs/<int:pk>/tree/children/", views.tree_children, name="tree_children"),
]
