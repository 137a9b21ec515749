"""URLs of the home page (工作台)."""

from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.workbench import views

app_name = "workbench"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("overview/", views.overview_page, name="overview"),
    path("overview/rounds/<int:pk>/remind/", views.remind, name="remind"),
]
