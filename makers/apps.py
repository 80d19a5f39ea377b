from django.apps import AppConfig


class MakersConfig(AppConfig):
    name = "makers"
    verbose_name = "Makers and printers"
