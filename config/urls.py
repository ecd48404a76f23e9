from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Gender Champions administration"
admin.site.site_title = "Gender Champions admin"
admin.site.index_title = "Champions, cycles and commitments"

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("dashboard/", include("dashboard.urls")),
    path("", include("public.urls")),
    path("", include("commitments.urls")),
    path("", include("events.urls")),
    path("", include("reports.urls")),
    path("", include("reminders.urls")),
]
