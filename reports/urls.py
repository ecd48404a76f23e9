from django.urls import path

from reports import views

urlpatterns = [
    path("reports/<int:year>/", views.network_report, name="network_report"),
    path("reports/<int:year>.pdf", views.network_report_pdf, name="network_report_pdf"),
    path("reports/<int:year>.csv", views.network_report_csv, name="network_report_csv"),
    path("reports/<int:year>.xlsx", views.network_report_xlsx, name="network_report_xlsx"),
    path("reports/<int:year>/foreword/", views.edit_foreword, name="edit_foreword"),
    path("reports/<int:year>/highlights/", views.edit_highlights, name="edit_highlights"),
    path("reports/<int:year>/hubs/<int:pk>/", views.hub_pack, name="hub_pack"),
    path("reports/<int:year>/hubs/<int:pk>.pdf", views.hub_pack_pdf, name="hub_pack_pdf"),
    path("reports/<int:year>/champions/<int:pk>/", views.champion_report, name="champion_report"),
    path("reports/<int:year>/champions/<int:pk>.pdf", views.champion_report_pdf, name="champion_report_pdf"),
    path("reports/<int:year>/champions/<int:pk>/submit/", views.submit_report, name="submit_report"),
    path("reports/<int:year>/champions/<int:pk>/reviewed/", views.mark_reviewed, name="mark_report_reviewed"),
    path("reports/<int:year>/champions/<int:pk>/reopen/", views.reopen, name="reopen_report"),
    path("reports/<int:year>/champions/<int:pk>/ratings/", views.rate_report, name="rate_report"),
    path("reports/commitments/<int:pk>/assess/", views.assess, name="assess_commitment"),
    path(
        "reports/commitments/<int:pk>/assessment-evidence/",
        views.assessment_evidence,
        name="assessment_evidence",
    ),
    path("reports/commitments/<int:pk>/resolve/", views.resolve, name="resolve_divergence"),
]
