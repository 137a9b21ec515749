"""The bureau's publication page (login required)."""

from __future__ import annotations

from django.urls import path

from jixiao.publication import views

app_name = "publication"

urlpatterns = [
    path("", views.index, name="index"),
    path("publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
