"""Reads of slices: one cache key's row, a version's rows, and whether the slicer can run here."""

from django.db.models import QuerySet

from slicing.models import Slice
from slicing.services import normalise_build_volume, slicer_unavailable_reason


def slice_for(
    *, version_id: int, material_code: str, printer_profile: str, copies: int = 1, build_volume_mm=None
) -> Slice | None:
    """The slice of this cache key, or None when none was requested (one query)."""
    return (
        Slice.objects.select_related("material")
        .filter(
            design_version_id=version_id,
            material__code=material_code,
            printer_profile=(printer_profile or "").strip(),
            build_volume_mm=normalise_build_volume(build_volume_mm),
            copies=copies,
        )
        .first()
    )


def slices_for_version(*, version_id: int) -> QuerySet[Slice]:
    """Every slice of a design version, newest first, with its material (one query)."""
    return Slice.objects.select_related("material").filter(design_version_id=version_id).order_by("-created_at", "-id")


def slicer_health() -> str:
    """``"ok"`` when PrusaSlicer can run on this server, else ``"unavailable: <reason>"`` (quotes then stay
    estimates; the platform still works, so this never makes the health answer 503)."""
    reason = slicer_unavailable_reason()
    return f"unavailable: {reason}" if reason else "ok"
