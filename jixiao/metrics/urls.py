"""URLs of the actuals pages: every indicator's actual at a date, and the records behind it."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

app_name = "metrics"

urlpatterns = [
    # Placeholder until the actuals pages exist.
    path("", TemplateView.as_view(template_name="base.html"), name="index"),
]
