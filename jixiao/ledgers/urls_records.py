"""URLs of the record pages: list, detail, create, edit, workflow steps, attachments."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    # Placeholder until the record pages exist; replaced by the ledger views.
    path("", TemplateView.as_view(template_name="base.html"), name="index"),
]
