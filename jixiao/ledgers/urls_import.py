"""URLs of ledger import (upload, column mapping, check, confirm) and export."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from jixiao.ledgers import views_import

urlpatterns: list[URLPattern] = [
    path("import/", views_import.upload, name="import"),
    path("import/<str:token>/mapping/", views_import.mapping, name="import_mapping"),
    path("import/<str:token>/check/", views_import.check, name="import_check"),
    path("import/<str:token>/confirm/", views_import.confirm, name="import_confirm"),
    path("export/", views_import.export_pick, name="export_pick"),
    re_path(
        r"^export/(?P<code>[-a-zA-Z0-9_]+)\.(?P<fmt>xlsx|csv)$",
        views_import.export,
        name="export",
    ),
]
