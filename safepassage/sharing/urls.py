from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("cases/<uuid:case_id>/", views.case_view, name="case"),
    path("cases/<uuid:case_id>/consent/", views.consent_view, name="consent"),
    path("cases/<uuid:case_id>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw_view,
         name="consent_withdraw"),
    path("cases/<uuid:case_id>/share/", views.create_view, name="create"),
    path("sent/<uuid:share_id>/", views.sent_view, name="sent"),
    path("sent/<uuid:share_id>/refresh/", views.refresh_view, name="refresh"),
    path("sent/<uuid:share_id>/revoke/", views.revoke_view, name="revoke"),
    path("received/<uuid:share_id>/", views.received_view, name="received"),
    path("received/<uuid:share_id>/accept/", views.accept_view, name="accept"),
]
