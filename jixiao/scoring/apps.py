from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "jixiao.scoring"
    verbose_name = "自评计分"
    default_auto_field = "django.db.models.BigAutoField"
