"""What the staff dashboard shows, read in a fixed number of queries whatever the number of rows.

Counts and groupings are aggregated by the database. Medians (time per order stage, customer-maker distance)
are taken in Python from one windowed query over a bounded recent period, because SQLite has no median.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, FloatField, Max, Min, Q, Sum
from django.db.models.expressions import Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Lead, TruncDate
from django.utils import timezone

from core.models import OutboxMessage, StatusEvent
from designs.models import DesignVersion, VersionStatus
from makers.models import Maker
from orders.matching.geo import haversine_km, shipping_co2_kg
from orders.models import (
    JOB_ACTIVE,
    JOB_DROPPED,
    JOB_HELD,
    Batch,
    BatchStatus,
    Job,
    JobItem,
    JobStatus,
    Order,
    OrderEvent,
    OrderStatus,
)

LIST_LIMIT = 20
ORDERS_PER_DAY_DAYS = 30
STAGE_WINDOW_DAYS = 30
SOURCING_WINDOW_DAYS = 90
# Upper bounds on rows fetched for the medians, so one page view never reads an unbounded table.
MAX_STAGE_EVENTS = 20_000
MAX_SOURCING_ROWS = 5_000
UTILISATION_MAKERS = 15
# Stages an order waits in before it moves on (delivered and cancelled are final).
ORDER_STAGES = (
    OrderStatus.PLACED,
    OrderStatus.CONFIRMED,
    OrderStatus.ROUTING,
    OrderStatus.ON_HOLD,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.SHIPPED,
)
JOB_IN_HAND = (JobStatus.ACCEPTED, JobStatus.PRINTING, JobStatus.PRINTED)
DISTANCE_BANDS_KM = ((0, 10), (10, 25), (25, 50), (50, 100), (100, 200), (200, None))


@dataclass(frozen=True)
class FailureGroup:
    error_code: str
    count: int
    last_week: int
    example: DesignVersion | None


@dataclass(frozen=True)
class StageTime:
    status: str
    label: str
    median_hours: float
    orders: int


@dataclass(frozen=True)
class MakerLoad:
    maker: Maker
    active_jobs: int
    capacity: int
    utilisation: float


@dataclass(frozen=True)
class LocalSourcing:
    jobs: int
    median_distance_km: float | None
    local_co2_kg: float
    central_co2_kg: float
    distance_bands: list  # (label, jobs)

    @property
    def saved_kg(self) -> float:
        return self.central_co2_kg - self.local_co2_kg

    @property
    def saved_fraction(self) -> float | None:
        return self.saved_kg / self.central_co2_kg if self.central_co2_kg else None


def batches_by_status() -> dict[str, int]:
    counts = dict(Batch.objects.order_by().values_list("status").annotate(count=Count("id")))
    return {status: counts.get(status, 0) for status in BatchStatus.values}


def active_batches():
    return list(
        Batch.objects.filter(status__in=[BatchStatus.OPEN, BatchStatus.IN_PRODUCTION])
        .select_related("maker", "material")
        .annotate(live_jobs=Count("jobs", filter=~Q(jobs__status__in=JOB_DROPPED)))
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )


def job_counts(now: datetime) -> dict[str, int]:
    """Offers expiring within the hour, offers past expiry the sweep has not closed, jobs past due."""
    return Job.objects.aggregate(
        expiring=Count(
            "id",
            filter=Q(
                status=JobStatus.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=now + timedelta(hours=1)
            ),
        ),
        stale_offers=Count("id", filter=Q(status=JobStatus.OFFERED, offer_expires_at__lte=now)),
        overdue=Count("id", filter=Q(status__in=JOB_IN_HAND, due_at__lt=now)),
        in_hand=Count("id", filter=Q(status__in=JOB_IN_HAND)),
    )


def expiring_offers(now: datetime):
    return list(
        Job.objects.filter(
            status=JobStatus.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=now + timedelta(hours=1)
        )
        .select_related("maker", "material")
        .order_by("offer_expires_at", "id")[:LIST_LIMIT]
    )


def overdue_jobs(now: datetime):
    return list(
        Job.objects.filter(status__in=JOB_IN_HAND, due_at__lt=now)
        .select_related("maker", "material")
        .order_by("due_at", "id")[:LIST_LIMIT]
    )


def analysis_failures(now: datetime) -> list[FailureGroup]:
    groups = list(
        DesignVersion.objects.filter(status=VersionStatus.FAILED)
        .order_by()
        .values("error_code")
        .annotate(
            count=Count("id"),
            last_week=Count("id", filter=Q(status_changed_at__gte=now - timedelta(days=7))),
            latest=Max("id"),
        )
        .order_by("-count", "error_code")[:LIST_LIMIT]
    )
    examples = DesignVersion.objects.select_related("design").in_bulk([group["latest"] for group in groups])
    return [
        FailureGroup(
            error_code=group["error_code"] or "unknown",
            count=group["count"],
            last_week=group["last_week"],
            example=examples.get(group["latest"]),
        )
        for group in groups
    ]


def outbox_backlog() -> dict:
    return OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(count=Count("id"), oldest=Min("created_at"))


def orders_per_day(today: date, *, days: int = ORDERS_PER_DAY_DAYS) -> list[tuple[date, int]]:
    start = today - timedelta(days=days - 1)
    counts = dict(
        Order.objects.filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day")
        .annotate(count=Count("id"))
    )
    return [(start + timedelta(days=offset), counts.get(start + timedelta(days=offset), 0)) for offset in range(days)]


def stage_times(now: datetime) -> list[StageTime]:
    """Median time orders spent in each stage: from the event entering it to the next event of that order."""
    rows = (
        OrderEvent.objects.filter(
            kind=StatusEvent.KIND_STATUS, order__created_at__gte=now - timedelta(days=STAGE_WINDOW_DAYS)
        )
        .annotate(
            left_at=Window(
                Lead("created_at"),
                partition_by=[F("order_id")],
                order_by=[F("created_at").asc(), F("id").asc()],
            )
        )
        .order_by()
        .values_list("order_id", "to_status", "created_at", "left_at")[:MAX_STAGE_EVENTS]
    )
    durations = defaultdict(list)
    orders = defaultdict(set)
    for order_id, status, entered_at, left_at in rows:
        if left_at is not None:
            durations[status].append((left_at - entered_at).total_seconds() / 3600)
            orders[status].add(order_id)
    labels = dict(OrderStatus.choices)
    return [
        StageTime(
            status=status,
            label=labels[status],
            median_hours=statistics.median(durations[status]),
            orders=len(orders[status]),
        )
        for status in ORDER_STAGES
        if durations[status]
    ]


def maker_utilisation() -> tuple[list[MakerLoad], dict]:
    makers = list(
        Maker.objects.filter(is_active=True, capacity__gt=0)
        .annotate(active_jobs=Count("jobs", filter=Q(jobs__status__in=JOB_ACTIVE)))
        .annotate(ratio=Cast(F("active_jobs"), FloatField()) / Cast(F("capacity"), FloatField()))
        .order_by("-ratio", "name")[:UTILISATION_MAKERS]
    )
    totals = Maker.objects.filter(is_active=True).aggregate(makers=Count("id"), capacity=Sum("capacity"))
    totals["active_jobs"] = Job.objects.filter(status__in=JOB_ACTIVE, maker__is_active=True).count()
    totals["capacity"] = totals["capacity"] or 0
    totals["utilisation"] = totals["active_jobs"] / totals["capacity"] if totals["capacity"] else None
    loads = [
        MakerLoad(maker=maker, active_jobs=maker.active_jobs, capacity=maker.capacity, utilisation=maker.ratio)
        for maker in makers
    ]
    return loads, totals


def _band_label(low: float, high: float | None) -> str:
    return f"{low:g}-{high:g} km" if high is not None else f"over {low:g} km"


def local_sourcing(now: datetime) -> LocalSourcing:
    """Jobs makers took (last 90 days): median customer-maker distance and shipping CO2 against one factory.

    Both sides use ``shipping_co2_kg`` with the parts' mass: a van from the local maker, a lorry from the
    central factory (settings CENTRAL_FACTORY_*) to the same address.
    """
    mass = Cast(KeyTextTransform("total_mass_g", "order_item__price_breakdown"), FloatField())
    rows = (
        JobItem.objects.filter(
            job__status__in=JOB_HELD, job__offered_at__gte=now - timedelta(days=SOURCING_WINDOW_DAYS)
        )
        .order_by()
        .values_list(
            "job_id",
            "job__distance_km",
            "job__order__ship_to_latitude",
            "job__order__ship_to_longitude",
            "quantity",
            "order_item__quantity",
        )
        .annotate(mass_g=mass)[:MAX_SOURCING_ROWS]
    )
    jobs: dict[int, dict] = {}
    for job_id, distance, latitude, longitude, quantity, item_quantity, mass_g in rows:
        job = jobs.setdefault(job_id, {"distance": distance, "lat": latitude, "lon": longitude, "mass_g": 0.0})
        job["mass_g"] += (mass_g or 0.0) * quantity / max(item_quantity or 1, 1)
    factory = (settings.CENTRAL_FACTORY_LATITUDE, settings.CENTRAL_FACTORY_LONGITUDE)
    local = central = 0.0
    bands = [0] * len(DISTANCE_BANDS_KM)
    for job in jobs.values():
        mass_kg = job["mass_g"] / 1000
        local += shipping_co2_kg(distance_km=job["distance"], mass_kg=mass_kg, mode="van")
        central_distance = haversine_km(job["lat"], job["lon"], *factory)
        central += shipping_co2_kg(distance_km=central_distance, mass_kg=mass_kg, mode="road")
        for index, (low, high) in enumerate(DISTANCE_BANDS_KM):
            if job["distance"] >= low and (high is None or job["distance"] < high):
                bands[index] += 1
                break
    distances = [job["distance"] for job in jobs.values()]
    return LocalSourcing(
        jobs=len(jobs),
        median_distance_km=statistics.median(distances) if distances else None,
        local_co2_kg=local,
        central_co2_kg=central,
        distance_bands=[
            (_band_label(low, high), count) for (low, high), count in zip(DISTANCE_BANDS_KM, bands, strict=True)
        ],
    )


@dataclass(frozen=True)
class DashboardData:
    now: datetime
    batches_by_status: dict
    active_batches: list
    job_counts: dict
    expiring_offers: list
    overdue_jobs: list
    analysis_failures: list
    outbox: dict
    orders_per_day: list
    stage_times: list
    maker_loads: list
    maker_totals: dict
    sourcing: LocalSourcing


def dashboard_data(*, now: datetime | None = None) -> DashboardData:
    """Everything the dashboard reads from the database (about a dozen queries, however many rows)."""
    now = now or timezone.now()
    loads, totals = maker_utilisation()
    return DashboardData(
        now=now,
        batches_by_status=batches_by_status(),
        active_batches=active_batches(),
        job_counts=job_counts(now),
        expiring_offers=expiring_offers(now),
        overdue_jobs=overdue_jobs(now),
        analysis_failures=analysis_failures(now),
        outbox=outbox_backlog(),
        orders_per_day=orders_per_day(timezone.localdate(now)),
        stage_times=stage_times(now),
        maker_loads=loads,
        maker_totals=totals,
        sourcing=local_sourcing(now),
    )
