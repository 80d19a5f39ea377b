"""URLs: built in lists, row after row; absolute for what leaves the site; back to paths for what stays."""

import functools

from django.conf import settings


@functools.cache
def url_pattern(name: str, *parameters: str) -> str:
    """The path of the URL named ``name`` with a ``{parameter}`` hole for each integer parameter, resolved once:
    lists build a URL per row, and a full ``reverse()`` each time was a tenth of a list request."""
    from django.urls import reverse

    stand_ins = {parameter: 918273645000 + index for index, parameter in enumerate(parameters)}
    path = reverse(name, kwargs=stand_ins)
    for parameter, number in stand_ins.items():
        path = path.replace(str(number), "{" + parameter + "}")
    return path


def absolute_url(path: str) -> str:
    """``path`` on this site as others reach it (``SITE_URL``): links in e-mails, providers' return URLs."""
    return settings.SITE_URL.rstrip("/") + path


def site_path(url: str) -> str:
    """An absolute URL of this site as a path, so it opens on whatever host serves the request (a dev server on
    another port); any other URL unchanged."""
    site = settings.SITE_URL.rstrip("/")
    return url.removeprefix(site) if url.startswith(site + "/") else url
