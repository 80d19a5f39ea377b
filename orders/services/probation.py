"""A new maker's probation: few jobs at a time until its first deliveries arrived without a claim (it reads jobs
and claims, so it lives with them).

A maker approved from an application starts with ``on_probation``; matching then lets it hold at most
MAKER_PROBATION_MAX_JOBS jobs not yet shipped (``quoting.maker_candidates``). Each confirmed delivery reviews it:
once MAKER_PROBATION_DELIVERIES of its jobs were delivered without a claim since its latest claim (a claim starts
the count again), the probation is lifted for good.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from makers.models import Maker
from orders.models import JOB_ACTIVE, Claim, Job, JobStatus


@dataclass(frozen=True)
class Probation:
    on_probation: bool
    max_jobs: int  # jobs in hand allowed while on probation
    jobs_in_hand: int  # offered, accepted, printing or printed: not yet shipped
    clean_deliveries: int  # delivered without a claim, since its latest claim
    deliveries_needed: int

    @property
    def deliveries_to_go(self) -> int:
        return max(self.deliveries_needed - self.clean_deliveries, 0)

    @property
    def is_full(self) -> bool:
        return self.on_probation and self.jobs_in_hand >= self.max_jobs


def clean_deliveries(maker_id: int) -> int:
    """The maker's jobs delivered without a claim on them, counted from its latest claim on (any job)."""
    latest_claim = Claim.objects.filter(job__maker_id=maker_id).aggregate(latest=Max("created_at"))["latest"]
    jobs = Job.objects.filter(
        maker_id=maker_id, status=JobStatus.SHIPPED, order__delivered_at__isnull=False, claims__isnull=True
    )
    if latest_claim is not None:
        jobs = jobs.filter(order__delivered_at__gt=latest_claim)
    return jobs.distinct().count()


def maker_probation(maker: Maker) -> Probation:
    """Where the maker stands (for its own pages and staff)."""
    return Probation(
        on_probation=maker.on_probation,
        max_jobs=settings.MAKER_PROBATION_MAX_JOBS,
        jobs_in_hand=Job.objects.filter(maker_id=maker.pk, status__in=JOB_ACTIVE).count(),
        clean_deliveries=clean_deliveries(maker.pk),
        deliveries_needed=settings.MAKER_PROBATION_DELIVERIES,
    )


def maker_probation_review(*, maker_id: int) -> bool:
    """Lift the maker's probation once enough clean deliveries are in; returns whether it is on probation."""
    if not Maker.objects.filter(pk=maker_id, on_probation=True).exists():
        return False
    if clean_deliveries(maker_id) < settings.MAKER_PROBATION_DELIVERIES:
        return True
    Maker.objects.filter(pk=maker_id).update(on_probation=False)
    return False
