"""URLs of ledger import (upload, column mapping, check, confirm) and export."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
