"""URLs of the home page (工作台)."""

from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.workbench import views

app_name = "workbench"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
]
