from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "jixiao.workbench"
    verbose_name = "工作台"
