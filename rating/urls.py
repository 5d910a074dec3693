from django.urls import path

from . import views

app_name = "rating"
urlpatterns = [
    path("", views.start, name="start"),
    path("orgs/<int:pk>/", views.home, name="home"),
    path("orgs/<int:pk>/rounds/", views.round_open, name="round_open"),
    path("orgs/<int:pk>/<int:year>/", views.org_page, name="org"),
    path("orgs/<int:pk>/<int:year>/self/", views.self_rate, name="self_rate"),
    path("orgs/<int:pk>/<int:year>/review/", views.review, name="review"),
    path("orgs/<int:pk>/<int:year>/stats/", views.stats, name="stats"),
    path("orgs/<int:pk>/<int:year>/stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
]
