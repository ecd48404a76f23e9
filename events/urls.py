from django.urls import path

from events import views

urlpatterns = [
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/log/", views.log_progress, name="log_progress"),
    path("commitments/<int:pk>/status/", views.change_status, name="change_status"),
    path("commitments/<int:pk>/status/keep/", views.keep_status, name="keep_status"),
    path("events/<int:pk>/edit/", views.edit_event, name="edit_event"),
    path("events/<int:pk>/delete/", views.delete_event, name="delete_event"),
    path("events/<int:pk>/evidence/", views.evidence, name="event_evidence"),
    path("commitments/<int:pk>/check-in/", views.record_check_in, name="record_check_in"),
    path("check-ins/<int:pk>/edit/", views.edit_check_in, name="edit_check_in"),
    path("check-ins/<int:pk>/delete/", views.delete_check_in, name="delete_check_in"),
    path("check-ins/<int:pk>/evidence/", views.check_in_evidence, name="check_in_evidence"),
    path("events/export.csv", views.export_my_events, name="export_my_events"),
]
