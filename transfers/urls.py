from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("in/", views.transfer_in, name="in"),
    path("out/", views.transfer_out, name="out"),
    path("batch/", views.batch, name="batch"),
    path("apply/", views.self_apply, name="apply"),
    path("orgs/", views.org_picker, name="org_picker"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/approve/", views.transfer_approve, name="approve"),
    path("<int:pk>/reject/", views.transfer_reject, name="reject"),
    path("<int:pk>/withdraw/", views.transfer_withdraw, name="withdraw"),
    path("<int:pk>/assign/", views.transfer_assign, name="assign"),
]
