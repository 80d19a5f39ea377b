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
    error_corrected: float | None  # the same with each estimate multiplied by the factor


def correction(samples: Sequence[PrintSample], *, minimum: float, maximum: float) -> Correction:
    """The clamped median ratio of ``samples`` (those with both times above zero) and the errors before/after."""
    usable = [sample for sample in samples if sample.estimated_seconds > 0 and sample.actual_seconds > 0]
    if not usable:
        return Correction(factor=1.0, samples=0, error_raw=None, error_corrected=None)
    median = statistics.median(sample.actual_seconds / sample.estimated_seconds for sample in usable)
    factor = min(maximum, max(minimum, median))
    return Correction(
        factor=round(factor, 4),
        samples=len(usable),
        error_raw=round(_median_error(usable, 1.0), 4),
        error_corrected=round(_median_error(usable, factor), 4),
    )


def _median_error(samples: Sequence[PrintSample], factor: float) -> float:
    return statistics.median(
        abs(sample.estimated_seconds * factor - sample.actual_seconds) / sample.actual_seconds for sample in samples
    )
