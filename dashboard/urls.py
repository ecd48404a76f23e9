from django.urls import path

from dashboard import detail, exports, handover, imports, late, people, review, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", exports.export_csv, name="dashboard_export"),
    path("export.xlsx", exports.export_xlsx, name="dashboard_export_xlsx"),
    path("champions/<int:pk>/", detail.champion_detail, name="dashboard_champion"),
    path("champions/<int:pk>/handover/", handover.handover, name="dashboard_handover"),
    path("handovers/<int:pk>/reverse/", handover.reverse_handover, name="dashboard_reverse_handover"),
    path("commitments/<int:pk>/", detail.commitment_detail, name="dashboard_commitment"),
    path(
        "commitments/<int:pk>/history.csv",
        detail.commitment_history_csv,
        name="dashboard_commitment_history",
    ),
    path("differences/", detail.differences, name="dashboard_differences"),
    path("status-checks/", detail.status_checks, name="dashboard_status_checks"),
    path("review/", review.review, name="dashboard_review"),
    path("people/", people.people, name="dashboard_people"),
    path("people/invite/", people.invite_everyone, name="dashboard_invite_everyone"),
    path("people/<int:pk>/invite/", people.invite_person, name="dashboard_invite_person"),
    path("commitments/import/", imports.import_commitments, name="import_commitments"),
    path("commitments/import/confirm/", imports.confirm_import, name="confirm_import"),
    path("commitments/import/jobs/<int:pk>/", imports.import_job, name="import_job"),
    path("commitments/import/jobs/<int:pk>/confirm/", imports.confirm_import_job, name="confirm_import_job"),
    path(
        "commitments/export.csv",
        imports.export_commitments,
        {"extension": "csv"},
        name="export_commitments_csv",
    ),
    path(
        "commitments/export.xlsx",
        imports.export_commitments,
        {"extension": "xlsx"},
        name="export_commitments_xlsx",
    ),
    path("review/<int:year>/remind/", late.remind, name="review_remind"),
    path("review/commitments/<int:pk>/approve/", review.approve, name="review_approve"),
    path("review/commitments/<int:pk>/return/", review.return_commitment, name="review_return"),
    path(
        "review/<int:year>/champions/<int:champion_pk>/approve/",
        review.approve_all,
        name="review_approve_all",
    ),
]
