from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_create_view, name="create"),
    path("pipeline/", views.pipeline_view, name="pipeline"),
    path("<uuid:case_id>/", views.case_detail_view, name="detail"),
    path("<uuid:case_id>/notes/", views.case_note_view, name="note"),
    path("<uuid:case_id>/risk/", views.case_risk_view, name="risk"),
    path("<uuid:case_id>/summary/", views.case_summary_view, name="summary"),
    path("<uuid:case_id>/assign/", views.case_assign_view, name="assign"),
    path("<uuid:case_id>/move/", views.case_move_view, name="move"),
    path("<uuid:case_id>/moves/<uuid:transition_id>/confirm/", views.case_move_confirm_view, name="move_confirm"),
    path("<uuid:case_id>/moves/<uuid:transition_id>/reject/", views.case_move_reject_view, name="move_reject"),
]
