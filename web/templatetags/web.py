"""Small helpers for the page templates: unread notifications, status badges, durations, numbers."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import duration_text, money_text, number_text
from core.models import Notification
from designs.pages.report import size_text

register = template.Library()

# Status words grouped by how they feel to the person reading: a colour class per group.
STATUS_TONES = {
    "ready": "good",
    "delivered": "good",
    "shipped": "good",
    "completed": "good",
    "accepted": "good",
    "printed": "good",
    "failed": "bad",
    "cancelled": "muted",
    "declined": "muted",
    "expired": "muted",
    "on_hold": "warn",
    "queued": "busy",
    "analysing": "busy",
    "routing": "busy",
    "offered": "warn",
    "printing": "busy",
    "in_production": "busy",
    "open": "busy",
    # printers and prints as the print agents report them
    "idle": "good",
    "finished": "good",
    "error": "bad",
    "offline": "muted",
    "uploaded": "busy",
    "waiting": "warn",
}


# Status words for a badge given no label of its own (a row's get_status_display is translated by its model).
STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "analysing": gettext_lazy("Analysing"),
    "ready": gettext_lazy("Ready"),
    "failed": gettext_lazy("Failed"),
}


@register.simple_tag
def unread_notifications(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@register.inclusion_tag("web/_status.html")
def status_badge(status: str, label: str = ""):
    text = str(label or STATUS_LABELS.get(status) or str(status).replace("_", " "))
    return {"status": status, "label": text[:1].upper() + text[1:], "tone": STATUS_TONES.get(status, "")}


@register.filter
def duration_until(moment: datetime | None) -> str:
    """'2 h 05 min' from now until ``moment`` (the text shown before the countdown script takes over)."""
    if moment is None:
        return "-"
    seconds = int((moment - timezone.now()).total_seconds())
    if seconds <= 0:
        return _("expired")
    return duration_text(seconds)


@register.filter
def percent(value, digits: int = 0) -> str:
    if value is None:
        return "-"
    return number_text(float(value) * 100, int(digits)) + " %"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def co2_text(kilograms) -> str:
    """CO2 in grams below a kilogram (parcels of small parts weigh little), else kilograms."""
    if kilograms is None:
        return "-"
    kilograms = float(kilograms)
    return f"{number_text(kilograms * 1000)} g" if abs(kilograms) < 1 else f"{number_text(kilograms, 2)} kg"


@register.filter
def parameter_list(parameters) -> str:
    """Template parameters as "band width 4, size 54" for a table cell."""
    if not isinstance(parameters, dict):
        return ""
    return ", ".join(f"{name.replace('_', ' ')} {_plain(value)}" for name, value in parameters.items())


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "/".join(_plain(item) for item in value)
    return str(value)


@register.filter
def parameter_value(value) -> str:
    """A parameter as a form field shows it: 4 not 4.0, lists as "30, 40, 45"."""
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return _plain(value)


@register.filter
def size_mm(extents) -> str:
    """[20.7887, 20.7887, 4.0] as "20.8 x 20.8 x 4 mm"."""
    return size_text(extents)


@register.filter
def kilo(value, digits: int = 1) -> str:
    """mm³ as cm³ (or mm² as cm² when the caller divides by 100 instead) - here: value / 1000."""
    if value is None:
        return "-"
    return number_text(float(value) / 1000, int(digits))


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """{{ order.total|money:order.currency }}: "€12.27", "12,27 €", "€ 12,27" by the reader's language."""
    return money_text(amount, currency)


@register.filter
def number(value, digits: int = 0) -> str:
    """{{ distance|number:1 }}: "1,234.5" in English, "1.234,5" in German, "1 234,5" in French."""
    return number_text(value, int(digits))
