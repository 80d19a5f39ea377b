"""What PrusaSlicer made of a part repair could not close, written into the version's report.

The slicing app (above this one) asks the slicer and calls ``design_version_record_slicer_check`` with what it
found; the report changes only here, under the version's row lock. The report keeps one entry per process in
``slicer_check`` (``{"fdm": {status, profile, material, slice, materials, reason}}``), and each material whose
verdict it concerns carries ``slicer_check`` (the entry's status), so a page can say "checking with the slicer".
"""

from django.db import transaction

from catalogue.models import Material
from core.errors import NotFound
from designs.geometry.materials import (
    SLICER_CHECK_OUTCOMES,
    SLICER_CHECK_PENDING,
    unclosed_detail,
    verdict_after_slicer_check,
)
from designs.models import DesignVersion, VersionStatus
from designs.selectors import open_materials


def design_version_record_slicer_check(
    *,
    version_id: int,
    process: str,
    status: str,
    slice_id: int,
    profile: str = "",
    material_code: str = "",
    material_codes=(),
    reason: str = "",
) -> dict:
    """Record the slicer check of ``process`` in the version's report and return the report.

    ``pending`` (with ``material_codes``, the materials of that process refused only as not closed) starts a
    check for slice ``slice_id``; ``done``, ``failed`` or ``drops`` settle it: each of those materials whose
    verdict is still refused only as not closed becomes printable with a risk warning (done) or keeps its
    refusal, which then says the slicer could not make a solid either. An outcome for a slice the report does
    not wait for (a re-analysis replaced the report, a second delivery) changes nothing. Only a ready version's
    report changes."""
    with transaction.atomic():
        version = DesignVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            raise NotFound("No such design version.")
        report = dict(version.analysis or {})
        if version.status != VersionStatus.READY or not report:
            return report
        checks = dict(report.get("slicer_check") or {})
        entry = dict(checks.get(process) or {})
        if status == SLICER_CHECK_PENDING:
            codes = sorted(set(material_codes) & set(open_materials(report)))
            if not codes or entry.get("status") in SLICER_CHECK_OUTCOMES:
                return report
            entry = {
                "status": status,
                "profile": profile,
                "material": material_code,
                "slice": slice_id,
                "materials": codes,
                "reason": "",
            }
        elif status in SLICER_CHECK_OUTCOMES:
            if entry.get("slice") != slice_id or entry.get("status") != SLICER_CHECK_PENDING:
                return report
            entry = {**entry, "status": status, "reason": reason}
        else:
            raise ValueError(f"unknown slicer check status {status!r}")
        checks[process] = entry
        report["slicer_check"] = checks
        report["materials"] = _verdicts_after(report, entry, slicer_reason=reason)
        DesignVersion.objects.filter(pk=version_id).update(analysis=report)
    return report


def _verdicts_after(report: dict, entry: dict, *, slicer_reason: str) -> dict:
    repair = report.get("repair") or {}
    detail = unclosed_detail(
        int(repair.get("open_edges_after", report.get("open_edges")) or 0),
        int(repair.get("non_manifold_edges_after", report.get("non_manifold_edges")) or 0),
    )
    names = dict(Material.objects.filter(code__in=entry["materials"]).values_list("code", "name"))
    verdicts = dict(report.get("materials") or {})
    for code in entry["materials"]:
        if code in verdicts:
            verdicts[code] = verdict_after_slicer_check(
                verdicts[code],
                material_name=names.get(code, code),
                status=entry["status"],
                detail=detail,
                slicer_reason=slicer_reason,
            )
    return verdicts
