from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("new/", views.person_create_view, name="create"),
]
