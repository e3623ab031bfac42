from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "safepassage.tasks"
    label = "tasks"
    verbose_name = "Tasks"
