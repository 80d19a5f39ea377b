"""The production settings with one more URL: the trivial DRF endpoint the API-under-load benchmark uses as
its ceiling. ``ROOT_URLCONF`` is not an environment setting, so this module (benchmark-only, never deployed)
is how the same server answers both the real endpoints and the ceiling in one run."""

from platform.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"
