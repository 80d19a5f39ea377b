"""A maker's own numbers: acceptance, punctuality, failures, response time, its reliability score and how it is
computed with its own figures, and where its probation stands (they read jobs and claims, so they live here)."""

from django.shortcuts import render

from core.pages import maker_required
from makers.pages.views import own_maker
from orders.services.probation import maker_probation
from orders.services.reliability import PRIOR_RELIABILITY, PRIOR_WEIGHT, WEIGHTS, reliability_parts


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@maker_required
def maker_numbers(request):
    """Makers: their own numbers (their maker only)."""
    maker = own_maker(request.user)
    parts = reliability_parts(maker)
    return render(
        request,
        "orders/maker/numbers.html",
        {
            "maker": maker,
            "parts": parts,
            "acceptance_rate": _rate(parts.offers_accepted, parts.offers_answered),
            "on_time_rate": _rate(parts.jobs_shipped_on_time, parts.jobs_shipped),
            "weights": WEIGHTS,
            "points": {name: weight * getattr(parts, name) for name, weight in WEIGHTS.items()},
            "prior": PRIOR_RELIABILITY,
            "prior_weight": PRIOR_WEIGHT,
            "prior_successes": PRIOR_RELIABILITY * PRIOR_WEIGHT,
            "accepted_without_failure": (parts.offers_accepted - parts.jobs_failed) if parts.offers_accepted else 0,
            "probation": maker_probation(maker),
        },
    )
