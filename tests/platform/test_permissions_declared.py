"""Every API endpoint states who may call it: the default (DenyAll) is never what a view relies on."""

import inspect

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from core.permissions import DenyAll


def api_views():
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
                if view is not None and issubclass(view, APIView) and (prefix + str(entry.pattern)).startswith("api/"):
                    yield prefix + str(entry.pattern), view

    return list(walk(get_resolver().url_patterns))


def test_there_are_api_views():
    assert len(api_views()) >= 5


@pytest.mark.parametrize(("route", "view"), api_views(), ids=lambda value: str(value))
def test_each_api_view_declares_its_callers(route, view):
    declares_classes = "permission_classes" in {
        name for klass in view.__mro__ if klass is not APIView for name in vars(klass)
    }
    declares_method = any("get_permissions" in vars(klass) for klass in view.__mro__ if klass is not APIView)
    assert declares_classes or declares_method, f"{route} ({view.__name__}) relies on the default permission"
    if declares_classes and not declares_method:
        assert DenyAll not in view.permission_classes
    assert (inspect.getdoc(view) or "").strip(), f"{route} ({view.__name__}) has no docstring saying who may call it"


def test_default_permission_denies(rf):
    assert DenyAll().has_permission(rf.get("/"), None) is False
