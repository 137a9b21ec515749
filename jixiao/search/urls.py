"""The search page (the header's search box sends here)."""

from __future__ import annotations

from django.urls import path

from jixiao.search import views

app_name = "search"

urlpatterns = [
    path("", views.index, name="index"),
]
