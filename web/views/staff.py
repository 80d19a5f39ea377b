"""The staff dashboard: batches, stuck offers and jobs, failures, queues, and charts; it refreshes itself."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pages import staff_required
from orders.models import BatchStatus
from orders.selectors import orders_on_hold_count
from web import charts
from web.dashboard import dashboard_data
from web.queues import queue_depths, worker_liveness
from web.templatetags.web import co2_text

REFRESH_SECONDS = 15


def _charts(data) -> dict:
    orders_chart = charts.column_chart(
        values=[(day.strftime("%d %b"), count) for day, count in data.orders_per_day], unit=" orders"
    )
    stage_chart = charts.bar_chart(
        rows=[(stage.label, stage.median_hours, _hours_text(stage.median_hours)) for stage in data.stage_times]
    )
    load_chart = charts.bar_chart(
        rows=[(load.maker.name, load.utilisation, f"{load.active_jobs}/{load.capacity}") for load in data.maker_loads],
        label_width=185,
        marker=1.0,
        tones=[
            "bad" if load.utilisation > 1 else "warn" if load.utilisation >= 0.8 else "" for load in data.maker_loads
        ],
    )
    sourcing = data.sourcing
    distance_chart = charts.bar_chart(
        rows=[(label, count, f"{count} job{'s' if count != 1 else ''}") for label, count in sourcing.distance_bands]
    )
    co2_chart = charts.bar_chart(
        rows=[
            (_("Local makers (van)"), sourcing.local_co2_kg, co2_text(sourcing.local_co2_kg)),
            (_("Central factory (lorry)"), sourcing.central_co2_kg, co2_text(sourcing.central_co2_kg)),
        ],
        tones=["", "warn"],
    )
    return {
        "orders_chart": orders_chart,
        "stage_chart": stage_chart,
        "load_chart": load_chart,
        "distance_chart": distance_chart,
        "co2_chart": co2_chart,
    }


def _hours_text(hours: float) -> str:
    if hours < 1 / 60:
        return f"{hours * 3600:.0f} s"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _context() -> dict:
    data = dashboard_data()
    return {
        "data": data,
        "batch_statuses": [(value, label, data.batches_by_status[value]) for value, label in BatchStatus.choices],
        "queues": queue_depths(),
        "worker": worker_liveness(),
        "refresh_seconds": REFRESH_SECONDS,
        "on_hold_count": orders_on_hold_count(),
        **_charts(data),
    }


@staff_required
def dashboard(request):
    return render(request, "web/staff/dashboard.html", _context())


@staff_required
def dashboard_live(request):
    """The dashboard's body alone, fetched by the page every REFRESH_SECONDS."""
    response = render(request, "web/staff/_dashboard_body.html", _context())
    response["Cache-Control"] = "no-store"
    return response
