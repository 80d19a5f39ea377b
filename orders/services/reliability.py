"""A maker's reliability score, kept from the history of its jobs (it reads jobs, so it lives with them)."""

from django.db import transaction
from django.db.models import Avg, DurationField, ExpressionWrapper, F

from makers.models import Maker
from orders.models import JobStatus

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
