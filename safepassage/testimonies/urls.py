from django.urls import path

from . import views

app_name = "testimonies"
urlpatterns = [
    path("", views.testimony_list_view, name="list"),
    path("new/", views.testimony_create_view, name="create"),
    path("vocabulary/", views.vocabulary_view, name="vocabulary"),
    path("<uuid:testimony_id>/", views.testimony_detail_view, name="detail"),
    path("<uuid:testimony_id>/edit/", views.testimony_edit_view, name="edit"),
    path("<uuid:testimony_id>/delete/", views.testimony_delete_view, name="delete"),
    path("<uuid:testimony_id>/incidents/", views.incident_add_view, name="incident_add"),
    path("<uuid:testimony_id>/incidents/<uuid:incident_id>/remove/", views.incident_remove_view,
         name="incident_remove"),
    path("<uuid:testimony_id>/consent/", views.consent_view, name="consent"),
    path("<uuid:testimony_id>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path("<uuid:testimony_id>/attachments/<uuid:attachment_id>/", views.attachment_download_view,
         name="attachment_download"),
]
