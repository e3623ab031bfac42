from django.urls import path

from . import views

app_name = "vault"
urlpatterns = [
    path("", views.unseal_view, name="unseal"),
    path("seal/", views.seal_view, name="seal"),
]
