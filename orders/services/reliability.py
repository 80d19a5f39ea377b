"""A maker's reliability score, kept from the history of its jobs (it reads jobs, so it lives with them)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, DurationField, ExpressionWrapper, F

from makers.models import Maker
from orders.models import JobStatus

# A new maker starts near this reliability; its own history outweighs it after a handful of jobs.
PRIOR_RELIABILITY = 0.8
PRIOR_WEIGHT = 5


def _smoothed(successes: int, trials: int) -> float:
    return (successes + PRIOR_RELIABILITY * PRIOR_WEIGHT) / (trials + PRIOR_WEIGHT)


@dataclass(frozen=True)
class ReliabilityParts:
    """What a maker's reliability is made of, from its jobs (the figures the maker's numbers page explains)."""

    offers_answered: int  # offers accepted, declined or left to expire
    offers_accepted: int
    jobs_shipped: int
    jobs_shipped_on_time: int
    jobs_failed: int
    average_response_hours: float  # offer to answer; 0 when it never answered one
    hours_to_respond: int  # what the maker says is usual

    @property
    def acceptance(self) -> float:
        return _smoothed(self.offers_accepted, self.offers_answered)

    @property
    def on_time(self) -> float:
        return _smoothed(self.jobs_shipped_on_time, self.jobs_shipped)

    @property
    def no_failure(self) -> float:
        accepted = self.offers_accepted
        return _smoothed((accepted - self.jobs_failed) if accepted else 0, accepted)

    @property
    def speed(self) -> float:
        if not self.average_response_hours:
            return PRIOR_RELIABILITY
        return max(0.0, 1.0 - self.average_response_hours / max(self.hours_to_respond * 2, 1))

    @property
    def score(self) -> float:
        total = (
            WEIGHTS["acceptance"] * self.acceptance
            + WEIGHTS["on_time"] * self.on_time
            + WEIGHTS["no_failure"] * self.no_failure
            + WEIGHTS["speed"] * self.speed
        )
        return min(max(total, 0.0), 1.0)


WEIGHTS = {"acceptance": 0.35, "on_time": 0.30, "no_failure": 0.20, "speed": 0.15}


def reliability_parts(maker: Maker) -> ReliabilityParts:
    """The maker's figures, read from its jobs (six queries)."""
    jobs = maker.jobs.all()
    answered = jobs.exclude(status__in=[JobStatus.OFFERED, JobStatus.CANCELLED])
    offers = answered.count()
    accepted = answered.exclude(status__in=[JobStatus.DECLINED, JobStatus.EXPIRED]).count()
    shipped = jobs.filter(status=JobStatus.SHIPPED)
    response = (
        jobs.filter(responded_at__isnull=False)
        .annotate(waited=ExpressionWrapper(F("responded_at") - F("offered_at"), output_field=DurationField()))
        .aggregate(avg=Avg("waited", output_field=DurationField()))["avg"]
    )
    return ReliabilityParts(
        offers_answered=offers,
        offers_accepted=accepted,
        jobs_shipped=shipped.count(),
        jobs_shipped_on_time=shipped.filter(shipped_at__lte=F("due_at")).count(),
        jobs_failed=jobs.filter(status=JobStatus.FAILED).count(),
        average_response_hours=_duration_hours(response),
        hours_to_respond=maker.hours_to_respond,
    )


def maker_refresh_reliability(*, maker_id: int) -> float:
    """Recompute a maker's score from its jobs: acceptance, response time, shipping on time, failures.

    reliability = 0.35 acceptance + 0.30 on-time + 0.20 no-failure + 0.15 response speed, each rate smoothed
    towards 0.8 with five pseudo-jobs so one early decline does not sink a new maker (``ReliabilityParts``).
    """
    with transaction.atomic():
        maker = Maker.objects.select_for_update().get(pk=maker_id)
        parts = reliability_parts(maker)
        score = parts.score
        Maker.objects.filter(pk=maker_id).update(
            offers_accepted=parts.offers_accepted,
            jobs_shipped=parts.jobs_shipped,
            jobs_shipped_on_time=parts.jobs_shipped_on_time,
            jobs_failed=parts.jobs_failed,
            average_response_hours=round(parts.average_response_hours, 2),
            reliability=round(score, 4),
        )
    return score


def _duration_hours(value) -> float:
    return value.total_seconds() / 3600 if value is not None else 0.0
