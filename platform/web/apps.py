from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "platform.web"
    label = "web"
    verbose_name = "Web pages"
