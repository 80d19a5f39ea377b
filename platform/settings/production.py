"""Production: secrets have no default, HTTPS everywhere, hashed static files served by WhiteNoise.

Start with DJANGO_SETTINGS_MODULE=platform.settings.production, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
`python manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

try:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        f"{error}. Production settings need DJANGO_SECRET_KEY (50+ random characters) and "
        "DJANGO_ALLOWED_HOSTS (comma-separated host names)."
    ) from None
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters with 5 or more distinct ones.")

DEBUG = False
# Served over HTTPS (a TLS-terminating proxy in front that sets X-Forwarded-Proto): redirect plain HTTP, send HSTS,
# mark cookies secure. On by default; DJANGO_HTTPS=false only for plain-HTTP local use (the docker-compose quick
# start on http://localhost:8000), where all three would lock the browser out.
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = HTTPS and env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
