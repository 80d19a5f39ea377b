"""The analysis pipeline alone, in one plain process: the baseline of the upload benchmark.

``python bench/pipeline_baseline.py SPECS_JSON FILE [FILE ...]`` runs, for each file, what the worker's
``_analyse_files`` runs (load under the limits, analyse against the catalogue, GLB preview, PNG thumbnail,
repaired STL when there is one) with no web server, queue, database or storage around it, and prints one
JSON object: per file the faces and milliseconds per step, and the process's peak RSS. SPECS_JSON is a file
with the catalogue as MaterialSpec fields (the caller reads it from the database).
"""

import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The same limit the worker applies (raised by the large-files benchmark through the environment).
UPLOAD_LIMIT_BYTES = int(os.environ.get("DESIGN_UPLOAD_MAX_BYTES", 100 * 1024 * 1024))


def run_pipeline(path: Path, materials, workdir: Path, *, max_bytes: int = UPLOAD_LIMIT_BYTES) -> dict:
    import trimesh

    from designs.geometry import LoadLimits, analyse, load_mesh, write_preview_glb, write_thumbnail_png

    limits = LoadLimits(max_bytes=max_bytes, max_faces=5_000_000, max_archive_total_bytes=2**30, max_archive_ratio=100)
    started = time.perf_counter()
    cpu_started = time.process_time()
    mesh = load_mesh(path, units=None, limits=limits, file_format=path.suffix.lower().lstrip("."))
    loaded = time.perf_counter()
    result = analyse(mesh, materials=materials)
    analysed = time.perf_counter()
    shown = result.repaired if result.repaired is not None else mesh
    write_preview_glb(shown, workdir / "preview.glb")
    previewed = time.perf_counter()
    write_thumbnail_png(shown, workdir / "thumbnail.png")
    thumbnailed = time.perf_counter()
    if result.repaired is not None:
        trimesh.Trimesh(vertices=result.repaired.vertices, faces=result.repaired.faces, process=False).export(
            workdir / "repaired.stl", file_type="stl"
        )
    finished = time.perf_counter()
    return {
        "faces": result.report.get("faces"),
        "load_ms": (loaded - started) * 1000,
        "analyse_ms": (analysed - loaded) * 1000,
        "preview_ms": (previewed - analysed) * 1000,
        "thumbnail_ms": (thumbnailed - previewed) * 1000,
        "repaired_stl_ms": (finished - thumbnailed) * 1000,
        "render_ms": (finished - analysed) * 1000,
        "total_ms": (finished - started) * 1000,
        "cpu_ms": (time.process_time() - cpu_started) * 1000,
    }


def main() -> None:
    from designs.geometry import MaterialSpec, MeshError

    specs = json.loads(Path(sys.argv[1]).read_text())
    materials = [MaterialSpec(**{**spec, "build_volume_mm": tuple(spec["build_volume_mm"])}) for spec in specs]
    files = [Path(argument) for argument in sys.argv[2:]]
    results = {}
    with tempfile.TemporaryDirectory(prefix="pipeline-baseline-") as folder:
        workdir = Path(folder)
        # Warm-up: imports (trimesh, scipy) and first-call costs belong to no file.
        smallest = min(files, key=lambda path: path.stat().st_size)
        with contextlib.suppress(MeshError):
            run_pipeline(smallest, materials, workdir)
        for path in files:
            try:
                results[path.name] = run_pipeline(path, materials, workdir)
            except MeshError as error:
                results[path.name] = {"error": error.code}
            except MemoryError:
                results[path.name] = {"error": "memory"}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"files": results, "peak_rss_mb": peak_kb / 1024}))


if __name__ == "__main__":
    main()
