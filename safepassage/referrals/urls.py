from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("figures/", views.figures_view, name="figures"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("packets/<uuid:referral_id>/", views.liaison_packet_view, name="packet"),
    path("packets/<uuid:referral_id>/decision/", views.liaison_decide_view, name="packet_decide"),
    path("packets/<uuid:referral_id>/pdf/<slug:copy>/", views.liaison_pdf_view, name="packet_pdf"),
    path("cases/<uuid:case_id>/", views.case_view, name="case"),
    path("cases/<uuid:case_id>/new/", views.create_view, name="create"),
    path("cases/<uuid:case_id>/consent/", views.consent_view, name="consent"),
    path("cases/<uuid:case_id>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw_view,
         name="consent_withdraw"),
    path("<uuid:referral_id>/", views.detail_view, name="detail"),
    path("<uuid:referral_id>/packet/", views.packet_view, name="packet_save"),
    path("<uuid:referral_id>/members/", views.member_add_view, name="member_add"),
    path("<uuid:referral_id>/members/<slug:member_id>/remove/", views.member_remove_view, name="member_remove"),
    path("<uuid:referral_id>/submit/", views.submit_view, name="submit"),
    path("<uuid:referral_id>/decision/", views.decide_view, name="decide"),
    path("<uuid:referral_id>/withdraw/", views.withdraw_view, name="withdraw"),
    path("<uuid:referral_id>/pdf/<slug:copy>/", views.pdf_view, name="pdf"),
]
