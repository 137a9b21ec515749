"""The Django project around the apps: settings, checks, the console script and the admin."""

from __future__ import annotations

import pytest
from django.core.checks import Error
from django.test import override_settings
from django.urls import reverse

from jixiao.checks import check_secret_key
from jixiao.lib.actor import Actor
from jixiao.settings import envbool, envint
from jixiao.targets.models import Indicator, Project, Revision, UnitGoal
from jixiao.units.models import Unit


@override_settings(DEBUG=False, SECRET_KEY="django-insecure-jixiao-local-demo-only")
def test_development_secret_key_is_refused_without_debug():
    (error,) = check_secret_key()

    assert isinstance(error, Error)
    assert error.id == "jixiao.E001"


@override_settings(DEBUG=False, SECRET_KEY="a-long-random-production-key-0123456789")
def test_own_secret_key_passes_without_debug():
    assert check_secret_key() == []


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("JIXIAO_X", "off")
    monkeypatch.setenv("JIXIAO_N", "7")

    assert (envbool("JIXIAO_X", True), envint("JIXIAO_N", 0), envint("JIXIAO_MISSING", 3)) == (
        False,
        7,
        3,
    )


def test_env_bool_refuses_a_typo(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("JIXIAO_X", "ture")

    with pytest.raises(ImproperlyConfigured):
        envbool("JIXIAO_X", True)


@pytest.mark.parametrize("model", [Unit, UnitGoal, Project, Indicator, Revision])
def test_admin_lists_and_forms_render_in_chinese(admin_client, demo_document, model):
    from jixiao.targets.services import import_document

    import_document(demo_document, actor=Actor.system(), source="seed.txt")
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    obj = model.objects.first()
    change = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert changelist.status_code == change.status_code == 200
    assert "绩效管理系统 管理后台" in changelist.text
    assert str(opts.verbose_name) in change.text


def test_revision_admin_is_read_only(admin_client, demo_document):
    from jixiao.targets.services import import_document

    import_document(demo_document, actor=Actor.system(), source="seed.txt")
    revision = Revision.objects.first()

    assert admin_client.get(reverse("admin:targets_revision_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:targets_revision_delete", args=[revision.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Revision.objects.filter(pk=revision.pk).exists()


@pytest.mark.django_db
def test_migrations_match_the_models():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
