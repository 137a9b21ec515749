"""URLs of the target pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from jixiao.targets import views

app_name = "targets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("targets/", views.index, name="index"),
    # A unit without a budget code is named by its name, which may hold any character.
    re_path(
        r"^export/(?P<unit>.+)/(?P<year>[0-9]{4})\.(?P<fmt>[a-z]+)$",
        views.export,
        name="export",
    ),
    path("import/", views.upload, name="import"),
    path("import/preview/<str:token>/", views.preview, name="preview"),
    path("import/confirm/", views.confirm, name="confirm"),
    path("project/<int:pk>/history/", views.history, name="history"),
    path("indicator/<int:pk>/restore/", views.restore, name="restore"),
    path("targets/project/<int:pk>/edit/", views.edit, name="edit"),
    path("targets/parse/", views.parse, name="parse"),
    path("targets/goal/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
]
