from django.urls import path

from . import views

app_name = "safehouses"
urlpatterns = [
    path("", views.board_view, name="board"),
    path("new/", views.create_view, name="create"),
    path("<uuid:house_id>/", views.detail_view, name="detail"),
    path("<uuid:house_id>/edit/", views.edit_view, name="edit"),
    path("<uuid:house_id>/reveal/", views.reveal_view, name="reveal"),
    path("<uuid:house_id>/compromise/", views.compromise_view, name="compromise"),
    path("<uuid:house_id>/retire/", views.retire_view, name="retire"),
    path("stays/<uuid:stay_id>/check-out/", views.checkout_view, name="checkout"),
    path("stays/<uuid:stay_id>/confirm/", views.stay_confirm_view, name="stay_confirm"),
    path("stays/<uuid:stay_id>/cancel/", views.stay_cancel_view, name="stay_cancel"),
    path("cases/<uuid:case_id>/", views.case_view, name="case"),
    path("cases/<uuid:case_id>/move/", views.move_view, name="move"),
    path("cases/<uuid:case_id>/confirm/", views.shelter_confirm_view, name="shelter_confirm"),
]
