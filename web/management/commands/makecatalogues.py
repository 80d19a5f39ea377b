"""Bring every translation catalogue up to date with the source, then compile them.

``python manage.py makecatalogues`` runs ``makemessages`` for every language but the source one (English) over the
whole project: strings under an app with a ``locale/`` folder go to that app's catalogue, the rest (``templates/``,
``platform/``) to the project's ``locale/``; the page scripts' strings (``static/js``) go to the project's
``djangojs`` catalogue. Then ``compilemessages`` writes the ``.mo`` files (committed: the demo runs without
gettext). Needs GNU gettext (``apt-get install gettext``).
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# The apps that keep their own catalogue (<app>/locale/); platform/ and templates/ use the project's.
APPS_WITH_CATALOGUES = (
    "core",
    "accounts",
    "catalogue",
    "designs",
    "slicing",
    "makers",
    "billing",
    "orders",
    "codesign",
    "web",
)
# What is not the platform's own text: environments, data, tests, benchmarks, third-party assets.
IGNORED = [
    ".venv",
    ".venv-tools",
    "var",
    "staticfiles",
    "static/vendor",
    "node_modules",
    "tests",
    "bench",
    "docs",
    "scripts",
    "test-artifacts",
    "dev.py",
]


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Command(BaseCommand):
    help = "makemessages for every language (django and djangojs domains), then compilemessages."

    def add_arguments(self, parser):
        parser.add_argument("--no-compile", action="store_true", help="only extract, do not write .mo files")

    def handle(self, *args, no_compile=False, **options):
        root = Path(settings.BASE_DIR)
        for app in APPS_WITH_CATALOGUES:
            (root / app / "locale").mkdir(exist_ok=True)
        languages = translated_languages()
        verbosity = options.get("verbosity", 1)
        common = {"locale": languages, "ignore_patterns": IGNORED, "no_obsolete": True, "verbosity": verbosity}
        call_command("makemessages", domain="django", extensions=["html", "txt", "py"], **common)
        call_command("makemessages", domain="djangojs", extensions=["js"], **common)
        if not no_compile:
            call_command("compilemessages", locale=languages, ignore_patterns=IGNORED, verbosity=verbosity)
