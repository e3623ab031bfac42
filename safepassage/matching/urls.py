from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("<int:suggestion_id>/", views.suggestion_view, name="suggestion"),
    path("<int:suggestion_id>/merge/", views.merge_view, name="merge"),
    path("<int:suggestion_id>/not-duplicate/", views.dismiss_view, name="dismiss"),
    path("merges/<uuid:record_id>/unmerge/", views.unmerge_view, name="unmerge"),
]
