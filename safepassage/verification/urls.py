from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("checklist/", views.checklist_view, name="checklist"),
    path("checklist/<int:item_id>/", views.checklist_item_view, name="checklist_item"),
    path("referrers/", views.referrers_view, name="referrers"),
    path("referrers/<uuid:referrer_id>/", views.referrer_view, name="referrer"),
    path("cases/<uuid:case_id>/", views.case_checklist_view, name="case"),
    path("cases/<uuid:case_id>/checks/<int:item_id>/", views.check_record_view, name="check"),
    path("cases/<uuid:case_id>/vouch/", views.vouch_record_view, name="vouch"),
]
