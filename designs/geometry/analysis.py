"""``analyse``: the printability report a print shop can trust, as a JSON-ready dict.

Counts that describe the file (open and non-manifold edges, winding, degenerate and duplicate faces)
are taken from the mesh as read: vertices merged by position, faces that collapsed to a line dropped,
rounding-noise gaps closed (see ``repair``). Volume, area, bodies and every printing check use the
repaired mesh when repair changed something, because that is what will be printed; the ``repair`` section
says what changed and the volume before and after.

Walls (see ``walls``): thin places are regions with an area, not a percentile of samples. ``min_wall_mm``
is the thinnest wall: the thinnest thin-wall region, or else the 1st percentile of the samples whose far
side is parallel to their own (sharp edges, tips and small specks left out); None when no such wall was
found or thickness was not measured. ``thin_wall.regions`` lists the thin-wall regions (thinner than the
strictest material's recommended minimum) that verdicts refer to by ``index``; sharp edges and tips
thinner than that are one informational issue (``sharp_edges``) and their own highlight.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .arrays import column_bounds, extents
from .background import Background
from .bounding import OrientedBox, convex_hull, oriented_box, principal_box
from .materials import MaterialSpec, PartFacts, judge_material
from .mesh import Issue, LoadedMesh
from .options import OrientationOptions, ThicknessOptions, WallOptions
from .repair import RepairOptions, RepairResult, repair_mesh
from .surface import Surface
from .units import UNIT_WORDS, format_length

# The checks the core report leaves out are imported where they run: a worker that makes only core
# reports never compiles them (about 15 ms per process without a bytecode cache).
if TYPE_CHECKING:
    from .layers import FacingAreas, LayerContours
    from .walls import WallSurvey

# Below this largest extent a part in millimetres is implausible and probably in metres ...
_METRES_BELOW_MM = 1.0
# ... and below this, probably in inches (a quarter of an inch).
_INCHES_BELOW_MM = 6.35


@dataclass(frozen=True)
class AnalysisOptions:
    """``thickness`` and ``orientation`` switch the two expensive checks; ``layers`` the facing areas and
    layer contours that the FDM time estimate reads (the quote's ``part_metrics``).

    The "core" report is without all three: it answers "is this file printable, how big, which materials"
    fast (benchmarks, tests, checks before the full report). Nothing in the platform reads a core report's
    ``facing_areas_mm2`` or ``layer_contours``: quotes price from the full report the platform stores, and
    without orientation those would describe the part as modelled rather than as printed anyway. They are
    None there (readers treat a missing or None section as "not measured").
    """

    thickness: bool = True
    orientation: bool = True
    layers: bool = True
    repair: RepairOptions = field(default_factory=RepairOptions)
    thickness_options: ThicknessOptions = field(default_factory=ThicknessOptions)
    wall_options: WallOptions = field(default_factory=WallOptions)
    orientation_options: OrientationOptions = field(default_factory=OrientationOptions)

    @classmethod
    def core(cls) -> AnalysisOptions:
        return cls(thickness=False, orientation=False, layers=False)


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    report: dict
    repaired: LoadedMesh | None


def _number(value: float | None, digits: int = 6) -> float | None:
    """A plain float with ``digits`` significant digits (None stays None, -0.0 becomes 0.0)."""
    if value is None:
        return None
    value = float(value)
    if not np.isfinite(value):
        return None
    return float(f"{value:.{digits}g}") + 0.0


def _numbers(values, digits: int = 6) -> list[float]:
    return [_number(value, digits) for value in values]


def suspect_units(mesh: LoadedMesh, extents_mm: np.ndarray) -> tuple[str | None, str | None]:
    """A likelier unit when the size in millimetres is implausible for a printed part, with the reason."""
    largest = float(extents_mm.max()) if len(extents_mm) else 0.0
    if largest <= 0:
        return None, None
    read_as = UNIT_WORDS[mesh.applied_units]
    if mesh.units_source == "customer":
        how = f"read in {read_as} as you chose"
    elif mesh.units_source == "file":
        how = f"read in {read_as} as the file declares"
    else:
        how = f"read in {read_as} because the file does not say"
    sizes = " x ".join(format_length(value).removesuffix(" mm") for value in extents_mm)
    if largest < _METRES_BELOW_MM and mesh.applied_units == "mm":
        scaled = " x ".join(format_length(value * 1000).removesuffix(" mm") for value in extents_mm)
        return "m", (
            f"The part is only {sizes} mm ({how}). If the file is in metres it is {scaled} mm; "
            "please check the unit before ordering."
        )
    if largest < _INCHES_BELOW_MM and mesh.applied_units == "mm":
        scaled = " x ".join(format_length(value * 25.4).removesuffix(" mm") for value in extents_mm)
        return "in", (
            f"The part is only {sizes} mm ({how}). If the file is in inches it is {scaled} mm; "
            "please check the unit before ordering."
        )
    return None, None


def analyse(
    mesh: LoadedMesh, *, materials: Sequence[MaterialSpec], options: AnalysisOptions = AnalysisOptions()
) -> AnalysisResult:
    """Analyse a loaded mesh (never modified) for printing in each of ``materials``."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round((now - clock) * 1000, 1)
        clock = now

    # The hull-based box search needs scipy's Qhull; the core report (no orientation) uses the cheaper
    # principal-axes box, so a clean part is analysed without importing scipy at all. That box needs only
    # the vertices, which repair keeps unless it changes the mesh: a second thread measures it while
    # repair sorts the edges (and it is measured again in the rare case that repair changed the mesh).
    boxing = None if options.orientation else Background(_boxes, mesh.vertices)
    repair = repair_mesh(mesh, options=options.repair, keep_cross=True)
    lap("repair")
    final = repair.mesh
    issues: list[Issue] = list(mesh.warnings)
    vertices = final.vertices
    hull = None
    # The size is the part's as uploaded (after unit conversion): repair can drop faces (duplicates, fins,
    # collapsed slivers) and with them corners, but never adds any, so the report measures the original.
    if boxing is not None:
        lower, upper, box = boxing.result() if final is mesh else _boxes(_used_vertices(mesh))
    else:
        lower, upper = column_bounds(_used_vertices(mesh) if final is not mesh else vertices)
        hull = convex_hull(vertices)
        box = oriented_box(vertices, hull) if hull is not None else principal_box(vertices, aligned=upper - lower)
    extents = upper - lower
    lap("bounds")

    # Repair measured every face; when it changed nothing, its cross products are this surface's.
    surface = Surface.with_products(final.vertices, final.faces, repair.face_cross, repair.face_double_areas)
    thickness = walls = None
    if options.thickness:
        from .thickness import measure_thickness
        from .walls import survey_walls

        # Surfaces of cavities (bodies with negative volume) end a wall for any body around them.
        bodies = np.where(repair.shell_volumes[repair.shell_labels] < 0, -1, repair.shell_labels)
        thickness = measure_thickness(surface, face_shells=bodies, options=options.thickness_options)
        limit = max((material.min_wall_mm for material in materials), default=0.0)
        walls = survey_walls(thickness, limit_mm=limit, options=options.wall_options)
        lap("thickness")
    pose = poses = None
    if options.orientation:
        from .orientation import best_pose

        pose, poses = best_pose(surface, hull, options=options.orientation_options)
        lap("orientation")

    # What a layer-by-layer process meets in the print orientation (the FDM estimate uses it).
    facing = contours = None
    if options.layers:
        from .layers import facing_areas, layer_contours

        print_up = pose.up if pose is not None else np.array([0.0, 0.0, 1.0])
        facing = facing_areas(surface, print_up)
        contours = layer_contours(surface, print_up)
        lap("layers")

    units_suspected, units_reason = suspect_units(mesh, extents)
    if units_reason:
        issues.append(Issue("units_suspected", "warning", units_reason))
    issues.extend(_topology_issues(repair))
    if walls is not None and len(walls.edge_samples):
        issues.append(_sharp_edges_issue(walls))
    fraction_below = {}
    if thickness is not None:
        fraction_below = {material.code: thickness.fraction_below(material.min_wall_mm) for material in materials}
    facts = PartFacts(
        is_watertight=repair.repaired.is_watertight,
        open_edges=repair.repaired.open_edges,
        non_manifold_edges=repair.repaired.non_manifold_edges,
        volume_mm3=repair.repaired.signed_volume_mm3,
        extents_mm=tuple(float(value) for value in extents),
        oriented_extents_mm=box.sorted_extents,
        min_wall_mm=walls.min_wall_mm if walls else None,
        thinnest_mm=thickness.thinnest_mm if thickness else None,
        fraction_below=fraction_below,
        support_volume_mm3=pose.support_volume_mm3 if pose else None,
        was_repaired=repair.performed,
        walls=walls,
    )
    verdicts = {material.code: judge_material(material, facts) for material in materials}
    lap("verdicts")
    report = {
        "format": mesh.file_format,
        "units": mesh.units_description(),
        "faces": mesh.face_count,
        "vertices": repair.as_read.vertices,
        "shells": repair.shell_count,
        "bounding_box_mm": _numbers(extents),
        "bounding_box_min_mm": _numbers(lower),
        "bounding_box_max_mm": _numbers(upper),
        "oriented_extents_mm": _numbers(box.sorted_extents),
        "volume_mm3": _number(repair.repaired.signed_volume_mm3),
        # An open surface encloses no defined volume; the figure above is then only indicative.
        "volume_reliable": repair.repaired.is_watertight,
        "area_mm2": _number(repair.repaired.area_mm2),
        "watertight": repair.as_read.is_watertight,
        "winding_consistent": repair.as_read.is_winding_consistent,
        "open_edges": repair.as_read.open_edges,
        "non_manifold_edges": repair.as_read.non_manifold_edges,
        "degenerate_faces": repair.degenerate_faces,
        "duplicate_faces": repair.duplicate_faces,
        "non_finite_vertices": 0,
        "inverted": repair.inverted_shells > 0,
        "units_suspected": units_suspected,
        "repair": _repair_section(repair),
        "min_wall_mm": _number(facts.min_wall_mm, 4),
        "thin_wall": _thin_wall_section(walls, materials),
        "overhang_area_mm2": _number(pose.overhang_area_mm2) if pose else None,
        "support_volume_mm3": _number(pose.support_volume_mm3) if pose else None,
        "suggested_orientation": _orientation_section(pose, poses, hull, vertices) if pose else None,
        "print_extents_mm": _print_extents(pose, hull, vertices) if pose else None,
        "facing_areas_mm2": _facing_section(facing),
        "layer_contours": _contours_section(contours),
        "materials": verdicts,
        "highlights": _highlights(repair, walls),
        "issues": [issue.as_dict() for issue in issues],
        "timings_ms": {**{f"repair_{name}": value for name, value in repair.timings_ms.items()}, **timings},
    }
    return AnalysisResult(report=report, repaired=final if repair.performed else None)


def _facing_section(facing: FacingAreas | None) -> dict | None:
    if facing is None:
        return None
    return {"up": _number(facing.up_mm2), "down": _number(facing.down_mm2), "side": _number(facing.side_mm2)}


def _contours_section(contours: LayerContours | None) -> dict | None:
    if contours is None:
        return None
    return {
        "levels": contours.levels,
        "mean_length_mm": _number(contours.mean_length_mm),
        "mean_loops": _number(contours.mean_loops, 4),
        "mean_area_mm2": _number(contours.mean_area_mm2),
        "short_loop_share": _number(contours.short_loop_share, 4),
        "short_loop_mm": _number(contours.short_loop_mm, 4),
        "small_island_share": _number(contours.small_island_share, 4),
        "small_island_mm2": _number(contours.small_island_mm2, 4),
    }


def _used_vertices(mesh: LoadedMesh) -> np.ndarray:
    """The corners that some face of ``mesh`` uses (a file may list points no face uses)."""
    used = np.zeros(len(mesh.vertices), dtype=bool)
    used[mesh.faces.reshape(-1)] = True
    return mesh.vertices if used.all() else mesh.vertices[used]


def _boxes(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray, OrientedBox]:
    """Axis-aligned bounds and the principal-axes box."""
    lower, upper = column_bounds(vertices)
    return lower, upper, principal_box(vertices, aligned=upper - lower)


THIN_POINTS_SHOWN = 500
EDGE_POINTS_SHOWN = 200


def _highlights(repair: RepairResult, walls: WallSurvey | None) -> dict:
    """Coordinates (mm, the preview's frame) of what the viewer marks: open and non-manifold edges as
    segments; surface points on the thin-wall regions (thinnest first), and on sharp edges and tips thinner
    than the strictest material's minimum wall."""
    shown = {name: np.round(segments, 2).tolist() for name, segments in repair.problem_edges.items()}
    if walls is not None:
        values, points = walls.thickness.thicknesses, walls.thickness.points
        if walls.walls:
            thin = np.concatenate([wall.samples for wall in walls.walls])
            thin = thin[np.argsort(values[thin], kind="stable")][:THIN_POINTS_SHOWN]
            shown["thin_walls"] = np.round(points[thin], 2).tolist()
        if len(walls.edge_samples):
            edges = walls.edge_samples[np.argsort(values[walls.edge_samples], kind="stable")][:EDGE_POINTS_SHOWN]
            shown["sharp_edges"] = np.round(points[edges], 2).tolist()
    return shown


def _sharp_edges_issue(walls: WallSurvey) -> Issue:
    return Issue(
        "sharp_edges",
        "info",
        f"About {walls.edge_area_mm2:.0f} mm2 of the surface is thinner than {format_length(walls.limit_mm)} "
        "only at sharp edges, tips or small details (not walls); these print slightly rounded or blunted.",
    )


def _repair_section(repair: RepairResult) -> dict:
    after = repair.repaired
    return {
        "performed": repair.performed,
        "changes": dict(repair.changes),
        "volume_before_mm3": _number(repair.volume_before_mm3),
        "volume_after_mm3": _number(repair.volume_after_mm3),
        "watertight_after": after.is_watertight,
        "winding_consistent_after": after.is_winding_consistent,
        "open_edges_after": after.open_edges,
        "non_manifold_edges_after": after.non_manifold_edges,
        "faces_after": after.faces,
        "holes_left_open": repair.holes_left_open,
        "largest_hole_left_edges": repair.largest_hole_left_edges,
    }


def _topology_issues(repair: RepairResult) -> list[Issue]:
    issues = []
    read, after, changes = repair.as_read, repair.repaired, repair.changes
    if read.open_edges:
        issues.append(
            Issue(
                "open_edges",
                "warning" if after.open_edges == 0 else "error",
                f"The surface has {read.open_edges:,} open edges (holes)"
                + (
                    f"; repair closed {changes['holes_filled']:,} holes."
                    if after.open_edges == 0
                    else f"; {after.open_edges:,} remain open after repair, so the part is not a closed solid."
                ),
            )
        )
    if read.non_manifold_edges:
        closed = after.unpaired_half_edges == 0
        issues.append(
            Issue(
                "non_manifold_edges",
                "warning" if closed else "error",
                f"{read.non_manifold_edges:,} edges are shared by more than two faces"
                + (
                    " (bodies touching along an edge); each body is closed, but a slicer may fuse them there."
                    if closed
                    else "; some faces there do not close a body, so the part is not a clean solid."
                ),
            )
        )
    if repair.inverted_shells:
        issues.append(
            Issue(
                "inverted",
                "warning",
                f"{repair.inverted_shells:,} of {repair.shell_count:,} bodies were inside out (their faces pointed "
                "inward); repair turned them the right way out.",
            )
        )
    if not read.is_winding_consistent:
        issues.append(
            Issue(
                "winding_inconsistent",
                "warning",
                f"Neighbouring faces disagree about which side is outside on {read.inconsistent_edges:,} edges; "
                f"repair turned {changes['faces_flipped']:,} faces.",
            )
        )
    if repair.degenerate_faces:
        issues.append(
            Issue(
                "degenerate_faces",
                "info",
                f"{repair.degenerate_faces:,} faces have no area (harmless; removed where possible).",
            )
        )
    if repair.duplicate_faces:
        issues.append(
            Issue(
                "duplicate_faces",
                "warning",
                f"{repair.duplicate_faces:,} faces are exact duplicates; repair removed them.",
            )
        )
    if changes["vertices_merged_close"]:
        issues.append(
            Issue(
                "vertices_merged_close",
                "info",
                f"{changes['vertices_merged_close']:,} corners that differed only by rounding were joined.",
            )
        )
    if repair.shell_count > 1:
        issues.append(Issue("multiple_bodies", "info", f"The model has {repair.shell_count:,} separate bodies."))
    return issues


def _thin_wall_section(walls: WallSurvey | None, materials: Sequence[MaterialSpec]) -> dict | None:
    if walls is None:
        return None
    thickness = walls.thickness
    return {
        "method": (
            "inward ray lengths from area-weighted surface samples; thin samples whose far side is within "
            f"{walls.options.max_taper_degrees:g} degrees of parallel grouped into wall regions of real area, "
            "the rest are sharp edges or tips"
        ),
        "samples": thickness.samples,
        "measured": thickness.measured,
        "percentile": thickness.percentile,
        "min_wall_mm": _number(walls.min_wall_mm, 4),
        "limit_mm": _number(walls.limit_mm, 4),
        "regions": [wall.as_dict() for wall in walls.walls],
        "sharp_edge_area_mm2": _number(walls.edge_area_mm2, 4),
        "formable_wall_mm": {material.code: material.formable_wall_mm for material in materials},
        "thinnest_mm": _number(thickness.thinnest_mm, 4),
        "median_mm": _number(thickness.median_mm, 4),
        "fraction_below_minimum": {
            material.code: _number(thickness.fraction_below(material.min_wall_mm), 4) for material in materials
        },
    }


def _up(pose) -> str | list[float]:
    return pose.label if pose.label.startswith(("+", "-")) else _numbers(pose.up, 4)


def _orientation_section(pose, poses, hull, vertices: np.ndarray) -> dict:
    """The suggested pose (chosen by ``orientation.fdm_seconds``, a filament printer's time) and every
    candidate with what a time model needs of it; ``by_process`` says which candidate suits the processes
    whose costs differ: resin and metal (support is most of the trouble: least support, then the lowest)
    and powder (no support; the build's time follows its layers: the lowest)."""
    from .orientation import choose, least_support, lowest

    return {
        "up": _up(pose),
        "rotation": [_numbers(row, 6) for row in pose.rotation],
        "description": pose.description(),
        "overhang_area_mm2": _number(pose.overhang_area_mm2),
        "support_volume_mm3": _number(pose.support_volume_mm3),
        "height_mm": _number(pose.height_mm),
        "chosen_by": "fdm_seconds",
        "candidates": [
            {
                "up": _up(candidate),
                "overhang_area_mm2": _number(candidate.overhang_area_mm2),
                "support_volume_mm3": _number(candidate.support_volume_mm3),
                "height_mm": _number(candidate.height_mm),
                "rotation": [_numbers(row, 6) for row in candidate.rotation],
                "print_extents_mm": _print_extents(candidate, hull, vertices),
                "facing_areas_mm2": {
                    "up": _number(candidate.up_area_mm2),
                    "down": _number(candidate.down_area_mm2),
                    "side": _number(candidate.side_area_mm2),
                },
                "bed_contact_area_mm2": _number(candidate.footing_area_mm2),
                "bed_contact_width_mm": _number(candidate.footing_width_mm, 4),
                "usable": candidate.usable,
            }
            for candidate in poses
        ],
        "by_process": {
            "fdm": poses.index(pose),
            "sla": poses.index(choose(poses, least_support)),
            "metal": poses.index(choose(poses, least_support)),
            "sls": poses.index(choose(poses, lowest)),
            "mjf": poses.index(choose(poses, lowest)),
        },
    }


def _print_extents(pose, hull, vertices: np.ndarray) -> list[float]:
    points = hull.points if hull is not None else vertices
    rotated = points @ pose.rotation.T
    return _numbers(extents(rotated))
