from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("register/admin/", views.register_admin_view, name="register_admin"),
    path("register/orgs/", views.register_org_search, name="register_org_search"),
    path("register/member/", views.register_member_view, name="register_member"),
    path("register/branches/", views.register_branch_search, name="register_branch_search"),
    path("reset/", views.password_reset_view, name="password_reset"),
    path("otp/", views.otp_settings_view, name="otp_settings"),
    path("otp/verify/", views.otp_verify_view, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol_view, name="otp_enrol"),
]
