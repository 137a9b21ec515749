"""The public survey form, reached by random tokens only (no login, no ids)."""

from __future__ import annotations

from django.urls import path

from jixiao.surveys import public

app_name = "surveys_public"

urlpatterns = [
    path("<str:token>/", public.answer, name="answer"),
    path("i/<str:token>/", public.invited, name="invited"),
]
