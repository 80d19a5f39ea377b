"""Estimates that learn: a printer's correction factor from its real print times (pure, no Django).

The factor is the median of actual / estimated over the printer's latest prints: one print that ran all night
because the filament jammed (or one cut short) moves a median of five by nothing, where a mean would follow it.
It is clamped, so a printer can never be quoted at a tenth or ten times the slicer's time.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PrintSample:
    estimated_seconds: float
    actual_seconds: float


@dataclass(frozen=True, kw_only=True)
class Correction:
    factor: float  # 1.0 when there are no samples
    samples: int
    error_raw: float | None  # median of |estimate - actual| / actual, of the slicer's own estimates
    # the same for the estimates as the platform corrected them then: each print's estimate times the factor learnt
    # from the prints before it (1 while there were fewer than the minimum): out of sample, so one print alone
    # does not show a perfect correction
    error_corrected: float | None


def correction(samples: Sequence[PrintSample], *, minimum: float, maximum: float, min_samples: int = 1) -> Correction:
    """The clamped median ratio of ``samples`` (newest first; those with both times above zero), and the errors of
    the slicer's estimates and of the corrected ones. The factor counts from ``min_samples`` prints on."""
    usable = [sample for sample in samples if sample.estimated_seconds > 0 and sample.actual_seconds > 0]
    if not usable:
        return Correction(factor=1.0, samples=0, error_raw=None, error_corrected=None)
    corrected = [
        _error(sample, _factor(usable[index + 1 :], minimum, maximum, min_samples))
        for index, sample in enumerate(usable)
    ]
    return Correction(
        factor=round(_factor(usable, minimum, maximum, 1), 4),
        samples=len(usable),
        error_raw=round(statistics.median(_error(sample, 1.0) for sample in usable), 4),
        error_corrected=round(statistics.median(corrected), 4),
    )


def _factor(samples: Sequence[PrintSample], minimum: float, maximum: float, min_samples: int) -> float:
    if not samples or len(samples) < min_samples:
        return 1.0
    median = statistics.median(sample.actual_seconds / sample.estimated_seconds for sample in samples)
    return min(maximum, max(minimum, median))


def _error(sample: PrintSample, factor: float) -> float:
    return abs(sample.estimated_seconds * factor - sample.actual_seconds) / sample.actual_seconds
