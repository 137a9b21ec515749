"""URLs of the monitoring and self-evaluation pages and of the review loop."""

from __future__ import annotations

from django.urls import path

from jixiao.rounds import target_views, views

app_name = "rounds"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/join/", views.join, name="join"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/download/<str:fmt>/", views.monitoring_download, name="monitoring_download"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/download/<str:fmt>/", views.evaluation_download, name="evaluation_download"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/save/", views.save, name="save"),
    path("reports/<int:pk>/submit/", views.submit, name="submit"),
    path("reports/<int:pk>/review/<str:decision>/", views.decide, name="decide"),
    path("reports/<int:pk>/override/", views.override, name="override"),
    path("reports/<int:pk>/submissions/<int:number>/", views.submission, name="submission"),
    path("reports/<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
    path("reports/<int:pk>/targets/<int:project_id>/", target_views.draft, name="draft"),
    path("reports/<int:pk>/goal/", target_views.goal_draft, name="goal_draft"),
    path("reports/<int:pk>/goal/rebase/", target_views.goal_rebase, name="goal_rebase"),
    path(
        "reports/<int:pk>/targets/<int:project_id>/rebase/",
        target_views.rebase,
        name="rebase",
    ),
]
