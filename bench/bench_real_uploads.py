"""Real uploads: the platform's PLA verdict and instant estimate next to PrusaSlicer's own figures, measured
in the same run (issue 14, "Numbers").

usage: python bench/bench_real_uploads.py [--quick] [--jobs 2] [--json PATH] [--keep-gcode DIR] [PATH ...]

For every STL of ../shared/meshes/real-uploads (and every other real part given as PATH, a folder of STL
files or an STL file, unless --quick; their figures are printed for all parts together after the shared set's):
1. PrusaSlicer itself, now: ``prusa-slicer --info`` (size, volume, parts, manifold) and ``--export-gcode``
   with the fixed reference profile (``PROFILE``) into a temporary folder, reading ``estimated printing time
   (normal mode)`` and ``filament used [cm3]`` from the G-code's tail; every call is timed. A part "fits"
   when PrusaSlicer's size is within 250 x 210 x 210 mm as modelled (PrusaSlicer does not turn parts).
   When a folder holds a ``reference.tsv`` (the shared one does), the run says whether it reproduces it:
   the file is only a cross-check, every figure below comes from this run.
2. The platform's analysis as the worker runs it (``analyse(load_mesh(path, units=None,
   limits=LoadLimits()), materials=[PLA])``, default options, PLA on a 250 x 210 x 210 mm printer): the
   refusals among the parts PrusaSlicer slices and that fit, each with its reasons, and the parts printable
   only at the customer's risk (``needs_risk_acceptance``).
3. The platform's instant estimate, as ``quote_part`` computes it for PLA: machine hours
   (``machine_time_for_part``) and extruded filament, part + support (``fdm_print``), from
   ``orders.services.quoting.part_metrics(report)``, i.e. in the platform's suggested print orientation.
   PrusaSlicer slices a part as modelled, so each part whose suggested orientation is not "+Z up" is also
   sliced turned that way (a binary STL of the uploaded triangles, rotated by the report's
   ``suggested_orientation.rotation``): the quote is compared with the slicer in the same orientation.
   A second comparison takes the estimate's inputs as modelled (``bench_estimate.part_metrics_as_modelled``)
   against the slicer as modelled, which isolates the time model from the choice of orientation.
   Ratios are estimate / slicer; percentiles are linearly interpolated (numpy), "within 25 %" is
   |ratio - 1| <= 0.25.
4. A summary block to paste into BENCHMARKS.md (it starts at the "## " heading), and the same as JSON with
   --json PATH.

--jobs: slicer processes at a time (at most 2: this machine has 2 cores, shared); their wall times are
   measured with that many running. The platform's analysis runs first, alone, one file after the other.
--quick: the shared folder only (its 34 parts take under a minute; there is no smaller honest subset).
Needs ``prusa-slicer`` (Debian's 2.5; ``python3 dev.py bench`` installs it where it can); without it the
benchmark says so and prints no figures.
"""

import argparse
import atexit
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# Before anything imports the standard ``platform`` module: the project's package of that name must win.
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH))

import harness  # noqa: E402
import numpy as np  # noqa: E402

SHARED = Path(os.environ.get("PLATFORM_SHARED_MESHES") or REPO.parent / "shared" / "meshes")
if not (SHARED / "real-uploads").is_dir():
    SHARED = Path("/work/shared/meshes")
REAL = SHARED / "real-uploads"
BED_MM = (250.0, 210.0, 210.0)
PROFILE = [
    "--layer-height", "0.2", "--first-layer-height", "0.2", "--perimeters", "2", "--fill-density", "20%",
    "--support-material", "--support-material-auto", "--bed-shape", "0x0,250x0,250x210,0x210",
    "--max-print-height", "210",
]  # fmt: skip
SLICER_TIMEOUT_S = 300.0


# PrusaSlicer ---------------------------------------------------------------------------------------------


@dataclass
class SlicerCall:
    seconds: float = 0.0
    ok: bool = False
    error: str = ""
    hours: float | None = None
    filament_cm3: float | None = None
    info: dict = field(default_factory=dict)


def _run_slicer(command: list[str]) -> tuple[subprocess.CompletedProcess | None, float, str]:
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=SLICER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - started, f"timed out after {SLICER_TIMEOUT_S:.0f} s"
    return result, time.perf_counter() - started, ""


def _last_message(result: subprocess.CompletedProcess) -> str:
    """PrusaSlicer's own words for a failure (its last line that is not a trace, a progress step or the
    "Object name:" it adds after the message)."""
    lines = [
        line.strip()
        for line in (result.stderr + "\n" + result.stdout).splitlines()
        if line.strip() and "[trace]" not in line and "=>" not in line and not line.startswith("Object name:")
    ]
    return (lines[-1] if lines else f"exit code {result.returncode}")[:200]


def slicer_info(slicer: str, mesh: Path) -> SlicerCall:
    result, seconds, error = _run_slicer([slicer, "--info", str(mesh)])
    call = SlicerCall(seconds=seconds, error=error)
    if result is None:
        return call
    info = {}
    for line in result.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            info[key.strip()] = value.strip()
    try:
        call.info = {
            "size_mm": [float(info["size_x"]), float(info["size_y"]), float(info["size_z"])],
            "volume_mm3": float(info["volume"]),
            "parts": int(info["number_of_parts"]),
            "manifold": info["manifold"] == "yes",
            "facets": int(info["number_of_facets"]),
        }
        call.ok = True
    except (KeyError, ValueError):
        call.error = call.error or _last_message(result)
    return call


_UNITS_S = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def gcode_figures(gcode: Path) -> tuple[float | None, float | None]:
    """``estimated printing time (normal mode)`` in hours and ``filament used [cm3]`` from the G-code's tail."""
    with open(gcode, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(handle.tell() - 65536, 0))
        tail = handle.read().decode("utf-8", "replace")
    hours = cm3 = None
    for line in tail.splitlines():
        if line.startswith("; estimated printing time (normal mode)"):
            value = line.split("=", 1)[1]
            hours = sum(int(v) * _UNITS_S[u] for v, u in re.findall(r"(\d+)([dhms])", value)) / 3600.0
        elif line.startswith("; filament used [cm3]"):
            cm3 = float(line.split("=", 1)[1])
    return hours, cm3


def slicer_gcode(slicer: str, mesh: Path, gcode: Path, keep: Path | None) -> SlicerCall:
    result, seconds, error = _run_slicer([slicer, "--export-gcode", *PROFILE, "-o", str(gcode), str(mesh)])
    call = SlicerCall(seconds=seconds, error=error)
    if result is None:
        return call
    if result.returncode != 0 or not gcode.is_file():
        call.error = _last_message(result)
        return call
    call.hours, call.filament_cm3 = gcode_figures(gcode)
    call.ok = call.hours is not None and call.filament_cm3 is not None
    if not call.ok:
        call.error = "no estimate in the G-code's tail"
    if keep is not None:
        shutil.copy(gcode, keep / gcode.name)
    gcode.unlink(missing_ok=True)
    return call


def write_binary_stl(vertices: np.ndarray, faces: np.ndarray, path: Path) -> None:
    triangles = vertices[faces].astype(np.float32)
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lengths = np.linalg.norm(normals, axis=1, keepdims=True)
    normals = np.divide(normals, lengths, out=np.zeros_like(normals), where=lengths > 0)
    records = np.zeros(len(faces), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["n"], records["v"] = normals, triangles
    with open(path, "wb") as handle:
        handle.write(b"rotated copy for bench_real_uploads".ljust(80, b" "))
        handle.write(np.uint32(len(faces)).tobytes())
        handle.write(records.tobytes())


# The platform --------------------------------------------------------------------------------------------


def platform_modules():
    """Import the analysis and pricing as the worker has them. ``part_metrics`` lives with the quoting
    service, which imports models: Django is set up with the local settings and a scratch var folder (no
    database is opened)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings.local")
    if "PLATFORM_VAR_DIR" not in os.environ:
        scratch_var = tempfile.mkdtemp(prefix="bench_real_var_")
        atexit.register(shutil.rmtree, scratch_var, ignore_errors=True)
        os.environ["PLATFORM_VAR_DIR"] = scratch_var
    import django

    django.setup()
    from designs.geometry import LoadLimits, MaterialSpec, analyse, load_mesh
    from designs.geometry.materials import RISK_CODES
    from orders.pricing.machine_time import fdm_print, machine_time_for_part
    from orders.services.quoting import part_metrics

    pla = MaterialSpec(
        code="pla",
        name="PLA",
        process="fdm",
        min_wall_mm=0.8,
        min_detail_mm=0.4,
        build_volume_mm=BED_MM,
        needs_support=True,
    )
    return {
        "LoadLimits": LoadLimits,
        "analyse": analyse,
        "load_mesh": load_mesh,
        "fdm_print": fdm_print,
        "machine_time_for_part": machine_time_for_part,
        "part_metrics": part_metrics,
        "pla": pla,
        "risk_codes": RISK_CODES,
    }


def instant_estimate(modules, part) -> tuple[float, float]:
    """Hours and filament cm3 (part + support) as ``quote_part`` computes them for PLA (support on)."""
    hours = modules["machine_time_for_part"](part=part, process="fdm", with_support=True).per_part_hours
    printed = modules["fdm_print"](part, with_support=True)
    return hours, (printed.part_mm3 + printed.support_mm3) / 1000.0


def analyse_part(modules, path: Path, scratch: Path) -> dict:
    started = time.perf_counter()
    try:
        mesh = modules["load_mesh"](str(path), units=None, limits=modules["LoadLimits"]())
        result = modules["analyse"](mesh, materials=[modules["pla"]])
    except Exception as error:  # noqa: BLE001 - a load or analysis failure is a refusal with its message
        return {
            "seconds": time.perf_counter() - started,
            "printable": False,
            "reasons": [f"analysis failed: {type(error).__name__}: {error}"],
            "risk": False,
            "warnings": [],
            "risk_warnings": [],
        }
    seconds = time.perf_counter() - started
    report = result.report
    verdict = report["materials"]["pla"]
    hours, cm3 = instant_estimate(modules, modules["part_metrics"](report))
    orientation = report.get("suggested_orientation") or {}
    up = orientation.get("up", "+Z")
    turned = None
    if up != "+Z" and orientation.get("rotation"):
        # The uploaded triangles (not the repaired copy: the slicer repairs as it does for the upload).
        rotation = np.asarray(orientation["rotation"], dtype=float)
        turned = scratch / f"{path.stem}__turned.stl"
        write_binary_stl(np.asarray(mesh.vertices) @ rotation.T, np.asarray(mesh.faces), turned)
    from bench_estimate import estimate as model_estimate
    from bench_estimate import part_metrics_as_modelled

    modelled_hours, modelled_cm3 = model_estimate(part_metrics_as_modelled(path))
    return {
        "seconds": seconds,
        "printable": bool(verdict["printable"]),
        "reasons": list(verdict["reasons"]),
        "risk": bool(verdict.get("needs_risk_acceptance")),
        "warnings": list(verdict.get("warnings") or []),
        "risk_warnings": [
            detail["message"]
            for detail in verdict.get("warning_details") or []
            if detail["code"] in modules["risk_codes"]
        ],
        "size_mm": report["bounding_box_mm"],
        "volume_mm3": report["volume_mm3"],
        "up": up if isinstance(up, str) else "[" + ", ".join(f"{value:.2f}" for value in up) + "]",
        "turned_stl": str(turned) if turned else None,
        "estimate_hours": hours,
        "estimate_cm3": cm3,
        "modelled_hours": modelled_hours,
        "modelled_cm3": modelled_cm3,
    }


# Figures -------------------------------------------------------------------------------------------------


def stats(ratios: list[float]) -> dict:
    if not ratios:
        return {"n": 0}
    values = np.asarray(ratios, dtype=float)
    return {
        "n": len(ratios),
        "median": float(np.median(values)),
        "p10": float(np.percentile(values, 10)),
        "p90": float(np.percentile(values, 90)),
        "within_25": float(np.mean(np.abs(values - 1) <= 0.25)),
        "within_20": float(np.mean(np.abs(values - 1) <= 0.20)),
        "within_25_count": int(np.sum(np.abs(values - 1) <= 0.25)),
        "within_20_count": int(np.sum(np.abs(values - 1) <= 0.20)),
    }


def describe(label: str, s: dict) -> str:
    if not s.get("n"):
        return f"{label}: no parts"
    return (
        f"{label}: median {s['median']:.2f}x, p10 {s['p10']:.2f}x, p90 {s['p90']:.2f}x, within 25 % "
        f"{s['within_25_count']}/{s['n']} ({s['within_25']:.0%}), within 20 % {s['within_20_count']}/{s['n']} "
        f"({s['within_20']:.0%})"
    )


def read_reference(folder: Path) -> dict[str, dict]:
    path = folder / "reference.tsv"
    if not path.is_file():
        return {}
    with open(path, newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def reference_differences(row: dict, entry: dict) -> list[str]:
    """What this run measured differently from reference.tsv (sizes to 0.01 mm, volume to 0.1 %, hours to
    0.001 h plus 1 %, filament to 0.01 cm3 plus 1 %)."""
    info, sliced = entry["info"], entry["sliced"]
    found = []
    if info:
        size = [float(value) for value in row["ps_size_mm"].split("x")]
        if any(abs(a - b) > 0.01 for a, b in zip(size, info["size_mm"], strict=True)):
            found.append(f"size {row['ps_size_mm']} -> {' x '.join(f'{v:.3f}' for v in info['size_mm'])}")
        if abs(float(row["ps_volume_mm3"]) - info["volume_mm3"]) > 1e-3 * max(abs(info["volume_mm3"]), 1):
            found.append(f"volume {row['ps_volume_mm3']} -> {info['volume_mm3']:.3f}")
        if int(row["ps_parts"]) != info["parts"]:
            found.append(f"parts {row['ps_parts']} -> {info['parts']}")
        if (row["ps_manifold"] == "yes") != info["manifold"]:
            found.append(f"manifold {row['ps_manifold']} -> {'yes' if info['manifold'] else 'no'}")
    if (row["fits_250x210x210"] == "yes") != entry["fits"]:
        found.append(f"fits {row['fits_250x210x210']} -> {'yes' if entry['fits'] else 'no'}")
    if (row["slices"] == "yes") != sliced.ok:
        found.append(f"slices {row['slices']} -> {'yes' if sliced.ok else 'no'}")
    if sliced.ok and row["ps_print_hours"]:
        reference_hours, reference_cm3 = float(row["ps_print_hours"]), float(row["ps_filament_cm3"])
        if abs(sliced.hours - reference_hours) > 0.001 + 0.01 * reference_hours:
            found.append(f"hours {reference_hours:.3f} -> {sliced.hours:.3f}")
        if abs(sliced.filament_cm3 - reference_cm3) > 0.01 + 0.01 * reference_cm3:
            found.append(f"filament {reference_cm3:.2f} -> {sliced.filament_cm3:.2f} cm3")
    return found


def stl_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() == ".stl")


def figures(rows: list[dict]) -> dict:
    """Refusals, risk and estimate ratios over the parts PrusaSlicer slices (as modelled) and that fit."""
    counted = [row for row in rows if row["slices"] and row["fits"]]

    def ratios(key: str, *, printable_only: bool = False) -> list[float]:
        return [row[key] for row in counted if row[key] is not None and (row["printable"] or not printable_only)]

    refused = [row for row in counted if not row["printable"]]
    risky = [row for row in counted if row["printable"] and row["needs_risk_acceptance"]]
    return {
        "files": len(rows),
        "slice_and_fit": len(counted),
        "not_counted": {
            row["file"]: row["ps_slice_error"] or row["ps_info_error"] or "does not fit 250 x 210 x 210 as modelled"
            for row in rows
            if row not in counted
        },
        "refused": len(refused),
        "refused_files": {row["file"]: row["reasons"] for row in refused},
        "at_risk": len(risky),
        "at_risk_files": {row["file"]: row["risk_warnings"] for row in risky},
        "turned_slice_failures": {
            row["file"]: f"up {row['suggested_up']}: {row['ps_turned_error']}"
            for row in counted
            if row["ps_turned_error"]
        },
        "time_quote": stats(ratios("time_ratio")),
        "filament_quote": stats(ratios("filament_ratio")),
        "time_quote_printable_only": stats(ratios("time_ratio", printable_only=True)),
        "time_as_modelled": stats(ratios("modelled_time_ratio")),
        "filament_as_modelled": stats(ratios("modelled_filament_ratio")),
    }


def print_figures(label: str, f: dict) -> None:
    n = f["slice_and_fit"]
    print(f"{label}: {f['files']} files, {n} that PrusaSlicer slices and that fit")
    for name, why in f["not_counted"].items():
        print(f"  - not counted: {name}: {why}")
    print(f"- PLA refusals among the parts PrusaSlicer slices and that fit: **{f['refused']}/{n}**")
    for name, reasons in f["refused_files"].items():
        print(f"  - {name}: {' | '.join(reasons)}")
    print(f"- printable only at the customer's risk: {f['at_risk']}/{n}")
    for name, warnings in f["at_risk_files"].items():
        print(f"  - {name}: {' | '.join(warnings)}")
    print("- instant estimate (the quote: suggested orientation) / PrusaSlicer sliced in that orientation:")
    for name, failure in f["turned_slice_failures"].items():
        print(f"  - not compared, PrusaSlicer cannot slice the part turned as suggested: {name}, {failure}")
    print(f"  - {describe('time', f['time_quote'])}")
    print(f"  - {describe('filament', f['filament_quote'])}")
    print(f"  - {describe('time, printable parts only', f['time_quote_printable_only'])}")
    print("- the estimate's model with its inputs as modelled / PrusaSlicer as modelled:")
    print(f"  - {describe('time', f['time_as_modelled'])}")
    print(f"  - {describe('filament', f['filament_as_modelled'])}")

    def goal(s: dict) -> str:
        met = s.get("n") and s["within_25"] >= 0.8
        return f"{'met' if met else 'not met'} ({s.get('within_25_count', 0)}/{s.get('n', 0)})"

    print(
        f"- goals (issue 14): refusals at most 1/{n}: {'met' if f['refused'] <= 1 else 'not met'}; "
        f"time within 25 % on at least 80 %: quote {goal(f['time_quote'])}, "
        f"as modelled {goal(f['time_as_modelled'])}"
    )


def slicer_version(slicer: str) -> str:
    with_version = subprocess.run([slicer, "--help"], capture_output=True, text=True, timeout=60, check=False)
    lines = [line.strip() for line in (with_version.stdout + with_version.stderr).splitlines()]
    named = [line for line in lines if line.lower().startswith("prusaslicer")]
    return named[0] if named else "unknown"


# Main ----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="more real parts: folders (their *.stl files) or STL files")
    parser.add_argument("--quick", action="store_true", help="the shared folder only")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="slicer processes at a time")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--keep-gcode", type=Path, help="copy every G-code here (default: only a temporary folder)")
    parser.add_argument("--slicer", default="prusa-slicer")
    arguments = parser.parse_args()
    run_started = time.perf_counter()

    slicer = shutil.which(arguments.slicer)
    if slicer is None:
        print(
            "## Real uploads against PrusaSlicer (issue 14)\n\nSKIPPED: prusa-slicer not found "
            "(apt-get install -y prusa-slicer; `python3 dev.py bench` installs it where it can). No figures."
        )
        return 0
    files = [(REAL, path) for path in stl_files(REAL)]
    for given in [] if arguments.quick else arguments.paths:
        given = given.resolve()
        found = stl_files(given) if given.is_dir() else [given] if given.is_file() else []
        if not found:
            sys.exit(f"no STL files in {given}")
        files += [(given if given.is_dir() else given.parent, path) for path in found]
    unique = {path: folder for folder, path in reversed(files)}  # a part named twice counts once
    files = [(folder, path) for path, folder in reversed(unique.items())]
    folders = list(dict.fromkeys(folder for folder, _path in files))
    if arguments.keep_gcode:
        arguments.keep_gcode.mkdir(parents=True, exist_ok=True)
    version = slicer_version(slicer)
    print(f"[bench] machine: {harness.machine_line()}", flush=True)
    print(f"[bench] slicer: {slicer} ({version}); {len(files)} files from {', '.join(map(str, folders))}")

    scratch = Path(tempfile.mkdtemp(prefix="bench_real_uploads_"))
    for index in range(len(files)):
        (scratch / str(index)).mkdir()
    try:
        # 1. The platform, alone on the machine.
        imports_started = time.perf_counter()
        modules = platform_modules()
        imports_seconds = time.perf_counter() - imports_started
        platform = {}
        for index, (_folder, path) in enumerate(files):
            platform[path] = analyse_part(modules, path, scratch / str(index))
        platform_seconds = sum(entry["seconds"] for entry in platform.values())
        print(
            f"[bench] platform: {len(files)} analyses in {platform_seconds:.1f} s "
            f"(+ {imports_seconds:.1f} s imports and Django set-up)",
            flush=True,
        )

        # 2. PrusaSlicer: --info, the G-code as modelled, and the G-code turned as the platform suggests.
        def slice_one(index: int, path: Path) -> dict:
            folder = scratch / str(index)  # one folder per part: two folders may hold the same name
            info = slicer_info(slicer, path)
            sliced = slicer_gcode(slicer, path, folder / f"{path.stem}.gcode", arguments.keep_gcode)
            turned = None
            if platform[path].get("turned_stl"):
                turned_stl = Path(platform[path]["turned_stl"])
                turned = slicer_gcode(slicer, turned_stl, folder / f"{turned_stl.stem}.gcode", arguments.keep_gcode)
            return {"info": info, "sliced": sliced, "turned": turned}

        slicing_started = time.perf_counter()
        paths = [path for _folder, path in files]
        with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
            slicer_results = dict(zip(paths, pool.map(slice_one, range(len(paths)), paths), strict=True))
        slicing_wall = time.perf_counter() - slicing_started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    # 3. Per file.
    references = {folder: read_reference(folder) for folder in folders}
    rows, reproduced, differences = [], [], []
    header = (
        f"{'file':34s} {'info s':>6} {'slice s':>7} {'PS h':>6} {'PS cm3':>6} {'ours s':>6} {'verdict':8s} "
        f"{'up':>20} {'PS h up':>7} {'est h':>6} {'t ratio':>7} {'PS cm3 up':>9} {'est cm3':>7} {'f ratio':>7} | "
        f"{'as modelled: t':>14} {'f':>5}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for folder, path in files:
        ours, ps = platform[path], slicer_results[path]
        info, sliced, turned = ps["info"], ps["sliced"], ps["turned"]
        fits = bool(info.ok) and all(
            size <= limit + 1e-6 for size, limit in zip(info.info["size_mm"], BED_MM, strict=True)
        )
        counted = sliced.ok and fits
        verdict = "ok" if ours["printable"] else "REFUSED"
        if ours["printable"] and ours["risk"]:
            verdict = "at risk"
        same = turned if turned is not None else sliced  # the slicer in the platform's orientation
        t_ratio = f_ratio = mt_ratio = mf_ratio = None
        if counted and "estimate_hours" in ours and same.ok:
            t_ratio, f_ratio = ours["estimate_hours"] / same.hours, ours["estimate_cm3"] / same.filament_cm3
        if counted and "modelled_hours" in ours:
            mt_ratio = ours["modelled_hours"] / sliced.hours
            mf_ratio = ours["modelled_cm3"] / sliced.filament_cm3
        rows.append(
            {
                "file": path.name,
                "folder": str(folder),
                "info_seconds": round(info.seconds, 3),
                "slice_seconds": round(sliced.seconds, 3),
                "turned_slice_seconds": round(turned.seconds, 3) if turned else None,
                "ours_seconds": round(ours["seconds"], 3),
                "ps_info": info.info,
                "ps_info_error": info.error,
                "fits": fits,
                "slices": sliced.ok,
                "ps_slice_error": sliced.error,
                "ps_hours": sliced.hours,
                "ps_filament_cm3": sliced.filament_cm3,
                "suggested_up": ours.get("up"),
                "ps_turned_hours": turned.hours if turned else None,
                "ps_turned_filament_cm3": turned.filament_cm3 if turned else None,
                "ps_turned_error": turned.error if turned else None,
                "printable": ours["printable"],
                "reasons": ours["reasons"],
                "needs_risk_acceptance": ours["risk"],
                "warnings": ours["warnings"],
                "risk_warnings": ours["risk_warnings"],
                "estimate_hours": ours.get("estimate_hours"),
                "estimate_filament_cm3": ours.get("estimate_cm3"),
                "modelled_estimate_hours": ours.get("modelled_hours"),
                "modelled_estimate_filament_cm3": ours.get("modelled_cm3"),
                "time_ratio": t_ratio,
                "filament_ratio": f_ratio,
                "modelled_time_ratio": mt_ratio,
                "modelled_filament_ratio": mf_ratio,
            }
        )
        reference = references[folder].get(path.name)
        if reference is not None:
            found = reference_differences(reference, {"info": info.info, "sliced": sliced, "fits": fits})
            if found:
                differences.append((path.name, found))
            else:
                reproduced.append(path.name)

        def cell(value, width, digits):
            return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

        print(
            f"{path.name[:34]:34s} {info.seconds:6.2f} {sliced.seconds:7.2f} {cell(sliced.hours, 6, 3)} "
            f"{cell(sliced.filament_cm3, 6, 2)} {ours['seconds']:6.2f} {verdict:8s} "
            f"{str(ours.get('up', '-'))[:20]:>20} "
            f"{cell(same.hours, 7, 3)} {cell(ours.get('estimate_hours'), 6, 3)} {cell(t_ratio, 7, 2)} "
            f"{cell(same.filament_cm3, 9, 2)} {cell(ours.get('estimate_cm3'), 7, 2)} {cell(f_ratio, 7, 2)} | "
            f"{cell(mt_ratio, 14, 2)} {cell(mf_ratio, 5, 2)}"
        )
        problems = [message for message in (info.error, sliced.error, turned.error if turned else "") if message]
        if problems or not fits:
            print(
                f"    slicer: {'; '.join(problems) or ''}{'' if fits else ' does not fit 250 x 210 x 210 as modelled'}"
            )

    slicer_seconds = sum(
        row["info_seconds"] + row["slice_seconds"] + (row["turned_slice_seconds"] or 0) for row in rows
    )
    turned_count = sum(1 for row in rows if row["turned_slice_seconds"] is not None)
    shared = figures([row for row in rows if Path(row["folder"]) == REAL])
    summary = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": harness.machine_description(),
        "command": ("python bench/bench_real_uploads.py " + " ".join(sys.argv[1:])).strip(),
        "slicer": version,
        "profile": " ".join(PROFILE),
        **shared,
        "all_parts": figures(rows) if len(folders) > 1 else None,
        "turned_slices": turned_count,
        "reference_reproduced": len(reproduced),
        "reference_compared": len(reproduced) + len(differences),
        "reference_differences": dict(differences),
        "seconds": {
            "platform_analyses": round(platform_seconds, 2),
            "platform_imports": round(imports_seconds, 2),
            "slicer_calls_sum": round(slicer_seconds, 2),
            "slicer_wall": round(slicing_wall, 2),
            "slicer_jobs": arguments.jobs,
            "total": round(time.perf_counter() - run_started, 2),
        },
        "per_file": rows,
    }

    # 4. The block for BENCHMARKS.md.
    print("\n## Real uploads against PrusaSlicer (issue 14)\n")
    print(f"Command: `{summary['command']}`; {summary['date']}.")
    print(f"Machine: {harness.machine_line()}. Slicer: {version}, profile `{summary['profile']}`.")
    print(
        f"PrusaSlicer ran in this run: {len(rows)} x --info, {len(rows)} G-codes as modelled, {turned_count} turned "
        f"to the platform's suggested orientation; {slicer_seconds:.1f} s of slicer calls ({slicing_wall:.1f} s wall, "
        f"{arguments.jobs} at a time); the platform's analyses {platform_seconds:.1f} s (one at a time) "
        f"+ {imports_seconds:.1f} s imports; whole run {summary['seconds']['total']:.0f} s."
    )
    if summary["reference_compared"]:
        print(
            f"reference.tsv reproduced for {len(reproduced)}/{summary['reference_compared']} files"
            + (
                "; differs: " + "; ".join(f"{name}: {', '.join(found)}" for name, found in differences)
                if differences
                else " (size, volume, parts, manifold, fits, slices, hours, filament)."
            )
        )
    print()
    print_figures(f"{REAL.name}", shared)
    if summary["all_parts"]:
        print()
        print_figures(f"all parts ({', '.join(str(folder) for folder in folders)})", summary["all_parts"])
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(summary, indent=2, default=str))
        print(f"\n[bench] JSON written to {arguments.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
