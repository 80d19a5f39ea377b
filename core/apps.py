from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Platform core"

    def ready(self):
        # Django processes (web, manage.py) need the project's Celery app handed to the outbox and its tasks
        # registered, so that the outbox publishes through the task objects (which honour eager mode in
        # unit tests) rather than by name. Imported here: models load only once the registry is ready.
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.utils.module_loading import autodiscover_modules

        from core import readcache
        from core.queueing import use_celery_app

        # The one import of the project package from the foundation (allowed by name in the import-linter
        # contracts): Django cannot be told the Celery app any other way before the first task is sent.
        from platform.celery import app

        use_celery_app(app)
        autodiscover_modules("tasks")
        # Every database connection reports the tables it writes, so kept API reads go out of date at once.
        connection_created.connect(readcache.install, dispatch_uid="core.readcache.install")
        for existing in connections.all(initialized_only=True):
            readcache.install(connection=existing)
