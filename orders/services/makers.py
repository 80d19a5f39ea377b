"""Makers: onboarding, their own profile and printers, and the reliability score kept from history."""

from django.db import transaction
from django.db.models import Avg, DurationField, ExpressionWrapper, F
from django.utils.text import slugify

from orders.models import JobStatus, Maker, Material, Printer

# A new maker starts near this reliability; its own history outweighs it after a handful of jobs.
PRIOR_RELIABILITY = 0.8
PRIOR_WEIGHT = 5


def _smoothed(successes: int, trials: int) -> float:
    return (successes + PRIOR_RELIABILITY * PRIOR_WEIGHT) / (trials + PRIOR_WEIGHT)


def maker_refresh_reliability(*, maker_id: int) -> float:
    """Recompute a maker's score from its jobs: acceptance, response time, shipping on time, failures.

    reliability = 0.35 acceptance + 0.30 on-time + 0.20 no-failure + 0.15 response speed, each rate smoothed
    towards 0.8 with five pseudo-jobs so one early decline does not sink a new maker.
    """
    with transaction.atomic():
        maker = Maker.objects.select_for_update().get(pk=maker_id)
        jobs = maker.jobs.all()
        answered = jobs.exclude(status__in=[JobStatus.OFFERED, JobStatus.CANCELLED])
        offers = answered.count()
        accepted = answered.exclude(status__in=[JobStatus.DECLINED, JobStatus.EXPIRED]).count()
        shipped = jobs.filter(status=JobStatus.SHIPPED)
        shipped_count = shipped.count()
        on_time = shipped.filter(shipped_at__lte=F("due_at")).count()
        failed = jobs.filter(status=JobStatus.FAILED).count()
        response = (
            jobs.filter(responded_at__isnull=False)
            .annotate(waited=ExpressionWrapper(F("responded_at") - F("offered_at"), output_field=DurationField()))
            .aggregate(avg=Avg("waited", output_field=DurationField()))["avg"]
        )
        response_hours = _duration_hours(response)
        speed = max(0.0, 1.0 - response_hours / max(maker.hours_to_respond * 2, 1)) if response_hours else 0.8
        score = (
            0.35 * _smoothed(accepted, offers)
            + 0.30 * _smoothed(on_time, shipped_count)
            + 0.20 * _smoothed((accepted - failed) if accepted else 0, accepted)
            + 0.15 * speed
        )
        Maker.objects.filter(pk=maker_id).update(
            offers_accepted=accepted,
            jobs_shipped=shipped_count,
            jobs_shipped_on_time=on_time,
            jobs_failed=failed,
            average_response_hours=round(response_hours or 0.0, 2),
            reliability=round(min(max(score, 0.0), 1.0), 4),
        )
    return score


def _duration_hours(value) -> float:
    return value.total_seconds() / 3600 if value is not None else 0.0


def maker_onboard(
    *, name: str, city: str, country: str, latitude: float, longitude: float, slug: str = "", **fields
) -> Maker:
    """Create or update a maker by slug (staff onboarding and the demo seed)."""
    slug = slug or slugify(name)[:64]
    maker, _ = Maker.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "city": city,
            "country": country,
            "latitude": latitude,
            "longitude": longitude,
            **fields,
        },
    )
    return maker


def printer_upsert(
    *,
    maker: Maker,
    name: str,
    process: str,
    build_volume_mm: tuple[int, int, int],
    material_codes: list[str],
    colours: list[str] | None = None,
    is_online: bool = True,
) -> Printer:
    printer, _ = Printer.objects.update_or_create(
        maker=maker,
        name=name,
        defaults={
            "process": process,
            "build_x_mm": build_volume_mm[0],
            "build_y_mm": build_volume_mm[1],
            "build_z_mm": build_volume_mm[2],
            "colours": colours or [],
            "is_online": is_online,
        },
    )
    printer.materials.set(Material.objects.filter(code__in=material_codes))
    return printer


def maker_update_profile(*, maker: Maker, **fields) -> Maker:
    """A maker edits its own profile (location, capacity, response time, contact)."""
    editable = {
        "name",
        "city",
        "country",
        "latitude",
        "longitude",
        "email",
        "about",
        "capacity",
        "hours_to_respond",
        "is_active",
    }
    changes = {key: value for key, value in fields.items() if key in editable}
    for key, value in changes.items():
        setattr(maker, key, value)
    if changes:
        maker.save(update_fields=sorted(changes))
    return maker


def printer_update(*, printer: Printer, **fields) -> Printer:
    """A maker changes one of its printers (materials, colours, online, build size)."""
    materials = fields.pop("materials", None)
    editable = {"name", "process", "build_x_mm", "build_y_mm", "build_z_mm", "colours", "is_online"}
    changes = {key: value for key, value in fields.items() if key in editable}
    for key, value in changes.items():
        setattr(printer, key, value)
    with transaction.atomic():
        if changes:
            printer.save(update_fields=sorted(changes))
        if materials is not None:
            printer.materials.set(materials)
    return printer


def printer_remove(*, printer: Printer) -> None:
    printer.delete()
