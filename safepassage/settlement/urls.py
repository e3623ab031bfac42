from django.urls import path

from . import views

app_name = "settlement"
urlpatterns = [
    path("cases/<uuid:case_id>/", views.case_view, name="case"),
    path("cases/<uuid:case_id>/arrival/", views.arrival_view, name="arrival"),
    path("cases/<uuid:case_id>/begin/", views.begin_view, name="begin"),
    path("cases/<uuid:case_id>/worker/", views.assign_view, name="assign"),
    path("cases/<uuid:case_id>/items/", views.item_add_view, name="item_add"),
    path("cases/<uuid:case_id>/payments/", views.payment_view, name="payment"),
    path("cases/<uuid:case_id>/checkins/", views.schedule_view, name="schedule"),
    path("items/<uuid:item_id>/", views.item_update_view, name="item_update"),
    path("checkins/<uuid:checkin_id>/done/", views.checkin_done_view, name="checkin_done"),
]
