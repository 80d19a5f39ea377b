"""Reads of slices: one cache key's row, a version's rows, and whether the slicer can run here."""

from django.conf import settings
from django.db.models import QuerySet

from slicing import prusa
from slicing.models import Slice
from slicing.prusa.bundles import profiles_dir
from slicing.prusa.runner import executable
from slicing.services import normalise_build_volume


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
    program = settings.PRUSASLICER_BIN or None
    if not prusa.available(program):
        return f"unavailable: {executable(program)} is not installed"
    folder = profiles_dir(settings.PRUSASLICER_PROFILES_DIR or None)
    if not (folder / "PrusaResearch.ini").is_file():
        return f"unavailable: no vendor profiles in {folder}"
    return "ok"
