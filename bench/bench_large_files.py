"""Benchmark: large files. A 200 MB upload must not grow the web process by more than 50 MB; a 2-million-face
mesh must be analysed by a real worker inside the analysis memory cap (MESH_ANALYSIS_MEMORY_BYTES).

Run from the project root: ``.venv/bin/python bench/bench_large_files.py [--quick]`` (PostgreSQL and Redis as
for ``bench_api_load.py``; the shared meshes for the 3DBenchy the large files are tiled from).

1. gunicorn (production settings, one worker process so that its memory is the one measured, 4 threads)
   with ``DESIGN_UPLOAD_MAX_BYTES`` raised to 256 MB. A 200 MB binary STL (18 tiled 3DBenchy boats, 4.05M
   faces; quick: 60 MB) is streamed to ``POST /api/designs/`` while a thread samples the worker's VmRSS every
   10 ms; VmHWM (the kernel's own peak) confirms the peak. Baseline in the same run: the same measurement for
   a 1 MB upload, after a warm-up upload.
2. One Celery worker (one process) analyses a 2.03M-face file (9 tiled boats, 101 MB) uploaded through the
   API; the pool process's VmHWM after the task, minus its VmHWM after a warm-up task, is the analysis's peak
   memory, against the cap. Baseline: the same pipeline in a fresh plain process (``pipeline_baseline.py``),
   its peak RSS and time.
"""

import argparse
import http.client
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

UPLOAD_LIMIT = 256 * 1024 * 1024
MEMORY_GOAL_MB = 50
CHUNK = 1024 * 1024


def benchy_triangles():
    import numpy as np
    import trimesh

    from tests.meshes import shared_meshes_dir

    folder = shared_meshes_dir()
    if folder is None:
        sys.exit("the shared meshes (../shared/meshes or PLATFORM_SHARED_MESHES) are needed for this benchmark")
    boat = trimesh.load(folder / "benchy__3DBenchy.3mf", force="mesh")
    return boat.triangles.astype(np.float32)


def write_tiled_stl(path: Path, triangles, copies: int, *, spacing_mm: float = 70.0) -> int:
    """``copies`` boats on a grid, as one binary STL; returns the face count."""
    import numpy as np

    record = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attributes", "<u2")])
    count = len(triangles)
    side = int(np.ceil(np.sqrt(copies)))
    with open(path, "wb") as handle:
        handle.write(b"makernet benchmark: tiled 3DBenchy".ljust(80, b" "))
        handle.write(np.uint32(count * copies).tobytes())
        for copy in range(copies):
            rows = np.zeros(count, dtype=record)
            offset = np.array([(copy % side) * spacing_mm, (copy // side) * spacing_mm, 0.0], dtype=np.float32)
            rows["corners"] = triangles + offset
            rows.tofile(handle)
    return count * copies


def stream_upload(base_url: str, token: str, path: Path) -> tuple[int, float, dict]:
    """POST the file as multipart, read from disk in 1 MB chunks (the client holds no copy of it)."""
    boundary = "makernet-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", "/api/designs/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Accept", "application/json")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = json.loads(response.read() or b"{}")
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed, body


class RssSampler:
    """Samples a process's VmRSS every ``interval`` seconds in a thread; ``peak_kb`` is the highest seen."""

    def __init__(self, pid: int, interval: float = 0.01):
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, harness.proc_status_kb(self.pid, "VmRSS"))
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure_upload(web, token: str, path: Path) -> dict:
    (worker_pid,) = web.worker_pids()
    time.sleep(0.5)  # let the previous request's garbage go
    before = harness.proc_status_kb(worker_pid, "VmRSS")
    high_water_before = harness.proc_status_kb(worker_pid, "VmHWM")
    with RssSampler(worker_pid) as sampler:
        status, elapsed, body = stream_upload(web.base_url, token, path)
    time.sleep(0.5)
    after = harness.proc_status_kb(worker_pid, "VmRSS")
    high_water_after = harness.proc_status_kb(worker_pid, "VmHWM")
    if status not in (200, 201):
        raise RuntimeError(f"upload of {path.name} answered {status}: {body}")
    # VmHWM only says something when this request raised the process's lifetime peak.
    peak = max(sampler.peak_kb, high_water_after if high_water_after > high_water_before else 0)
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "seconds": elapsed,
        "rss_before_mb": before / 1024,
        "rss_peak_mb": peak / 1024,
        "rss_after_mb": after / 1024,
        "growth_mb": (peak - before) / 1024,
        "version": body["latest_version"]["id"],
    }


def analysis_memory(stack, token: str, path: Path, warm_path: Path) -> dict:
    """Upload ``path`` to a one-process worker; the pool process's peak RSS while analysing it."""
    import requests

    from designs.models import DesignVersion

    web = harness.WebServer(stack, workers=1, threads=4, DESIGN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT)
    worker = harness.CeleryWorker(
        stack, queues="meshes", concurrency=1, name="large", DESIGN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT
    )
    try:
        session = requests.Session()

        def analyse(file_path: Path) -> tuple[dict, float]:
            status, _elapsed, body = stream_upload(web.base_url, token, file_path)
            if status not in (200, 201):
                raise RuntimeError(f"upload answered {status}: {body}")
            version_id = body["latest_version"]["id"]
            started = time.perf_counter()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                row = DesignVersion.objects.filter(pk=version_id).values("status", "error", "analysis").first()
                if row["status"] in ("ready", "failed"):
                    return row, time.perf_counter() - started
                time.sleep(0.2)
            raise RuntimeError("the analysis did not finish in 600 s")

        analyse(warm_path)
        (pool_pid,) = worker.pool_pids()
        idle_peak = harness.proc_status_kb(pool_pid, "VmHWM")
        idle_rss = harness.proc_status_kb(pool_pid, "VmRSS")
        row, seconds = analyse(path)
        peak = harness.proc_status_kb(pool_pid, "VmHWM")
        session.close()
    finally:
        worker.stop()
        web.stop()
    report = row["analysis"] or {}
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "status": row["status"],
        "error": row["error"],
        "faces": report.get("faces"),
        "seconds": seconds,
        "pipeline_ms": report.get("pipeline_ms"),
        "idle_rss_mb": idle_rss / 1024,
        "idle_peak_mb": idle_peak / 1024,
        "peak_rss_mb": peak / 1024,
        "analysis_growth_mb": (peak - idle_rss) / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 60 MB upload instead of 200 MB")
    arguments = parser.parse_args()
    upload_copies = 6 if arguments.quick else 18  # 11.3 MB per boat
    results: dict = {}
    with harness.platform_stack("large", DESIGN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT) as stack:
        stack.setup_django()
        import scale_data

        scale_data.seed_materials()
        accounts = scale_data.create_accounts(prefix="large", count=6, role="customer")
        triangles = benchy_triangles()
        big = stack.workdir / f"benchy_x{upload_copies}.stl"
        faces = write_tiled_stl(big, triangles, upload_copies)
        small = stack.workdir / "benchy_slice_1mb.stl"
        write_tiled_stl(small, triangles[:20_000], 1)
        warm = stack.workdir / "benchy_slice_warm.stl"
        write_tiled_stl(warm, triangles[20_000:40_000], 1)
        two_million = stack.workdir / "benchy_x9_2m.stl"
        results["two_million_faces"] = write_tiled_stl(two_million, triangles, 9)
        from django.db import connections

        connections.close_all()
        harness.say(f"web memory: uploading {big.stat().st_size / 1e6:.0f} MB ({faces:,} faces) to one gunicorn worker")
        web = harness.WebServer(stack, workers=1, threads=4)
        try:
            measure_upload(web, accounts[0].token, warm)  # warm-up: code paths, allocator pools
            results["baseline_upload"] = measure_upload(web, accounts[1].token, small)
            results["large_upload"] = measure_upload(web, accounts[2].token, big)
        finally:
            web.stop()
        # The uploads above queued their analyses; no worker ran. Drop them, or the worker below would analyse
        # the 200 MB file first and its peak would be taken for the 2M-face file's.
        harness.flush_redis(stack.redis_url)
        harness.say("analysis memory: a 2-million-face mesh through a one-process worker")
        from django.conf import settings

        results["memory_cap_mb"] = settings.MESH_ANALYSIS_MEMORY_BYTES / 1024 / 1024
        results["analysis"] = analysis_memory(stack, accounts[3].token, two_million, warm)
        from dataclasses import asdict

        from designs.selectors import material_specs

        specs = stack.workdir / "specs.json"
        specs.write_text(json.dumps([asdict(spec) for spec in material_specs()]))
        connections.close_all()
        results["analysis_baseline"] = harness.run_module_json(
            [str(Path(__file__).resolve().parent / "pipeline_baseline.py"), str(specs), str(two_million)],
            env=stack.environment(DESIGN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT),
        )
    report(results)
    harness.save_results("large_files", results)
    return 0


def report(results: dict) -> None:
    large, small = results["large_upload"], results["baseline_upload"]
    analysis, baseline = results["analysis"], results["analysis_baseline"]
    baseline_file = baseline["files"][analysis["file"]]
    print()
    print("## Large files")
    print(f"machine: {harness.machine_line()}")
    print(
        harness.markdown_table(
            ["upload", "size MB", "seconds", "MB/s", "web RSS before / peak / after MB", "growth MB"],
            [
                [
                    f"{entry['file']}{' (baseline)' if entry is small else ''}",
                    f"{entry['bytes'] / 1e6:.0f}",
                    f"{entry['seconds']:.2f}",
                    f"{entry['bytes'] / 1e6 / entry['seconds']:.0f}",
                    f"{entry['rss_before_mb']:.0f} / {entry['rss_peak_mb']:.0f} / {entry['rss_after_mb']:.0f}",
                    f"{entry['growth_mb']:.1f}",
                ]
                for entry in (small, large)
            ],
        )
    )
    growth_goal = large["growth_mb"] < MEMORY_GOAL_MB
    print(
        f"web process growth for {large['bytes'] / 1e6:.0f} MB: {large['growth_mb']:.1f} MB "
        f"(baseline 1 MB upload: {small['growth_mb']:.1f} MB; {large['growth_mb'] / (large['bytes'] / 1e6) * 100:.1f}% "
        f"of the file): goal < {MEMORY_GOAL_MB} MB {'met' if growth_goal else 'NOT met'}"
    )
    print()
    print(
        harness.markdown_table(
            ["analysis", "faces", "status", "seconds", "peak RSS MB", "growth over idle MB", "cap MB"],
            [
                [
                    f"worker (one process), {analysis['file']}",
                    f"{analysis['faces'] or results['two_million_faces']:,}",
                    analysis["status"] + (f" ({analysis['error'][:80]})" if analysis["error"] else ""),
                    f"{analysis['seconds']:.1f}",
                    f"{analysis['peak_rss_mb']:.0f}",
                    f"{analysis['analysis_growth_mb']:.0f}",
                    f"{results['memory_cap_mb']:.0f}",
                ],
                [
                    "baseline: the pipeline in a fresh plain process",
                    f"{baseline_file.get('faces') or 0:,}",
                    baseline_file.get("error", "ready"),
                    f"{baseline_file.get('total_ms', 0) / 1000:.1f}",
                    f"{baseline['peak_rss_mb']:.0f}",
                    "",
                    "",
                ],
            ],
        )
    )
    pipeline = analysis.get("pipeline_ms") or {}
    if pipeline:
        print(
            "worker pipeline_ms: "
            + ", ".join(f"{step} {milliseconds / 1000:.1f} s" for step, milliseconds in pipeline.items())
            + f"; the rest of the {analysis['seconds']:.1f} s is queue pickup, storing the derived files and the rows"
        )
    within = analysis["status"] == "ready" and analysis["analysis_growth_mb"] < results["memory_cap_mb"]
    print(
        f"2M-face analysis inside the {results['memory_cap_mb']:.0f} MB cap: {'met' if within else 'NOT met'} "
        f"(worker/baseline time ratio {analysis['seconds'] / max(baseline_file.get('total_ms', 1) / 1000, 0.001):.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())
