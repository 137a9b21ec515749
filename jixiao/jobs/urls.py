"""URLs of background jobs: a job's page, its progress (polled), its file."""

from __future__ import annotations

from django.urls import path

from jixiao.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
]
