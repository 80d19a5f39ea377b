"""The staff dashboard's network view of the printers that print agents drive (issue 18)."""

from collections import Counter

from django.shortcuts import render

from core.pages import staff_required
from makers.models import Printer, PrinterState

MAX_PRINTERS_SHOWN = 500


def network_printers() -> dict:
    """Counts of the agents' printers by live state (offline when not heard from lately) and the printers
    themselves, at most MAX_PRINTERS_SHOWN, by maker (two queries)."""
    printers = list(
        Printer.objects.exclude(agent_state="")
        .select_related("maker", "loaded_material")
        .order_by("maker__name", "name", "pk")[:MAX_PRINTERS_SHOWN]
    )
    counts = Counter(printer.live_state for printer in printers)
    return {
        "printers": printers,
        "states": [(value, label, counts.get(value, 0)) for value, label in PrinterState.choices],
        "without_agent": Printer.objects.filter(agent_state="").count(),
        "limit": MAX_PRINTERS_SHOWN,
    }


@staff_required
def dashboard_printers(request):
    return render(request, "web/staff/printers.html", network_printers())
