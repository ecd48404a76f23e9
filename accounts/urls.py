from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/calendar/replace/", views.replace_calendar_token, name="replace_calendar_token"),
    path("language/", views.set_language, name="set_language"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("invitation/set-password/", views.set_invited_password, name="set_invited_password"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    # logout, password_change, password_reset and reset/<uidb64>/<token>/ with their done pages.
    path("", include("django.contrib.auth.urls")),
]
