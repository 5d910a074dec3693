from django.urls import path

from web.audit import views

app_name = "audit"
urlpatterns = [
    path("orgs/<int:pk>/", views.org_events, name="org_events"),
]
