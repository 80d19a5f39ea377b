"""Estimates that learn: each printer's correction factor from the real print times its agent reported."""

from django.conf import settings

from makers.models import Printer
from orders.models import Job
from orders.pricing.corrections import Correction, PrintSample, correction


def printer_samples(*, printer_id: int) -> list[PrintSample]:
    """The printer's latest finished prints (at most AGENT_CORRECTION_SAMPLES), newest first: one query."""
    rows = (
        Job.objects.filter(
            printer_id=printer_id, actual_seconds__gt=0, estimated_print_seconds__gt=0, print_finished_at__isnull=False
        )
        .order_by("-print_finished_at", "-id")
        .values_list("estimated_print_seconds", "actual_seconds")[: settings.AGENT_CORRECTION_SAMPLES]
    )
    return [PrintSample(estimated_seconds=estimated, actual_seconds=actual) for estimated, actual in rows]


def printer_refresh_correction(*, printer_id: int) -> Correction:
    """Recompute the printer's correction factor (median of actual / estimated, clamped to AGENT_CORRECTION_MIN
    .. AGENT_CORRECTION_MAX) and its estimate errors before and after (the corrected ones as quoted then: see
    ``orders.pricing.corrections.correction``), and keep them on the printer."""
    result = correction(
        printer_samples(printer_id=printer_id),
        minimum=settings.AGENT_CORRECTION_MIN,
        maximum=settings.AGENT_CORRECTION_MAX,
        min_samples=settings.AGENT_CORRECTION_MIN_SAMPLES,
    )
    Printer.objects.filter(pk=printer_id).update(
        correction_factor=result.factor,
        correction_samples=result.samples,
        estimate_error_raw=result.error_raw,
        estimate_error_corrected=result.error_corrected,
    )
    return result


def correction_in_use(*, factor: float, samples: int) -> float:
    """The factor quotes use: the printer's own once it has AGENT_CORRECTION_MIN_SAMPLES prints, else 1."""
    return float(factor) if samples >= settings.AGENT_CORRECTION_MIN_SAMPLES else 1.0
