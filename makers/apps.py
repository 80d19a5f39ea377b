from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MakersConfig(AppConfig):
    name = "makers"
    verbose_name = _("Makers and printers")
