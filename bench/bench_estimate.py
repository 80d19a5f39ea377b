"""The instant FDM estimate (machine time and filament) against PrusaSlicer's G-code on real files.

usage: python bench/bench_estimate.py [--fit] [--others]

For every file of ../shared/meshes/real-uploads: load it, analyse it as the platform does (no thin-wall
check: the estimate does not use it), measure the inputs of ``PartMetrics`` in the orientation the slicer
used (as modelled, +Z up: PrusaSlicer does not turn parts), and compare ``fdm_print`` with reference.tsv
(PrusaSlicer 2.5, ``estimated printing time (normal mode)`` and ``filament used [cm3]``).
Also prints the figures of the previous model (volume at 20 cm3/h, surface at 144 cm2/h, 2 s per layer,
filament = volume + support volume) for comparison.

--fit: calibrate the fitted constants of ``FdmModel`` (soft-L1 loss of the log ratios, time and filament),
       once on all files, on each half of a fixed 50/50 split (checked on the other half), and leave-one-out.
--others: also the independent meshes of ../shared/meshes sliced with the same profile (their G-code in
       $ESTIMATE_GCODE_DIR, default /tmp/estimate_slices: see ``slice_command``).
"""

import argparse
import csv
import dataclasses
import math
import os
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from designs.geometry import AnalysisOptions, LoadLimits, MaterialSpec, analyse, load_mesh  # noqa: E402
from designs.geometry.layers import facing_areas, layer_contours  # noqa: E402
from designs.geometry.surface import Surface  # noqa: E402
from orders.pricing.machine_time import FDM_MODEL, FdmModel, PartMetrics, fdm_print  # noqa: E402

SHARED = Path(os.environ.get("PLATFORM_SHARED_MESHES") or REPO.parent / "shared" / "meshes")
if not (SHARED / "MANIFEST.tsv").is_file():
    SHARED = Path("/work/shared/meshes")
REAL = SHARED / "real-uploads"
PLA = MaterialSpec(
    code="pla",
    name="PLA",
    process="fdm",
    min_wall_mm=0.8,
    min_detail_mm=0.4,
    build_volume_mm=(250.0, 210.0, 210.0),
    needs_support=True,
)
PROFILE = (
    "--layer-height 0.2 --first-layer-height 0.2 --perimeters 2 --fill-density 20% --support-material "
    "--support-material-auto --bed-shape 0x0,250x0,250x210,0x210 --max-print-height 210"
)
FITTED = (
    "infill_volume_factor",
    "support_extrusion_share",
    "acceleration_factor",
    "seconds_per_loop",
    "seconds_per_layer",
)


def slice_command(mesh: Path, gcode: Path) -> str:
    return f"prusa-slicer --export-gcode {PROFILE} -o {gcode} {mesh}"


def part_metrics_as_modelled(path: Path) -> PartMetrics:
    """The inputs the platform computes (``quoting.part_metrics`` of the report), with +Z up."""
    mesh = load_mesh(str(path), units=None, limits=LoadLimits())
    result = analyse(mesh, materials=[PLA], options=AnalysisOptions(thickness=False))
    report = result.report
    final = result.repaired or mesh
    surface = Surface(vertices=final.vertices, faces=final.faces)
    up = np.array([0.0, 0.0, 1.0])
    as_modelled = next(c for c in report["suggested_orientation"]["candidates"] if c["up"] == "+Z")
    facing = facing_areas(surface, up)
    contours = layer_contours(surface, up)
    extents = report["bounding_box_mm"]
    return PartMetrics(
        volume_mm3=max(float(report["volume_mm3"]), 1e-6),
        support_volume_mm3=float(as_modelled["support_volume_mm3"] or 0.0),
        area_mm2=float(report["area_mm2"]),
        height_mm=max(float(extents[2]), 0.01),
        extents_mm=tuple(extents),
        up_area_mm2=facing.up_mm2,
        down_area_mm2=facing.down_mm2,
        side_area_mm2=facing.side_mm2,
        loops_per_layer=contours.mean_loops,
        short_loop_share=contours.short_loop_share,
        small_island_share=contours.small_island_share,
    )


def previous_estimate(part: PartMetrics) -> tuple[float, float]:
    """Hours and filament cm3 of the model before issue 14."""
    printed_cm3 = (part.volume_mm3 + part.support_volume_mm3) / 1000.0
    layers = max(1, math.ceil(part.height_mm / 0.2 - 1e-9))
    return printed_cm3 / 20.0 + part.area_mm2 / 100.0 / 144.0 + layers * 2.0 / 3600.0, printed_cm3


def estimate(part: PartMetrics, model: FdmModel = FDM_MODEL) -> tuple[float, float]:
    printed = fdm_print(part, with_support=True, model=model)
    return printed.hours, (printed.part_mm3 + printed.support_mm3) / 1000.0


def reference_rows() -> list[tuple[str, float, float]]:
    with open(REAL / "reference.tsv", newline="") as handle:
        return [
            (row["file"], float(row["ps_print_hours"]), float(row["ps_filament_cm3"]))
            for row in csv.DictReader(handle, delimiter="\t")
            if row["slices"] == "yes"
        ]


def gcode_reference(gcode: Path) -> tuple[float, float] | None:
    hours = cm3 = None
    for line in gcode.read_text(errors="replace").splitlines()[-400:]:
        if line.startswith("; estimated printing time (normal mode)"):
            units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
            hours = sum(int(v) * units[u] for v, u in re.findall(r"(\d+)([dhms])", line.split("=")[1])) / 3600
        elif line.startswith("; filament used [cm3]"):
            cm3 = float(line.split("=")[1])
    return (hours, cm3) if hours and cm3 else None


def summary(ratios) -> dict:
    ratios = np.asarray(ratios, dtype=float)
    return {
        "median": float(np.median(ratios)),
        "p10": float(np.percentile(ratios, 10)),
        "p90": float(np.percentile(ratios, 90)),
        "within_25": float(np.mean(np.abs(ratios - 1) <= 0.25)),
        "within_20": float(np.mean(np.abs(ratios - 1) <= 0.20)),
    }


def describe(label: str, ratios) -> str:
    s = summary(ratios)
    return (
        f"{label}: median {s['median']:.2f}x, p10 {s['p10']:.2f}x, p90 {s['p90']:.2f}x, "
        f"within 25 % {s['within_25']:.0%}, within 20 % {s['within_20']:.0%} (n={len(ratios)})"
    )


def fit(parts: list[PartMetrics], hours: list[float], cm3: list[float], start: FdmModel = FDM_MODEL) -> FdmModel:
    from scipy.optimize import minimize

    def model_of(values) -> FdmModel:
        return dataclasses.replace(start, **{name: max(float(v), 0.0) for name, v in zip(FITTED, values, strict=True)})

    def loss(values) -> float:
        model = model_of(values)
        total = 0.0
        for part, h, c in zip(parts, hours, cm3, strict=True):
            eh, ec = estimate(part, model)
            for error in (math.log(max(eh, 1e-6) / h), math.log(max(ec, 1e-6) / c)):
                # Soft L1: quadratic within about 10 %, linear beyond, so a few broken meshes (volumes
                # three times the slicer's) do not drag the constants for every other part.
                total += math.sqrt(1 + (error / 0.1) ** 2) - 1
        return total

    x0 = [getattr(start, name) for name in FITTED]
    return model_of(minimize(loss, x0, method="Nelder-Mead", options={"maxiter": 3000, "xatol": 1e-3}).x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--others", action="store_true")
    args = parser.parse_args()
    rows = reference_rows()
    parts = [part_metrics_as_modelled(REAL / name) for name, _h, _c in rows]
    hours = [h for _n, h, _c in rows]
    cm3 = [c for _n, _h, c in rows]
    print(
        f"{'file':34s} {'slicer h':>8} {'before':>7} {'now':>7} {'ratio':>6} | "
        f"{'cm3':>6} {'before':>7} {'now':>7} {'ratio':>6}"
    )
    before_t, before_c, now_t, now_c = [], [], [], []
    for (name, h, c), part in zip(rows, parts, strict=True):
        (bh, bc), (eh, ec) = previous_estimate(part), estimate(part)
        before_t.append(bh / h), before_c.append(bc / c), now_t.append(eh / h), now_c.append(ec / c)
        print(
            f"{name[:34]:34s} {h:8.3f} {bh:7.3f} {eh:7.3f} {eh / h:6.2f} | {c:6.2f} {bc:7.2f} {ec:7.2f} {ec / c:6.2f}"
        )
    print(describe("time, before", before_t))
    print(describe("time, now   ", now_t))
    print(describe("filament, before", before_c))
    print(describe("filament, now   ", now_c))
    if args.fit:
        everything = fit(parts, hours, cm3)
        print("fitted on all:", {name: round(getattr(everything, name), 3) for name in FITTED})
        half = list(range(0, len(rows), 2)), list(range(1, len(rows), 2))
        for train, test in (half, half[::-1]):
            model = fit([parts[i] for i in train], [hours[i] for i in train], [cm3[i] for i in train])
            ratios = [estimate(parts[i], model) for i in test]
            print(
                "fitted on",
                "even" if train[0] == 0 else "odd",
                "rows:",
                {n: round(getattr(model, n), 3) for n in FITTED},
            )
            print(
                "  " + describe("time on the other half", [r[0] / hours[i] for r, i in zip(ratios, test, strict=True)])
            )
            print(
                "  "
                + describe("filament on the other half", [r[1] / cm3[i] for r, i in zip(ratios, test, strict=True)])
            )
        loo_t, loo_c = [], []
        for left_out in range(len(rows)):
            keep = [i for i in range(len(rows)) if i != left_out]
            model = fit([parts[i] for i in keep], [hours[i] for i in keep], [cm3[i] for i in keep], start=everything)
            eh, ec = estimate(parts[left_out], model)
            loo_t.append(eh / hours[left_out]), loo_c.append(ec / cm3[left_out])
        print(describe("time, leave-one-out", loo_t))
        print(describe("filament, leave-one-out", loo_c))
    if args.others:
        folder = Path(os.environ.get("ESTIMATE_GCODE_DIR", "/tmp/estimate_slices"))
        other_t, other_c = [], []
        for gcode in sorted(folder.glob("*.gcode")):
            # The STL when a mesh comes in several formats (the one sliced).
            candidates = sorted(SHARED.glob(gcode.stem + ".*"), key=lambda p: p.suffix.lower() != ".stl")
            mesh = candidates[0] if candidates else None
            reference = gcode_reference(gcode)
            if mesh is None or reference is None:
                continue
            part = part_metrics_as_modelled(mesh)
            (eh, ec), (h, c) = estimate(part), reference
            other_t.append(eh / h), other_c.append(ec / c)
            print(
                f"{mesh.name[:34]:34s} {h:8.3f} {'':7s} {eh:7.3f} {eh / h:6.2f} | "
                f"{c:6.2f} {'':7s} {ec:7.2f} {ec / c:6.2f}"
            )
        if other_t:
            print(describe("independent meshes, time", other_t))
            print(describe("independent meshes, filament", other_c))


if __name__ == "__main__":
    main()
