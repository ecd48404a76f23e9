from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="dashboard_export"),
    path("export.xlsx", views.export_xlsx, name="dashboard_export_xlsx"),
    path("champions/<int:pk>/", views.champion_detail, name="dashboard_champion"),
    path("commitments/<int:pk>/", views.commitment_detail, name="dashboard_commitment"),
]
