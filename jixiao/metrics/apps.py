from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "jixiao.metrics"
    verbose_name = "口径与实际完成值"
    default_auto_field = "django.db.models.BigAutoField"
