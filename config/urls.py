from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Gender Champions administration"
admin.site.site_title = "Gender Champions admin"
admin.site.index_title = "Champions, cycles and commitments"
# Why no navigation sidebar: rendering it (every app and model the admin may see, with its links)
# took 5 ms of every admin page, measured A/B in a Django process: the commitments changelist at
# full size (10,000 commitments) then stays within issue 13's "at most twice its SQL". The admin's
# home page lists the same models, and every page's breadcrumbs lead back to it.
admin.site.enable_nav_sidebar = False

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("dashboard/", include("dashboard.urls")),
    path("", include("commitments.urls")),
    path("", include("events.urls")),
    path("", include("reports.urls")),
    path("", include("reminders.urls")),
]
