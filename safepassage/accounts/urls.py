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
]
