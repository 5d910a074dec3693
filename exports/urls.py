from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status/", views.job_status, name="job_status"),
    path("<int:pk>/file/", views.job_file, name="job_file"),
]
