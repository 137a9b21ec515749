"""URLs of the actuals pages: every indicator's actual at a date, and the records behind it."""

from __future__ import annotations

from django.urls import path

from jixiao.metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:indicator_id>/records/", views.records, name="records"),
    path("<int:indicator_id>/manual/", views.manual, name="manual"),
    path("<int:indicator_id>/fractions/", views.fractions, name="fractions"),
    path("<int:indicator_id>/metric/", views.binding, name="binding"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/restore/", views.evidence_restore, name="evidence_restore"),
]
