from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "platform.core"
    label = "core"
    verbose_name = "Platform core"

    def ready(self):
        # Django processes (web, manage.py) need the project's Celery app as the current app, so that
        # `.delay()` and the outbox publish to the configured broker.
        from platform.celery import app  # noqa: F401
