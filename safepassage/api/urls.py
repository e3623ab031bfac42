from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.docs_view, name="docs"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/<str:person_id>/", views.PersonView.as_view(), name="person"),
    path("cases/", views.CasesView.as_view(), name="cases"),
    path("cases/<str:case_id>/", views.CaseView.as_view(), name="case"),
    path("cases/<str:case_id>/transitions/", views.CaseTransitionsView.as_view(), name="case_transitions"),
    path("cases/<str:case_id>/referrals/", views.CaseReferralsView.as_view(), name="case_referrals"),
    path("tasks/", views.TasksView.as_view(), name="tasks"),
    path("tasks/<str:task_id>/complete/", views.TaskCompleteView.as_view(), name="task_complete"),
    path("referrals/", views.PacketsView.as_view(), name="packets"),
    path("referrals/<str:referral_id>/", views.PacketView.as_view(), name="packet"),
    path("referrals/<str:referral_id>/decisions/", views.PacketDecisionView.as_view(), name="packet_decide"),
    path("reports/", views.ReportView.as_view(), name="report"),
    path("shares/", views.SharesView.as_view(), name="shares"),
    path("shares/<str:share_id>/", views.ShareView.as_view(), name="share"),
]
