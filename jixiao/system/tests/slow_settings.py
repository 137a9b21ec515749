"""Jixiao's settings with the failing test views mounted (``jixiao serve`` in a subprocess)."""

from jixiao.settings import *  # noqa: F403

ROOT_URLCONF = "jixiao.system.tests.urls"
