"""Reads of the catalogue."""

from django.db.models import QuerySet

from catalogue.models import Material


def active_materials() -> QuerySet[Material]:
    """The materials customers can order, in the catalogue's order (process, then code)."""
    return Material.objects.filter(is_active=True).order_by("process", "code")
