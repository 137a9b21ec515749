from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "jixiao.publication"
    label = "publication"
    verbose_name = _("信息公开")
    default_auto_field = "django.db.models.BigAutoField"
