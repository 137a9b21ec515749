"""The demo: Changli County Cyberspace Affairs Office's 2021 targets and a login to explore them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao import importers
from jixiao.core.document import TargetDocument
from jixiao.targets.models import Project, Revision, UnitGoal
from jixiao.targets.services import ImportResult, import_document
from jixiao.units.models import Unit

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "jixiao-demo"
SEED_FILE = "seed-changli-cac-2021.txt"


@dataclass
class DemoResult:
    """What loading the demo did."""

    targets: ImportResult
    user_created: bool

    def summary_lines(self) -> list[str]:
        """The result and the login, in Chinese."""
        if self.targets.changed:
            lines = [_("演示数据："), *self.targets.summary_lines()]
        else:
            lines = [_("演示数据已是最新，无变化。")]
        state = _("新建") if self.user_created else _("已存在")
        lines.append(
            _("演示账号（%(state)s）：用户名 %(user)s，密码 %(password)s")
            % {"state": state, "user": DEMO_USERNAME, "password": DEMO_PASSWORD}
        )
        lines.append(
            _("运行 jixiao runserver 后打开 http://127.0.0.1:8000/ 登录（管理后台在 /admin/）。")
        )
        return lines


def seed_document() -> TargetDocument:
    """The seed target document, read by the same importer users use."""
    with resources.as_file(resources.files("jixiao.demo") / SEED_FILE) as path:
        return importers.load_document(path)


@transaction.atomic
def load_demo(*, reset: bool = False) -> DemoResult:
    """Load the demo targets and login; a second run changes nothing unless ``reset``."""
    document = seed_document()
    user, user_created = _ensure_login(reset=reset)
    if reset:
        _clear_targets(document)
    targets = import_document(document, actor=user, source=SEED_FILE)
    # The demo unit's ledgers (a year of records behind its indicators) will load here.
    return DemoResult(targets=targets, user_created=user_created)


def _ensure_login(*, reset: bool) -> tuple[User, bool]:
    """The demo superuser, created if absent; ``reset`` restores its password and rights."""
    users = get_user_model()
    user = users.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        return users.objects.create_superuser(DEMO_USERNAME, "", DEMO_PASSWORD), True
    if reset:
        user.set_password(DEMO_PASSWORD)
        user.is_active = user.is_staff = user.is_superuser = True
        user.save()
    return user, False


def _clear_targets(document: TargetDocument) -> None:
    """Delete the demo unit's targets and their history for the demo year."""
    # Only the demo may drop history: everywhere else revisions are kept for good.
    assert document.unit is not None and document.year is not None  # the seed has both
    unit = Unit.objects.filter(code=document.unit.code).first()
    if unit is None:
        return
    Revision.objects.filter(unit=unit, year=document.year).delete()
    Project.objects.filter(unit=unit, year=document.year).delete()
    UnitGoal.objects.filter(unit=unit, year=document.year).delete()
