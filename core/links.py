"""URLs built in lists, row after row."""

import functools


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
