"""Asking PrusaSlicer about a part repair could not close, before it is refused.

A surface with holes repair leaves open is a hard reason of the verdict only when the slicer cannot make a
solid of it either: PrusaSlicer closes or ignores many small gaps. So when a version's analysis is ready and a
material is refused for that reason alone, ``slicer_check_request`` slices the part once per process on a
reference printer (a plain slice of the cache: same key, same row, reused) and the report says the check is
pending; when that slice ends, ``slicer_check_settle`` tells the designs app what the slicer made of it
(``designs.services.design_version_record_slicer_check``, under the version's lock): done and nothing dropped
turns the refusal into a warning the customer accepts; a failure or a drop keeps it, saying so. Where
PrusaSlicer is not installed, nothing is asked and the refusal stands as the analysis wrote it.

Both run from the status door's ``status_changed`` signal (connected in ``SlicingConfig.ready``): in the
transaction that makes the version ready, and in the one that ends the slice.
"""

import logging

from django.db import transaction

from catalogue.models import Material, Process
from core.errors import DomainError
from core.state import Transition
from designs.geometry.materials import (
    SLICER_CHECK_DONE,
    SLICER_CHECK_DROPS,
    SLICER_CHECK_FAILED,
    SLICER_CHECK_PENDING,
)
from designs.models import DesignVersion, VersionStatus
from designs.selectors import open_materials
from designs.services import design_version_record_slicer_check
from slicing.models import SLICE_TERMINAL, Slice, SliceStatus
from slicing.prusa import MATERIAL_KINDS
from slicing.services.slices import slice_request, slicer_unavailable_reason

# The printer each process's check slices on: whether a slicer closes a surface depends on the slicer, not on
# the maker's machine. FDM: the Prusa MK3S with its 0.4 mm nozzle, PrusaSlicer's own reference; resin: the SL1S.
# SLS, MJF and metal parts are not asked: PrusaSlicer has no notion of those processes, so an open part stays
# refused in them as the analysis said.
REFERENCE_PRINTERS = {Process.FDM: "PrusaResearch/MK3S/0.4", Process.SLA: "PrusaResearch/SL1S/default"}

logger = logging.getLogger(__name__)


def _reference_material(codes: list[str]) -> Material | None:
    """The material a process's check slices in: the first of ``codes`` PrusaSlicer has presets for, in the
    order of ``MATERIAL_KINDS`` (PLA before the others)."""
    known = [code for code in MATERIAL_KINDS if code in codes]
    return Material.objects.filter(code=known[0]).first() if known else None


def slicer_check_request(*, version_id: int) -> list[Slice]:
    """Ask PrusaSlicer about each process whose materials the version's report refuses only because the
    surface is not closed: request the slice on the process's reference printer (queued after commit, or the
    cached row) and record the check as pending, or settle it at once when that slice has already finished.
    Returns the slices asked for; none when PrusaSlicer is not installed here or nothing is refused so."""
    version = DesignVersion.objects.filter(pk=version_id).only("pk", "status", "analysis").first()
    if version is None or version.status != VersionStatus.READY:
        return []
    refused = open_materials(version.analysis or {})
    if not refused or slicer_unavailable_reason():
        return []
    checks = (version.analysis or {}).get("slicer_check") or {}
    processes = dict(Material.objects.filter(code__in=refused).values_list("code", "process"))
    asked = []
    for process, profile in REFERENCE_PRINTERS.items():
        codes = [code for code in refused if processes.get(code) == process]
        settled = (checks.get(process) or {}).get("status") not in (None, SLICER_CHECK_PENDING)
        material = _reference_material(codes)
        if material is None or settled:
            continue
        # The material's largest build volume, not the reference printer's: the analysis already judged the fit.
        part_slice = slice_request(
            version_id=version_id,
            material_code=material.code,
            printer_profile=profile,
            build_volume_mm=material.build_volume_mm,
        )
        design_version_record_slicer_check(
            version_id=version_id,
            process=process,
            status=SLICER_CHECK_PENDING,
            slice_id=part_slice.pk,
            profile=profile,
            material_code=material.code,
            material_codes=codes,
        )
        if part_slice.status in SLICE_TERMINAL:
            slicer_check_settle(slice_id=part_slice.pk)
        asked.append(part_slice)
    return asked


def _outcome(part_slice: Slice) -> tuple[str, str]:
    if part_slice.status == SliceStatus.FAILED:
        return SLICER_CHECK_FAILED, part_slice.error
    if part_slice.drops_part:
        return SLICER_CHECK_DROPS, part_slice.drop_reason
    return (
        SLICER_CHECK_DONE,
        f"PrusaSlicer sliced it on {part_slice.printer_profile}: {part_slice.layers} layers, "
        f"{part_slice.material_cm3:.2f} cm3 of material.",
    )


def slicer_check_settle(*, slice_id: int) -> str | None:
    """Tell the designs app what the finished slice ``slice_id`` found, when a version's report waits for it as a
    slicer check (else nothing: most slices are quotes' and jobs'). Returns the outcome recorded, or None."""
    part_slice = Slice.objects.filter(pk=slice_id).first()
    if part_slice is None or part_slice.status not in SLICE_TERMINAL:
        return None
    if part_slice.printer_profile not in REFERENCE_PRINTERS.values():
        return None
    checks = (
        DesignVersion.objects.filter(pk=part_slice.design_version_id).values_list("analysis", flat=True).first() or {}
    ).get("slicer_check") or {}
    waiting = [
        process
        for process, entry in checks.items()
        if entry.get("slice") == slice_id and entry.get("status") == SLICER_CHECK_PENDING
    ]
    if not waiting:
        return None
    status, reason = _outcome(part_slice)
    for process in waiting:
        design_version_record_slicer_check(
            version_id=part_slice.design_version_id, process=process, status=status, slice_id=slice_id, reason=reason
        )
    return status


def slicer_check_on_version_ready(*, transition: Transition, **_) -> None:
    """``status_changed`` receiver: a version whose analysis became ready is checked with the slicer.

    In the door's transaction, so the version is ready, its slice row and its outbox message are written
    together. A check that cannot be asked for (a material gone meanwhile) is logged and leaves the verdict as
    the analysis wrote it: it never fails the analysis."""
    if not transition.changed or transition.to_status != VersionStatus.READY:
        return
    try:
        with transaction.atomic():
            slicer_check_request(version_id=transition.obj.pk)
    except DomainError as error:
        logger.warning("no slicer check for design version %s: %s", transition.obj.pk, error.message)


def slicer_check_on_slice_finished(*, transition: Transition, **_) -> None:
    """``status_changed`` receiver: a slice that ends settles the slicer check waiting for it, if any."""
    if transition.changed and transition.to_status in SLICE_TERMINAL:
        slicer_check_settle(slice_id=transition.obj.pk)
