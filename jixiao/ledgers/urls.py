"""Ledger pages: records (urls_records) and imports/exports (urls_import)."""

from __future__ import annotations

from django.urls import include, path

from jixiao.ledgers import urls_import, urls_records

app_name = "ledgers"

urlpatterns = [
    path("", include(urls_records)),
    path("", include(urls_import)),
]
