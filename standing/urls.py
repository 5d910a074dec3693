from django.urls import path

from . import views

app_name = "standing"
urlpatterns = [
    path("", views.start, name="start"),
    path("orgs/<int:pk>/overage/", views.overage, name="overage"),
    path("orgs/<int:pk>/overage/requests/", views.overage_request, name="overage_request"),
    path("orgs/<int:pk>/left/", views.left, name="left"),
    path("people/<int:pk>/status-change/", views.change_form, name="change_form"),
    path("people/<int:pk>/restore/", views.restore_form, name="restore_form"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
]
