from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("<str:kind>/", views.start, name="start"),
    path("orgs/<int:pk>/<str:kind>/", views.table, name="table"),
    path("orgs/<int:pk>/<str:kind>.xlsx", views.export, name="export"),
    path("orgs/<int:pk>/lists/<str:name>/", views.extra_list, name="list"),
]
