from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.my_work_view, name="my_work"),
    path("tasks/<uuid:task_id>/done/", views.task_done_view, name="done"),
    path("cases/<uuid:case_id>/tasks/", views.task_create_view, name="create"),
]
