from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("todo/", views.todo, name="todo"),
    path("messages/", views.inbox, name="messages"),
    path("messages/read-all/", views.messages_read_all, name="messages_read_all"),
    path("messages/<int:pk>/read/", views.message_read, name="message_read"),
    path("processes/<int:pk>/", views.process_detail, name="process"),
    path("processes/<int:pk>/<str:action>/", views.process_action, name="process_action"),
]
