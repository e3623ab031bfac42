from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("<uuid:request_id>/", views.detail_view, name="detail"),
    path("<uuid:request_id>/reply/", views.reply_view, name="reply"),
    path("<uuid:request_id>/mark/", views.mark_view, name="mark"),
    path("<uuid:request_id>/convert/", views.convert_view, name="convert"),
]
