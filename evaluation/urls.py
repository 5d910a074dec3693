from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.start, name="start"),
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
]
