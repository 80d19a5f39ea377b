"""Materials as the analysis sees them, and the per-material verdict with reasons in plain words.

A verdict is ``{printable, reasons, warnings, reason_details, warning_details, needs_risk_acceptance}``:
``reasons`` (plain words) are the hard reasons that make ``printable`` false; ``warnings`` (plain words) do
not. ``reason_details`` and ``warning_details`` are the same lists in the same order as
``{code, message}`` (a thin-wall entry adds ``regions``: indexes into the report's ``thin_wall.regions``,
for highlighting). ``needs_risk_acceptance`` is true when the part is printable but has a warning the
customer must accept to print at their own risk (``RISK_CODES``: walls thinner than recommended, and a
surface repair could not close that PrusaSlicer closes when slicing).

A surface repair cannot close is first a hard reason (``not_closed``). When it is a material's only one, the
slicing app asks PrusaSlicer (``verdict_after_slicer_check``): if the slicer makes a solid of the part, the
reason becomes a risk warning of the same code; if it cannot, the reason stays and says so.

Walls: ``min_wall_mm`` is the recommended minimum; below ``formable_wall_mm`` (``min_formable_wall_mm``, or
the process default) the process cannot form a wall at all. A wall region of real area (see ``walls``)
below the formable minimum is a hard reason; one between the two is a risk warning. Sharp edges and tips
are never walls (the analysis reports them as an informational issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bounding import fits_in
from .units import format_length, format_volume

if TYPE_CHECKING:  # only named in annotations: the core report never loads the wall survey
    from .walls import WallFinding, WallSurvey

PROCESSES = ("fdm", "sla", "sls", "mjf", "metal")

# The thinnest wall each process can form at all, when a material does not say. FDM: the narrowest single
# line a 0.4 mm nozzle lays (PrusaSlicer's and Cura's minimum wall line width, 85 % of the nozzle; thinner
# walls are widened or dropped by the slicer); SLA: a supported resin wall; SLS/MJF: a powder-bed wall that
# survives depowdering; metal: a single laser track with margin. Never more than the recommended minimum.
FORMABLE_WALL_MM = {"fdm": 0.34, "sla": 0.2, "sls": 0.5, "mjf": 0.5, "metal": 0.4}
_WHY_FORMABLE = {"fdm": " (the narrowest line a 0.4 mm nozzle lays)"}

# A surface repair could not close: a hard reason until the slicer has made a solid of it (then a risk warning).
NOT_CLOSED = "not_closed"
# Warning codes the customer must accept to print at their own risk.
RISK_CODES = frozenset({"thin_wall", NOT_CLOSED})
# What a slicer check of an open part found (the slicing app's ``slicer_check`` entry of a report).
SLICER_CHECK_PENDING = "pending"
SLICER_CHECK_DONE = "done"  # PrusaSlicer sliced it and kept the part: the refusal becomes a warning
SLICER_CHECK_FAILED = "failed"  # PrusaSlicer could not slice it
SLICER_CHECK_DROPS = "drops"  # PrusaSlicer sliced it but left out much of the part
SLICER_CHECK_OUTCOMES = frozenset({SLICER_CHECK_DONE, SLICER_CHECK_FAILED, SLICER_CHECK_DROPS})


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    process: str
    min_wall_mm: float
    min_detail_mm: float
    build_volume_mm: tuple[float, float, float]
    needs_support: bool = True
    # Thinnest wall the process can form at all (None: the process default in FORMABLE_WALL_MM).
    min_formable_wall_mm: float | None = None

    @property
    def formable_wall_mm(self) -> float:
        formable = self.min_formable_wall_mm
        if formable is None:
            formable = FORMABLE_WALL_MM.get(self.process, self.min_wall_mm)
        return min(formable, self.min_wall_mm)


@dataclass(frozen=True)
class PartFacts:
    """What the verdicts depend on, gathered by ``analyse``."""

    is_watertight: bool
    open_edges: int
    non_manifold_edges: int
    volume_mm3: float
    extents_mm: tuple[float, float, float]
    oriented_extents_mm: list[float]
    min_wall_mm: float | None
    thinnest_mm: float | None
    fraction_below: dict
    support_volume_mm3: float | None
    was_repaired: bool
    # The thin-wall regions, None when thickness was not measured.
    walls: WallSurvey | None = None


def _dimensions(values) -> str:
    return " x ".join(f"{value:.0f}" if value >= 100 else f"{value:.1f}".rstrip("0").rstrip(".") for value in values)


class _Findings:
    def __init__(self) -> None:
        self.details: list[dict] = []

    def add(self, code: str, message: str, **extra) -> None:
        self.details.append({"code": code, "message": message, **extra})

    @property
    def messages(self) -> list[str]:
        return [detail["message"] for detail in self.details]


def _wall_message(finding: WallFinding, count: int) -> str:
    near = ", ".join(f"{value:.0f}" for value in finding.center_mm)
    more = f"; {count - 1} more such places" if count > 1 else ""
    return (
        f"A wall {format_length(finding.thickness_mm)} thick (about {finding.area_mm2:.0f} mm2 of surface, near "
        f"{near} mm{more})"
    )


def unclosed_detail(open_edges: int, non_manifold_edges: int) -> str:
    """What keeps a surface from closing, in words: its open edges, else its over-shared ones."""
    if open_edges:
        return f"{open_edges:,} open edges"
    return f"faces left unclosed at {non_manifold_edges:,} edges shared by more than two faces"


def refused_only_as_open(verdict: dict) -> bool:
    """Whether the one hard reason of a verdict is a surface repair could not close (the slicer may close it)."""
    codes = [detail.get("code") for detail in verdict.get("reason_details") or []]
    return not verdict.get("printable") and codes == [NOT_CLOSED]


def verdict_after_slicer_check(
    verdict: dict, *, material_name: str, status: str, detail: str, slicer_reason: str = ""
) -> dict:
    """A verdict refused only as ``not_closed`` (``refused_only_as_open``) once PrusaSlicer was asked.

    ``status`` is one of ``SLICER_CHECK_*``; ``detail`` is ``unclosed_detail`` of the repaired part;
    ``slicer_reason`` what the slicer said (its error, or what it left out). Done: printable, the reason becomes
    a risk warning. Failed or drops: still refused, the reason says the slicer could not make a solid either.
    Pending: unchanged but marked. Any other verdict is returned as it is (a check never adds a refusal)."""
    if not refused_only_as_open(verdict):
        return verdict
    changed = {**verdict, "slicer_check": status}
    if status == SLICER_CHECK_DONE:
        message = (
            f"The surface is not closed ({detail} after repair); PrusaSlicer closes it when slicing, so "
            f"{material_name} can print it, but check the preview: what the slicer fills in may differ from what "
            "you meant, so it can only be printed at your own risk."
        )
        changed.update(
            printable=True,
            reasons=[],
            reason_details=[],
            warnings=[message, *verdict.get("warnings", [])],
            warning_details=[{"code": NOT_CLOSED, "message": message}, *verdict.get("warning_details", [])],
            needs_risk_acceptance=True,
        )
    elif status in (SLICER_CHECK_FAILED, SLICER_CHECK_DROPS):
        said = slicer_reason.strip().rstrip(".")
        what = "could not slice it" if status == SLICER_CHECK_FAILED else "leaves out much of it when slicing"
        message = (
            f"The surface is not a closed solid ({detail} remain after repair) and PrusaSlicer {what} either"
            f"{f' ({said})' if said else ''}, so {material_name} cannot be printed from it."
        )
        changed.update(reasons=[message], reason_details=[{"code": NOT_CLOSED, "message": message}])
    return changed


def judge_material(material: MaterialSpec, facts: PartFacts) -> dict:
    """The verdict for one material (see the module docstring); a reason is a blocking problem."""
    reasons, warnings = _Findings(), _Findings()
    if not facts.is_watertight:
        reasons.add(
            NOT_CLOSED,
            f"The surface is not a closed solid ({unclosed_detail(facts.open_edges, facts.non_manifold_edges)} "
            f"remain after repair), so {material.name} cannot be printed from it reliably.",
        )
    if facts.volume_mm3 <= 0:
        reasons.add("no_volume", "The model encloses no volume (it is a flat sheet or an open surface).")
    largest = max(facts.extents_mm)
    if largest < material.min_detail_mm:
        reasons.add(
            "too_small",
            f"The part is only {format_length(largest)} across, smaller than the "
            f"{format_length(material.min_detail_mm)} detail {material.name} can reproduce.",
        )
    build = tuple(float(value) for value in material.build_volume_mm)
    fits_as_modelled = all(part <= space + 1e-9 for part, space in zip(facts.extents_mm, build, strict=True))
    if not fits_as_modelled:
        if fits_in(list(facts.extents_mm), build) or fits_in(facts.oriented_extents_mm, build):
            warnings.add(
                "fits_turned",
                f"Fits the {_dimensions(build)} mm build volume of {material.name} only when turned "
                f"(as modelled it is {_dimensions(facts.extents_mm)} mm).",
            )
        else:
            part = sorted(facts.oriented_extents_mm, reverse=True)
            space = sorted(build, reverse=True)
            for part_size, space_size in zip(part, space, strict=True):
                if part_size > space_size + 1e-9:
                    reasons.add(
                        "too_large",
                        f"{format_length(part_size)} exceeds the {format_length(space_size)} build size for "
                        f"{material.name} (build volume {_dimensions(build)} mm), in any orientation.",
                    )
                    break
    if facts.walls is not None:
        _judge_walls(material, facts.walls, reasons, warnings)
    else:
        warnings.add("thickness_not_checked", "Wall thickness was not checked.")
    if material.needs_support and facts.support_volume_mm3:
        warnings.add(
            "needs_support",
            f"Needs support material ({'' if facts.support_volume_mm3 < 1 else 'about '}"
            f"{format_volume(facts.support_volume_mm3)} in the suggested orientation).",
        )
    if facts.was_repaired:
        warnings.add("repaired", "Will be printed from the repaired copy of the model.")
    printable = not reasons.details
    return {
        "printable": printable,
        "reasons": reasons.messages,
        "warnings": warnings.messages,
        "reason_details": reasons.details,
        "warning_details": warnings.details,
        "needs_risk_acceptance": printable and any(detail["code"] in RISK_CODES for detail in warnings.details),
    }


def _judge_walls(material: MaterialSpec, survey: WallSurvey, reasons: _Findings, warnings: _Findings) -> None:
    """Walls below what the process can form are reasons; walls below the recommended minimum, warnings."""
    formable, recommended = material.formable_wall_mm, material.min_wall_mm
    # The process's explanation fits its default figure only.
    why = _WHY_FORMABLE.get(material.process, "") if material.min_formable_wall_mm is None else ""
    too_thin = survey.walls_below(formable)
    if too_thin:
        reasons.add(
            "thin_wall",
            f"{_wall_message(too_thin[0], len(too_thin))} is thinner than the {format_length(formable)} "
            f"{material.name} can form at all{why}.",
            regions=sorted({finding.wall.index for finding in too_thin}),
        )
    refused = {finding.wall.index for finding in too_thin}
    thin = [finding for finding in survey.walls_below(recommended) if finding.wall.index not in refused]
    if thin:
        warnings.add(
            "thin_wall",
            f"{_wall_message(thin[0], len(thin))} is thinner than the {format_length(recommended)} recommended "
            f"for {material.name}: it may print weak or incomplete, so it can only be printed at your own risk.",
            regions=sorted({finding.wall.index for finding in thin}),
        )
