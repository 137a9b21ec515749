"""URLs of the tokens page (the API itself is mounted from ``jixiao.api.main``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.api import views

app_name = "api_tokens"

urlpatterns: list[URLPattern] = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
