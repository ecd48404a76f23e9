from django.urls import path

from events import views

urlpatterns = [
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/log/", views.log_progress, name="log_progress"),
    path("events/<int:pk>/edit/", views.edit_event, name="edit_event"),
    path("events/<int:pk>/delete/", views.delete_event, name="delete_event"),
    path("events/<int:pk>/evidence/", views.evidence, name="event_evidence"),
    path("events/export.csv", views.export_my_events, name="export_my_events"),
]
