"""Materials as the analysis sees them, and the per-material verdict with reasons in plain words."""

from dataclasses import dataclass

from .bounding import fits_in
from .units import format_length, format_volume

PROCESSES = ("fdm", "sla", "sls", "mjf", "metal")


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    process: str
    min_wall_mm: float
    min_detail_mm: float
    build_volume_mm: tuple[float, float, float]
    needs_support: bool = True


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


def _dimensions(values) -> str:
    return " x ".join(f"{value:.0f}" if value >= 100 else f"{value:.1f}".rstrip("0").rstrip(".") for value in values)


def judge_material(material: MaterialSpec, facts: PartFacts) -> dict:
    """``{printable, reasons, warnings}`` for one material; a reason is a blocking problem."""
    reasons: list[str] = []
    warnings: list[str] = []
    if not facts.is_watertight:
        if facts.open_edges:
            detail = f"{facts.open_edges:,} open edges"
        else:
            detail = f"faces left unclosed at {facts.non_manifold_edges:,} edges shared by more than two faces"
        reasons.append(
            f"The surface is not a closed solid ({detail} remain after repair), so {material.name} cannot be "
            "printed from it reliably."
        )
    if facts.volume_mm3 <= 0:
        reasons.append("The model encloses no volume (it is a flat sheet or an open surface).")
    largest = max(facts.extents_mm)
    if largest < material.min_detail_mm:
        reasons.append(
            f"The part is only {format_length(largest)} across, smaller than the "
            f"{format_length(material.min_detail_mm)} detail {material.name} can reproduce."
        )
    build = tuple(float(value) for value in material.build_volume_mm)
    fits_as_modelled = all(part <= space + 1e-9 for part, space in zip(facts.extents_mm, build, strict=True))
    if not fits_as_modelled:
        if fits_in(list(facts.extents_mm), build) or fits_in(facts.oriented_extents_mm, build):
            warnings.append(
                f"Fits the {_dimensions(build)} mm build volume of {material.name} only when turned "
                f"(as modelled it is {_dimensions(facts.extents_mm)} mm)."
            )
        else:
            part = sorted(facts.oriented_extents_mm, reverse=True)
            space = sorted(build, reverse=True)
            for part_size, space_size in zip(part, space, strict=True):
                if part_size > space_size + 1e-9:
                    reasons.append(
                        f"{format_length(part_size)} exceeds the {format_length(space_size)} build size for "
                        f"{material.name} (build volume {_dimensions(build)} mm), in any orientation."
                    )
                    break
    if facts.min_wall_mm is not None:
        if facts.min_wall_mm < material.min_wall_mm:
            reasons.append(
                f"Wall {format_length(facts.min_wall_mm)} is thinner than the {format_length(material.min_wall_mm)} "
                f"minimum for {material.name}."
            )
        else:
            fraction = facts.fraction_below.get(material.code, 0.0)
            if fraction > 0:
                warnings.append(
                    f"{fraction:.1%} of the surface is thinner than the {format_length(material.min_wall_mm)} "
                    f"minimum for {material.name} (sharp edges or small features)."
                )
        if facts.thinnest_mm is not None and facts.thinnest_mm < material.min_detail_mm:
            warnings.append(
                f"Some details ({format_length(facts.thinnest_mm)}) are finer than the "
                f"{format_length(material.min_detail_mm)} {material.name} can reproduce."
            )
    else:
        warnings.append("Wall thickness was not checked.")
    if material.needs_support and facts.support_volume_mm3:
        warnings.append(
            f"Needs support material ({'' if facts.support_volume_mm3 < 1 else 'about '}"
            f"{format_volume(facts.support_volume_mm3)} in the suggested orientation)."
        )
    if facts.was_repaired:
        warnings.append("Will be printed from the repaired copy of the model.")
    return {"printable": not reasons, "reasons": reasons, "warnings": warnings}
