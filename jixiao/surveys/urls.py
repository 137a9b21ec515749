"""The unit's survey pages (login required)."""

from __future__ import annotations

from django.urls import path

from jixiao.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settings/", views.settings, name="settings"),
    path("<int:pk>/questions/", views.questions, name="questions"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/invitations/", views.invitations, name="invitations"),
    path("<int:pk>/qr.<str:fmt>", views.qr, name="qr"),
    path("<int:pk>/poster/", views.poster, name="poster"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/responses/", views.responses, name="responses"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
]
