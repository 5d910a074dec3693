from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status/", views.job_status, name="job_status"),
    path("<int:pk>/result/", views.job_result, name="job_result"),
]
