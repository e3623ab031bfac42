from django.urls import path

from . import views

app_name = "travel"
urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("cases/<uuid:case_id>/", views.case_view, name="case"),
    path("cases/<uuid:case_id>/start/", views.start_view, name="start"),
    path("cases/<uuid:case_id>/status/", views.status_view, name="status"),
    path("cases/<uuid:case_id>/notes/", views.notes_view, name="notes"),
    path("cases/<uuid:case_id>/assign/", views.assign_view, name="assign"),
    path("cases/<uuid:case_id>/legs/", views.leg_add_view, name="leg_add"),
    path("legs/<uuid:leg_id>/edit/", views.leg_edit_view, name="leg_edit"),
    path("legs/<uuid:leg_id>/status/", views.leg_status_view, name="leg_status"),
    path("legs/<uuid:leg_id>/checkins/", views.checkin_add_view, name="checkin_add"),
    path("checkins/<uuid:checkin_id>/receive/", views.checkin_receive_view, name="checkin_receive"),
]
