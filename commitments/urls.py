from django.urls import path

from commitments import views

urlpatterns = [
    path("", views.home, name="home"),
]
