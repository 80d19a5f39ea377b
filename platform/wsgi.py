"""WSGI entry point: ``python -m gunicorn platform.wsgi`` (through the interpreter, so the project's
``platform`` package is found before the standard module)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings.production")

application = get_wsgi_application()
