from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jixiao.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Kinds other than the exports (which kinds.py registers itself) register on import.
        from jixiao.jobs import ledger_import, target_read  # noqa: F401
