from django.urls import path

from . import views

app_name = "help"
urlpatterns = [
    path("", views.request_view, name="request"),
    path("return/", views.return_view, name="return"),
    path("return/write/", views.followup_view, name="followup"),
]
