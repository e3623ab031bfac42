from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("otp/", views.otp_view, name="otp"),
    path("enrol/", views.enrol_view, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("members/", views.members_view, name="members"),
    path("members/<int:user_id>/sessions/", views.member_sessions_view, name="member_sessions"),
    path("members/alerts/<int:alert_id>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("members/alarm/", views.alarm_settings_view, name="alarm_settings"),
    path("security/", views.security_view, name="security"),
    path("security/tokens/", views.token_create_view, name="token_create"),
    path("security/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
