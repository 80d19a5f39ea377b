"""Mesh analysis speed against the tools print shops use, all as whole processes on the same files.

usage: python bench/bench_analysis.py [--runs 3] [--quick] [--write]

Builds the large meshes with ../shared/tools/make_perf_meshes.py into bench/out/perf when missing, then
times (median of --runs whole processes run round-robin, so every tool meets the same machine load; peak
memory = the child's ru_maxrss):
- ours: core report (no thin walls, no orientation), full report, repair of the damaged mesh, preview and
  thumbnail; each child also reports its time without interpreter start-up and imports ("in process"),
  and a second pass in the same process ("warm worker", what a long-lived Celery worker sees);
- admesh (check + default repair) and PrusaSlicer --info on the same STL files (apt-get install -y admesh
  prusa-slicer; a missing one is skipped);
- trimesh: load alone, load + watertight + volume + bounds + split, and fix_winding on the damaged mesh
  (one run: it takes about a minute; --quick skips it).
--write replaces the "## Mesh analysis" section of BENCHMARKS.md (other sections are kept).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "perf"
SHARED = REPO.parent / "shared"
BIG = OUT / "counter_x16_1340k.stl"
DAMAGED = OUT / "benchy_x4_900k_damaged.stl"
BENCHY = OUT / "benchy_225k.stl"
PYTHON = sys.executable


def preview_max_faces() -> int:
    """The preview's face budget, read from the module so the label follows the code (no import here:
    this process only times its children)."""
    source = (REPO / "designs" / "geometry" / "preview.py").read_text()
    match = re.search(r"^PREVIEW_MAX_FACES = ([0-9_]+)", source, re.M)
    return int(match.group(1).replace("_", ""))


# Each child imports only what its task uses (as a worker that only analyses would), so the "whole
# process" figure is interpreter start-up + imports + the task, like the peers' command lines.
_IMPORTS = {
    "core": "AnalysisOptions, LoadLimits, MaterialSpec, analyse, load_mesh",
    "full": "AnalysisOptions, LoadLimits, MaterialSpec, analyse, load_mesh",
    "repair": "LoadLimits, load_mesh, repair_mesh",
    "preview": "LoadLimits, load_mesh, write_preview_glb",
    "thumbnail": "LoadLimits, load_mesh, write_thumbnail_png",
}

_CHILD = r"""
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {repo!r})
from designs.geometry import {imports}
imported = time.perf_counter()
task, path = {task!r}, {path!r}
if task in ("core", "full"):
    materials = [MaterialSpec(code="pla", name="PLA", process="fdm", min_wall_mm=0.8, min_detail_mm=0.4,
                              build_volume_mm=(250.0, 210.0, 210.0), needs_support=True)]
def once():
    load_started = time.perf_counter()
    mesh = load_mesh(path, units=None, limits=LoadLimits())
    load_ms = round((time.perf_counter() - load_started) * 1000, 1)
    if task in ("core", "full"):
        options = AnalysisOptions.core() if task == "core" else AnalysisOptions()
        report = analyse(mesh, materials=materials, options=options).report
        report["timings_ms"] = {{"load": load_ms, **report["timings_ms"]}}
        return report
    if task == "repair":
        result = repair_mesh(mesh)
        return {{"changes": result.changes, "watertight_after": result.repaired.is_watertight,
                 "volume_after_mm3": result.volume_after_mm3}}
    if task == "preview":
        faces = write_preview_glb(mesh, "/tmp/bench_preview.glb")
        return {{"preview_faces": faces}}
    if task == "thumbnail":
        write_thumbnail_png(mesh, "/tmp/bench_thumbnail.png")
        return {{}}
    raise SystemExit("unknown task")
first = once()
finished = time.perf_counter()
warm = None
if {warm!r}:
    passes = []
    for _ in range(3):
        warm_started = time.perf_counter()
        once()
        passes.append(time.perf_counter() - warm_started)
    warm = sorted(passes)[1]
keys = ("faces", "shells", "volume_mm3", "watertight", "min_wall_mm", "support_volume_mm3", "changes",
        "watertight_after", "volume_after_mm3", "preview_faces", "timings_ms")
summary = {{key: first[key] for key in keys if key in first}}
print(json.dumps({{"import_s": imported - started, "work_s": finished - imported, "warm_s": warm,
                  "summary": summary}}))
"""


def _run(command: list[str], *, capture: bool = True) -> tuple[float, int, str]:
    """Wall time (s), peak memory (MB) of the child, and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
    )
    output = process.stdout.read().decode() if capture else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:3]} failed with status {status}")
    return elapsed, usage.ru_maxrss // 1024, output


def _summarise(results: list[tuple[float, int, str]]) -> dict:
    children = [
        json.loads(output.strip().splitlines()[-1]) for _t, _m, output in results if output.strip().startswith("{")
    ]
    walls = [elapsed for elapsed, _m, _o in results]
    entry = {
        "wall_s": statistics.median(walls),
        "walls": walls,
        "peak_mb": max(memory for _e, memory, _o in results),
    }
    if children:
        entry["work_s"] = statistics.median(child["work_s"] for child in children)
        entry["import_s"] = statistics.median(child["import_s"] for child in children)
        entry["summary"] = children[-1]["summary"]
    return entry


def _median_runs(command: list[str], runs: int) -> dict:
    return _summarise([_run(command) for _ in range(runs)])


def _child(task: str, path: Path, *, warm: bool) -> list[str]:
    code = _CHILD.format(repo=str(REPO), imports=_IMPORTS[task], task=task, path=str(path), warm=warm)
    return [PYTHON, "-c", code]


def warm_seconds(task: str, path: Path) -> float:
    """Median of three further analyses in one process, after a first one (a warm worker)."""
    return json.loads(_run(_child(task, path, warm=True))[2].strip().splitlines()[-1])["warm_s"]


def trimesh_script(kind: str, path: Path) -> list[str]:
    body = {
        "load": "m = trimesh.load(path, force='mesh')",
        "checks": (
            "m = trimesh.load(path, force='mesh'); m.is_watertight; m.volume; m.bounds; m.split(only_watertight=False)"
        ),
        "fix_winding": "m = trimesh.load(path, force='mesh'); trimesh.repair.fix_winding(m)",
    }[kind]
    return [PYTHON, "-c", f"import trimesh; path = {str(path)!r}; {body}"]


def _machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": sys.version.split()[0]}


def _ensure_meshes() -> None:
    if all(path.exists() for path in (BIG, DAMAGED, BENCHY)):
        return
    tool = SHARED / "tools" / "make_perf_meshes.py"
    print(f"building the benchmark meshes with {tool} ...", flush=True)
    subprocess.run([PYTHON, str(tool), str(OUT), str(SHARED / "meshes")], check=True)


def _spread(entry: dict) -> str:
    walls = entry.get("walls") or [entry["wall_s"]]
    return f"{min(walls):.2f}-{max(walls):.2f} s"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip trimesh fix_winding (about a minute)")
    parser.add_argument("--write", action="store_true", help="update the Mesh analysis section of BENCHMARKS.md")
    arguments = parser.parse_args()
    _ensure_meshes()
    runs = arguments.runs
    rows: list[tuple] = []

    def add(label: str, path: Path, entry: dict | None) -> None:
        rows.append((label, path.name, entry))
        if entry is None:
            print(f"{label:55s} {path.name:30s} skipped", flush=True)
            return
        extra = f" (spread {_spread(entry)})"
        if "work_s" in entry:
            extra += f" (in process {entry['work_s']:.2f} s, warm worker {entry['warm_s']:.2f} s)"
        print(f"{label:55s} {path.name:30s} {entry['wall_s']:6.2f} s {entry['peak_mb']:6d} MB{extra}", flush=True)

    # Every job runs once per round, round after round, so ours and the peers share the machine's moods
    # (it is shared, and load changes by the minute).
    jobs = [
        ("ours: core report", BIG, _child("core", BIG, warm=False), ("core", BIG)),
        ("ours: full report (thin walls + orientation)", BIG, _child("full", BIG, warm=False), ("full", BIG)),
        ("ours: repair of the damaged mesh", DAMAGED, _child("repair", DAMAGED, warm=False), ("repair", DAMAGED)),
        ("ours: full report", DAMAGED, _child("full", DAMAGED, warm=False), ("full", DAMAGED)),
        ("ours: full report", BENCHY, _child("full", BENCHY, warm=False), ("full", BENCHY)),
        (
            f"ours: preview GLB (decimated to {preview_max_faces() // 1000}k faces)",
            BIG,
            _child("preview", BIG, warm=False),
            ("preview", BIG),
        ),
        ("ours: thumbnail PNG 256 px", BENCHY, _child("thumbnail", BENCHY, warm=False), ("thumbnail", BENCHY)),
    ]
    peer_names = []
    for name, command in (("admesh", ["admesh"]), ("prusa-slicer", ["prusa-slicer", "--info"])):
        label = f"{name} {' '.join(command[1:])}".strip()
        if shutil.which(command[0]) is None:
            print(f"{name} is not installed: apt-get install -y admesh prusa-slicer", flush=True)
            continue
        for path in (BIG, DAMAGED):
            jobs.append((label, path, [*command, str(path)], None))
            peer_names.append((label, name, path))
    jobs.append(("trimesh.load", BIG, trimesh_script("load", BIG), None))
    jobs.append(("trimesh load + watertight + volume + bounds + split", BIG, trimesh_script("checks", BIG), None))
    results: dict[int, list] = {index: [] for index in range(len(jobs))}
    for round_number in range(runs):
        print(f"round {round_number + 1} of {runs}", flush=True)
        for index, (_label, _path, command, _warm) in enumerate(jobs):
            results[index].append(_run(command))
    peers = {}
    for index, (label, path, _command, warm) in enumerate(jobs):
        entry = _summarise(results[index])
        if warm is not None:
            entry["warm_s"] = warm_seconds(*warm)
        add(label, path, entry)
        for peer_label, name, peer_path in peer_names:
            if (peer_label, peer_path) == (label, path):
                peers[(name, path.name)] = entry
    for name, command in (("admesh", ["admesh"]), ("prusa-slicer", ["prusa-slicer", "--info"])):
        if shutil.which(command[0]) is None:
            for path in (BIG, DAMAGED):
                add(name, path, None)
    if not arguments.quick:
        add("trimesh fix_winding (one run)", DAMAGED, _median_runs(trimesh_script("fix_winding", DAMAGED), 1))
    ratios = _ratios(rows, peers)
    for line in ratios:
        print(line)
    if arguments.write:
        _write_section(rows, ratios, runs, arguments.quick)


def _find(rows, label: str, file_name: str) -> dict | None:
    for row_label, row_file, entry in rows:
        if row_label == label and row_file == file_name:
            return entry
    return None


def _ratios(rows, peers) -> list[str]:
    lines = []
    core = _find(rows, "ours: core report", BIG.name)
    full = _find(rows, "ours: full report (thin walls + orientation)", BIG.name)
    repair = _find(rows, "ours: repair of the damaged mesh", DAMAGED.name)
    for (name, file_name), peer in peers.items():
        mine = core if file_name == BIG.name else repair
        what = "core report" if file_name == BIG.name else "repair"
        if mine:
            lines.append(
                f"ours ({what}) / {name} on {file_name}: {mine['wall_s'] / peer['wall_s']:.2f}x whole process, "
                f"{mine['work_s'] / peer['wall_s']:.2f}x in process, {mine['warm_s'] / peer['wall_s']:.2f}x warm worker"
            )
    fix = _find(rows, "trimesh fix_winding (one run)", DAMAGED.name)
    if fix and repair:
        lines.append(f"trimesh fix_winding / ours (repair) on {DAMAGED.name}: {fix['wall_s'] / repair['wall_s']:.1f}x")
    prusa = peers.get(("prusa-slicer", BIG.name))
    if core and prusa:
        verdict = "met" if core["wall_s"] <= prusa["wall_s"] else "NOT met"
        lines.append(
            f"goal 'core report no slower than PrusaSlicer --info' on {BIG.name}: {verdict} "
            f"({core['wall_s']:.2f} s against {prusa['wall_s']:.2f} s whole process; "
            f"{core['warm_s']:.2f} s in a warm worker)"
        )
        # Rounds are run one after another, so the ratio within each round compares the two under the same
        # machine load; its median is steadier than the ratio of the medians.
        paired = sorted(mine / theirs for mine, theirs in zip(core["walls"], prusa["walls"], strict=True))
        lines.append(
            f"ours (core report) / prusa-slicer --info per round on {BIG.name}: median "
            f"{statistics.median(paired):.2f}x, from {paired[0]:.2f}x to {paired[-1]:.2f}x over {len(paired)} rounds"
        )
        stages = core.get("summary", {}).get("timings_ms", {})
        if stages:
            shown = ", ".join(f"{name} {value:.0f} ms" for name, value in stages.items() if value >= 5)
            lines.append(f"core report stages (last run, in process, wall clock): {shown}")
    if full:
        verdict = "met" if full["wall_s"] < 10 else "NOT met"
        lines.append(f"goal 'full report under 10 s' on {BIG.name}: {verdict} ({full['wall_s']:.2f} s whole process)")
    if repair:
        verdict = "met" if repair["wall_s"] < 5 else "NOT met"
        lines.append(f"goal 'repair under 5 s' on {DAMAGED.name}: {verdict} ({repair['wall_s']:.2f} s whole process)")
    return lines


def _environment_note() -> str:
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return (
            " PYTHONDONTWRITEBYTECODE is set here, so every child compiles our modules afresh (about 30 ms "
            "more than with cached bytecode)."
        )
    return ""


def _write_section(rows, ratios, runs: int, quick: bool) -> None:
    machine = _machine()
    lines = [
        "## Mesh analysis",
        "",
        f"Command: `.venv/bin/python bench/bench_analysis.py --runs {runs}{' --quick' if quick else ''} --write` "
        f"(meshes from `../shared/tools/make_perf_meshes.py`).",
        f"Machine: {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}; "
        f"measured {time.strftime('%Y-%m-%d')}.",
        "",
        f"Whole processes, median of {runs} runs taken round-robin (every job once per round, so ours and the "
        "peers meet the same machine load; trimesh fix_winding: one run); peak memory is the child's "
        "ru_maxrss. For our runs, *in process* excludes interpreter start-up and imports (numpy, and scipy "
        "pulled in lazily where needed), and *warm worker* is the median of three further analyses in the same "
        "process, which is what a long-lived Celery worker sees after its first task. Each of our children "
        "imports only what its task uses. *Spread* is the fastest and slowest of the runs: this machine is "
        "shared, so single runs vary a lot." + _environment_note(),
        "",
        "| what | file | wall (median) | spread | peak memory | in process | warm worker |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, file_name, entry in rows:
        if entry is None:
            lines.append(f"| {label} | {file_name} | not installed | | | | |")
            continue
        lines.append(
            f"| {label} | {file_name} | {_seconds(entry['wall_s'])} | {_spread(entry)} | {entry['peak_mb']} MB | "
            f"{_seconds(entry.get('work_s'))} | {_seconds(entry.get('warm_s'))} |"
        )
    lines += ["", *[f"- {line}" for line in ratios], ""]
    path = REPO / "BENCHMARKS.md"
    existing = path.read_text() if path.exists() else "# Benchmarks\n"
    section = "\n".join(lines)
    start = existing.find("## Mesh analysis")
    if start < 0:
        updated = existing.rstrip("\n") + "\n\n" + section
    else:
        following = existing.find("\n## ", start + 1)
        tail = existing[following + 1 :] if following >= 0 else ""
        updated = existing[:start] + section + ("\n" + tail if tail else "")
    path.write_text(updated.rstrip("\n") + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
