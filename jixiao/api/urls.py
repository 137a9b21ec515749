"""URLs of the tokens pages (the API itself is mounted from ``jixiao.api.main``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.api import views

app_name = "api_tokens"

urlpatterns: list[URLPattern] = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("accounts/", views.managed_list, name="managed"),
    path("accounts/<int:pk>/revoke/", views.managed_revoke, name="managed_revoke"),
]
