from django.urls import path

from commitments import views

urlpatterns = [
    path("", views.home, name="home"),
    path("commitments/<int:pk>/comments/", views.post_comment, name="post_comment"),
    path("cycles/<int:year>/commitments/", views.set_commitments, name="set_commitments"),
    path(
        "cycles/<int:year>/champions/<int:champion_pk>/commitments/new/",
        views.add_commitment,
        name="add_commitment",
    ),
    path(
        "cycles/<int:year>/champions/<int:champion_pk>/submit/",
        views.submit_commitments,
        name="submit_commitments",
    ),
    path("cycles/<int:year>/commitments/<int:pk>/edit/", views.edit_commitment, name="edit_commitment"),
    path("cycles/<int:year>/commitments/<int:pk>/delete/", views.delete_commitment, name="delete_commitment"),
    path("cycles/<int:year>/commitments/<int:pk>/submit/", views.submit_commitment, name="submit_commitment"),
    path(
        "cycles/<int:year>/champions/<int:champion_pk>/carry/",
        views.carry_all,
        name="carry_all_commitments",
    ),
    path("cycles/<int:year>/commitments/<int:pk>/carry/", views.carry_commitment, name="carry_commitment"),
]
