"""The public publication pages (no login; random tokens only)."""

from __future__ import annotations

from django.urls import path

from jixiao.publication import public

app_name = "publication_public"

urlpatterns = [
    path("", public.index, name="index"),
    path("p/<str:token>/", public.page, name="page"),
    path("p/<str:token>/pdf/", public.pdf, name="pdf"),
]
