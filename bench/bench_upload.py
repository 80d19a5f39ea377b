"""Benchmark: upload to verdict, through the API and a real worker, against the bare pipeline in the same run.

Run from the project root: ``.venv/bin/python bench/bench_upload.py [--quick] [--customers 6]`` (PostgreSQL
and Redis as for ``bench_api_load.py``; the shared meshes in ../shared/meshes).

1. Baseline: ``pipeline_baseline.py`` runs the worker's pipeline (load, analyse, preview, thumbnail, repaired
   STL) on every file in one plain process: what the analysis itself costs, with nothing around it.
2. gunicorn (production settings) and one Celery worker on the ``meshes`` queue with one process per core.
   N customers upload every shared mesh at once (each customer a thread sending its files one after the
   other, as a folder dropped on the page). Per upload: the request time, then from the version's row the
   time queued (created -> analysis started), the worker's ``pipeline_ms`` (fetch, load, analyse, render),
   the rest (storing derived files, the status change), and upload -> verdict. Throughput is verdicts per
   minute per worker process (one core each), against the baseline's analyses per minute on one core.
3. With the queue empty: a 100,000-face part (a watertight ring, generated) uploaded by a customer who polls
   ``GET /api/designs/{id}/`` until ``ready`` (goal: under 3 s), and two real parts (the 84k-face counter,
   the 225k-face 3DBenchy), each against its baseline pipeline time.
"""

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

MESH_SUFFIXES = {".stl", ".obj", ".ply", ".off", ".3mf", ".glb", ".gltf"}
RING_FACES = 100_000
IDLE_PARTS = ("trimesh__counter.unitsmm.STL", "benchy__3DBenchy.3mf")


def shared_mesh_files() -> list[Path]:
    from tests.meshes import shared_meshes_dir

    folder = shared_meshes_dir()
    if folder is None:
        sys.exit("the shared meshes (../shared/meshes or PLATFORM_SHARED_MESHES) are needed for this benchmark")
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in MESH_SUFFIXES)


def make_ring(path: Path) -> Path:
    """A watertight ring of exactly 100,000 faces (76 mm across), written as binary STL."""
    import trimesh

    ring = trimesh.creation.torus(major_radius=30.0, minor_radius=8.0, major_sections=250, minor_sections=200)
    assert len(ring.faces) == RING_FACES
    ring.export(path, file_type="stl")
    return path


def material_specs_file(folder: Path) -> Path:
    from dataclasses import asdict

    from designs.selectors import material_specs

    path = folder / "material-specs.json"
    path.write_text(json.dumps([asdict(spec) for spec in material_specs()]))
    return path


def upload(session, base_url: str, token: str, path: Path) -> dict:
    started = time.time()
    with open(path, "rb") as handle:
        response = session.post(
            f"{base_url}/api/designs/",
            files={"file": (path.name, handle)},
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=300,
        )
    finished = time.time()
    if response.status_code not in (200, 201):
        raise RuntimeError(f"upload of {path.name} answered {response.status_code}: {response.text[:300]}")
    body = response.json()
    return {
        "file": path.name,
        "design": body["id"],
        "version": body["latest_version"]["id"],
        "started": started,
        "request_s": finished - started,
    }


def wait_for_verdicts(version_ids: list[int], *, timeout: float) -> None:
    from designs.models import DesignVersion

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = DesignVersion.objects.filter(pk__in=version_ids, status__in=["ready", "failed"]).count()
        if done == len(version_ids):
            return
        time.sleep(0.2)
    raise RuntimeError(f"not every analysis finished within {timeout:.0f} s")


def version_rows(version_ids: list[int]) -> dict[int, dict]:
    from designs.models import DesignVersion

    return {
        row["pk"]: row
        for row in DesignVersion.objects.filter(pk__in=version_ids).values(
            "pk", "status", "error_code", "created_at", "analysis_started_at", "analysed_at", "analysis", "file_size"
        )
    }


def breakdown(upload_record: dict, row: dict) -> dict:
    """Where one upload's time went, in seconds."""
    created = row["created_at"].timestamp()
    started = (row["analysis_started_at"] or row["created_at"]).timestamp()
    finished = (row["analysed_at"] or row["analysis_started_at"] or row["created_at"]).timestamp()
    pipeline = (row["analysis"] or {}).get("pipeline_ms") or {}
    fetch = pipeline.get("fetch_or_generate", 0) / 1000
    load = pipeline.get("load", 0) / 1000
    analyse = pipeline.get("analyse", 0) / 1000
    render = pipeline.get("render", 0) / 1000
    in_worker = max(finished - started, 0.0)
    return {
        "file": upload_record["file"],
        "status": row["status"],
        "faces": (row["analysis"] or {}).get("faces"),
        "request": upload_record["request_s"],
        "queued": max(started - created, 0.0),
        "fetch": fetch,
        "load": load,
        "analyse": analyse,
        "render": render,
        "store": max(in_worker - fetch - load - analyse - render, 0.0),
        "end_to_end": max(finished - upload_record["started"], 0.0),
        "finished_at": finished,
    }


def concurrent_uploads(*, base_url: str, customers, files: list[Path], rng: random.Random) -> list[dict]:
    import requests

    records, errors = [], []
    lock = threading.Lock()

    def customer_session(account, order):
        session = requests.Session()
        try:
            for path in order:
                record = upload(session, base_url, account.token, path)
                with lock:
                    records.append(record)
        except Exception as error:  # noqa: BLE001 - reported after the threads finish
            errors.append(error)

    threads = []
    for account in customers:
        order = list(files)
        rng.shuffle(order)
        threads.append(threading.Thread(target=customer_session, args=(account, order)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return records


def poll_until_ready(session, base_url: str, token: str, design_id: int, *, timeout: float = 120) -> tuple[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = session.get(
            f"{base_url}/api/designs/{design_id}/",
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=30,
        )
        status = response.json()["latest_version"]["status"]
        if status in ("ready", "failed"):
            return status, time.time()
        time.sleep(0.025)
    raise RuntimeError(f"design {design_id} was not analysed within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 customers and fewer idle repeats")
    parser.add_argument("--customers", type=int, help="concurrent customers (default 6, quick 2)")
    parser.add_argument("--worker-processes", type=int, default=harness.machine_description()["cores"])
    arguments = parser.parse_args()
    customer_count = arguments.customers or (2 if arguments.quick else 6)
    ring_repeats = 2 if arguments.quick else 3
    files = shared_mesh_files()
    results: dict = {"customers": customer_count, "worker_processes": arguments.worker_processes}
    harness.say(
        f"upload to verdict: {customer_count} customers x {len(files)} shared meshes, one worker with "
        f"{arguments.worker_processes} processes"
    )
    with harness.platform_stack("upload") as stack:
        stack.setup_django()
        import scale_data

        scale_data.seed_materials()
        accounts = scale_data.create_accounts(
            prefix="uploader", count=customer_count + ring_repeats + 4, role="customer"
        )
        ring = make_ring(stack.workdir / "ring_100k.stl")
        idle_files = [path for path in files if path.name in IDLE_PARTS]
        specs = material_specs_file(stack.workdir)
        baseline_command = [str(Path(__file__).resolve().parent / "pipeline_baseline.py"), str(specs)]
        baseline_command += [*map(str, files), str(ring)]
        harness.say("baseline: the pipeline alone, one process (run before and after the platform runs)")
        baseline_runs = [harness.run_module_json(baseline_command)]
        from django.db import connections

        connections.close_all()
        web = harness.WebServer(stack, workers=2, threads=4)
        worker = harness.CeleryWorker(stack, queues="meshes", concurrency=arguments.worker_processes, name="meshes")
        try:
            import requests

            session = requests.Session()
            warm_account = accounts.pop()
            smallest = min(files, key=lambda path: path.stat().st_size)
            warm = upload(session, web.base_url, warm_account.token, smallest)
            wait_for_verdicts([warm["version"]], timeout=120)  # the worker's first task imports trimesh

            customers = accounts[:customer_count]
            harness.say(f"{customer_count} customers uploading {len(files)} files each")
            worker_pids = [worker.pid, *worker.pool_pids()]
            cpu_before = harness.cpu_seconds(worker_pids)
            started = time.time()
            records = concurrent_uploads(base_url=web.base_url, customers=customers, files=files, rng=random.Random(11))
            wait_for_verdicts([record["version"] for record in records], timeout=1800)
            rows = version_rows([record["version"] for record in records])
            results["concurrent"] = [breakdown(record, rows[record["version"]]) for record in records]
            finished = max(entry["finished_at"] for entry in results["concurrent"])
            results["concurrent_seconds"] = finished - started
            results["worker_cpu_seconds"] = harness.cpu_seconds(worker_pids) - cpu_before
            baseline_runs.append(harness.run_module_json(baseline_command))

            harness.say("queue empty: single uploads polled until ready")
            idle = []
            idle_accounts = accounts[customer_count:]
            for index, path in enumerate([ring] * ring_repeats + idle_files):
                account = idle_accounts[index]
                record = upload(session, web.base_url, account.token, path)
                status, seen = poll_until_ready(session, web.base_url, account.token, record["design"])
                row = version_rows([record["version"]])[record["version"]]
                entry = breakdown(record, row)
                entry["observed"] = seen - record["started"]
                idle.append(entry)
                harness.say(f"{path.name}: {status} after {entry['observed']:.2f} s (upload to seen ready)")
            results["idle"] = idle
            results["baseline"] = _mean_baseline(baseline_runs)
        finally:
            worker.stop()
            web.stop()
    report(results)
    harness.save_results("upload", results)
    return 0


def _mean_baseline(runs: list[dict]) -> dict:
    """The mean of the baseline runs, file by file (the machine's load drifts between them)."""
    merged = {}
    for name, first in runs[0]["files"].items():
        if "total_ms" not in first:
            merged[name] = first
            continue
        merged[name] = {
            key: sum(run["files"][name][key] for run in runs) / len(runs) for key in first if key != "faces"
        }
        merged[name]["faces"] = first["faces"]
        merged[name]["runs_total_ms"] = [run["files"][name]["total_ms"] for run in runs]
    return merged


def report(results: dict) -> None:
    baseline = results["baseline"]
    concurrent = results["concurrent"]
    processes = results["worker_processes"]
    verdicts = len(concurrent)
    minutes = results["concurrent_seconds"] / 60
    per_core = verdicts / minutes / processes
    measured = {name: entry for name, entry in baseline.items() if "total_ms" in entry and name != "ring_100k.stl"}
    baseline_seconds = sum(entry["total_ms"] for entry in measured.values()) / 1000
    baseline_cpu_seconds = sum(entry["cpu_ms"] for entry in measured.values()) / 1000
    baseline_files = len(measured)
    baseline_per_core = baseline_files / (baseline_seconds / 60)
    cpu_per_minute = verdicts / (results["worker_cpu_seconds"] / 60)
    baseline_cpu_per_minute = baseline_files / (baseline_cpu_seconds / 60)
    failed = sum(1 for entry in concurrent if entry["status"] == "failed")
    print()
    print(
        f"## Upload to verdict ({results['customers']} customers x {verdicts // results['customers']} shared meshes "
        f"at once; one worker, {processes} processes)"
    )
    print(f"machine: {harness.machine_line()}")
    print(
        harness.markdown_table(
            ["figure", "value", "baseline (pipeline alone, 1 process)", "ratio"],
            [
                [
                    "verdicts per minute per worker core (wall clock)",
                    f"{per_core:.0f} ({verdicts} verdicts, {failed} failed, in {results['concurrent_seconds']:.1f} s)",
                    f"{baseline_per_core:.0f} ({baseline_files} files in {baseline_seconds:.1f} s)",
                    f"{per_core / baseline_per_core:.2f}",
                ],
                [
                    "verdicts per CPU-minute of the worker's processes",
                    f"{cpu_per_minute:.0f} ({results['worker_cpu_seconds']:.1f} CPU s)",
                    f"{baseline_cpu_per_minute:.0f} ({baseline_cpu_seconds:.1f} CPU s)",
                    f"{cpu_per_minute / baseline_cpu_per_minute:.2f}",
                ],
            ],
        )
    )
    totals = [entry["end_to_end"] for entry in concurrent]
    print()
    print("Upload -> verdict under that load (seconds):")
    print(
        harness.markdown_table(
            ["p50", "p90", "p99", "max"],
            [[f"{harness.percentile(totals, q):.2f}" for q in (0.5, 0.9, 0.99)] + [f"{max(totals):.2f}"]],
        )
    )
    steps = ("request", "queued", "fetch", "load", "analyse", "render", "store")
    sums = {step: sum(entry[step] for entry in concurrent) for step in steps}
    total = sum(sums.values()) or 1.0
    print()
    print("Where the time went (sum over all uploads; request = the upload's HTTP request):")
    print(
        harness.markdown_table(["step", *steps], [["share", *[f"{sums[step] / total * 100:.0f}%" for step in steps]]])
    )
    print()
    print("Single uploads with the queue empty (upload -> seen ready by polling the API):")
    rows = []
    for entry in results["idle"]:
        base = baseline.get(entry["file"], {})
        goal = " (goal < 3 s)" if entry["file"] == "ring_100k.stl" else ""
        rows.append(
            [
                f"{entry['file']} ({entry['faces'] or '?':,} faces)" if entry["faces"] else entry["file"],
                f"{entry['observed']:.2f}{goal}",
                f"{entry['request']:.2f} / {entry['queued']:.2f} / {entry['load']:.2f} / {entry['analyse']:.2f} / "
                f"{entry['render']:.2f} / {entry['store']:.2f}",
                f"{base.get('total_ms', float('nan')) / 1000:.2f}",
                f"{entry['observed'] / (base.get('total_ms', float('nan')) / 1000):.2f}",
            ]
        )
    print(
        harness.markdown_table(
            [
                "part",
                "upload -> ready s",
                "request / queued / load / analyse / render / store s",
                "baseline pipeline s",
                "ratio",
            ],
            rows,
        )
    )
    print()
    print("The baseline pipeline per step for those parts (ms, mean of the runs before and after):")
    steps = ("load_ms", "analyse_ms", "preview_ms", "thumbnail_ms", "repaired_stl_ms", "total_ms")
    parts = dict.fromkeys(entry["file"] for entry in results["idle"])
    print(
        harness.markdown_table(
            ["part", *[step.removesuffix("_ms").replace("_", " ") for step in steps]],
            [[name, *[f"{baseline[name][step]:.0f}" for step in steps]] for name in parts if name in baseline],
        )
    )
    ring = [entry["observed"] for entry in results["idle"] if entry["file"] == "ring_100k.stl"]
    print()
    print(
        f"goal: 100k-face part upload -> ready under 3 s: {'met' if max(ring) < 3 else 'NOT met'} "
        f"(median {harness.median(ring):.2f} s, worst {max(ring):.2f} s)"
    )


if __name__ == "__main__":
    sys.exit(main())
