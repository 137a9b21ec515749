"""URLs of the target pages (the web views come with their own issue)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "targets"

urlpatterns: list[URLPattern | URLResolver] = []
