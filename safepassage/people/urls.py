from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("new/", views.person_create_view, name="create"),
    path("<uuid:person_id>/", views.person_detail_view, name="detail"),
    path("<uuid:person_id>/edit/", views.person_edit_view, name="edit"),
    path("<uuid:person_id>/delete/", views.person_delete_view, name="delete"),
    path("<uuid:person_id>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path("<uuid:person_id>/attachments/<uuid:attachment_id>/", views.attachment_download_view,
         name="attachment_download"),
]
