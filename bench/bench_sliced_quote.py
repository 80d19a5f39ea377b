"""Benchmark: a sliced quote on the 225k-face 3DBenchy, through the API and a real worker (issue 14's number).

Run from the project root: ``.venv/bin/python bench/bench_sliced_quote.py [--quick] [--runs N] [--json PATH]``
(PostgreSQL and Redis as for the other platform benchmarks, the shared meshes in ../shared/meshes and
``prusa-slicer`` with its vendor profiles).

Goal (issue 14): "Sliced quote on a 225k-face part ready within 20 s of the first answer on this machine;
slices reused (a second quote for the same version, material and profile runs no slicer)."

1. A throwaway platform (harness.platform_stack): gunicorn (production settings) and one Celery worker serving
   every queue (core.queueing.queues(): meshes, slicing, celery, dispatch, notify) with one process per core;
   the PLA material, a customer, and a maker near Berlin with one Original Prusa i3 MK3S (profile
   ``PrusaResearch/MK3S/0.4``) loaded with PLA.
2. Warm-up: two small parts are uploaded and quoted at once, so that each worker process has sliced once
   (the slicer's vendor profiles read, imports done) as in a long-running worker. Their times are shown too.
3. Runs: each run needs a new cache key (version, material, printer profile, build volume, copies). The same
   bytes uploaded again by the same customer give the same version back, and another quantity slices the same
   single copy, so every run uploads the 3DBenchy with a different zip comment in its 3MF (same part, new
   bytes, new version). The customer uploads it through the API, polls the design until ``ready``, then POSTs
   /api/quotes/ (ship to Berlin) and polls GET /api/quotes/{id}/ every 0.25 s until the maker's offer has
   basis ``sliced`` (or a note that it stays an estimate). Figure: seconds from the quote's first answer (the
   POST's response) to the answer that shows it sliced; median over the runs. Baseline in the same run: the
   slicing task itself from the Slice row (started_at -> finished_at: part written as STL, PrusaSlicer run,
   print file stored) and PrusaSlicer's own run (``elapsed_s`` of the done event).
4. Reuse: two more quotes for the last run's version in PLA on the same printer (quantity 1 and 10): no new
   Slice row, no new SliceEvent row, no slicing task queued (outbox rows of ``slicing.slice_run``), and the
   offer is ``sliced`` in the POST's own answer.
"""

import argparse
import json
import secrets
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

PART = "benchy__3DBenchy.3mf"
WARM_UP_PARTS = ("trimesh__featuretype.STL", "numpystl__rear_case.stl")
PROFILE = "PrusaResearch/MK3S/0.4"
MATERIAL = "pla"
SHIP_TO = {"city": "Berlin"}
GOAL_SECONDS = 20.0
POLL_SECONDS = 0.25
EXPECTED_QUEUES = {"meshes", "slicing", "celery", "dispatch", "notify"}


# Files ---------------------------------------------------------------------------------------------------


def shared_mesh(name: str) -> Path:
    from tests.meshes import shared_meshes_dir

    folder = shared_meshes_dir()
    if folder is None or not (folder / name).is_file():
        sys.exit(f"{name} from the shared meshes (../shared/meshes or PLATFORM_SHARED_MESHES) is needed")
    return folder / name


def variant_3mf(source: Path, target: Path, label: str) -> Path:
    """The same 3MF with a zip comment of its own: the same part, other bytes (so a new design version)."""
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target, "a") as archive:
        archive.comment = f"makernet sliced-quote benchmark {label}".encode()
    return target


# API -----------------------------------------------------------------------------------------------------


class Client:
    def __init__(self, base_url: str, token: str):
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})

    def upload(self, path: Path) -> dict:
        started = time.time()
        with open(path, "rb") as handle:
            response = self.session.post(
                f"{self.base_url}/api/designs/", files={"file": (path.name, handle)}, timeout=300
            )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"upload of {path.name} answered {response.status_code}: {response.text[:300]}")
        body = response.json()
        return {
            "file": path.name,
            "design": body["id"],
            "version": body["latest_version"]["id"],
            "created": response.status_code == 201,
            "started": started,
            "request_s": time.time() - started,
        }

    def wait_ready(self, design_id: int, *, timeout: float = 300) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.session.get(f"{self.base_url}/api/designs/{design_id}/", timeout=30)
            status = response.json()["latest_version"]["status"]
            if status in ("ready", "failed"):
                return status, time.time()
            time.sleep(0.1)
        raise RuntimeError(f"design {design_id} was not analysed within {timeout:.0f} s")

    def quote(self, version_id: int, *, quantity: int = 1) -> tuple[dict, float, float]:
        """POST /api/quotes/ -> (body, seconds the request took, time of the answer)."""
        started = time.time()
        response = self.session.post(
            f"{self.base_url}/api/quotes/",
            json={"design_version": version_id, "material": MATERIAL, "quantity": quantity, "ship_to": SHIP_TO},
            timeout=120,
        )
        answered = time.time()
        if response.status_code != 201:
            raise RuntimeError(f"quote of version {version_id} answered {response.status_code}: {response.text[:400]}")
        return response.json(), answered - started, answered

    def quote_now(self, quote_id: int) -> dict:
        response = self.session.get(f"{self.base_url}/api/quotes/{quote_id}/", timeout=30)
        response.raise_for_status()
        return response.json()


def offer_of(body: dict, maker_id: int) -> dict:
    for offer in body.get("makers", []):
        if offer["maker"] == maker_id:
            return offer
    excluded = [entry for entry in body.get("excluded", []) if entry["maker"] == maker_id]
    raise RuntimeError(f"the bench maker has no offer in quote {body.get('id')}: {excluded or body.get('warning')}")


def offer_state(offer: dict) -> str:
    """sliced, slicing (queued or running), or estimate (stays one: the note says why)."""
    if offer.get("basis") == "sliced":
        return "sliced"
    if offer.get("slicing"):
        return "slicing"
    return "estimate"


def poll_until_sliced(client: Client, quote_id: int, maker_id: int, *, timeout: float = 300) -> tuple[dict, float, int]:
    """Poll the quote every POLL_SECONDS until the maker's offer is sliced or stays an estimate.
    -> (offer, time of that answer, polls)."""
    deadline = time.monotonic() + timeout
    polls = 0
    while time.monotonic() < deadline:
        body = client.quote_now(quote_id)
        seen = time.time()
        polls += 1
        offer = offer_of(body, maker_id)
        if offer_state(offer) != "slicing":
            return offer, seen, polls
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"quote {quote_id} was still slicing after {timeout:.0f} s")


# Rows ----------------------------------------------------------------------------------------------------


def slice_row(slice_id: int) -> dict:
    from slicing.models import Slice, SliceEvent

    row = Slice.objects.filter(pk=slice_id).values().first()
    done = (
        SliceEvent.objects.filter(slice_id=slice_id, to_status="done").values_list("details", flat=True).first() or {}
    )
    row["slicer_elapsed_s"] = done.get("elapsed_s")
    row["runs_started"] = SliceEvent.objects.filter(slice_id=slice_id, to_status="slicing").count()
    return row


def slicing_counts() -> dict:
    from core.models import OutboxMessage
    from slicing.models import Slice, SliceEvent
    from slicing.services import SLICE_RUN_TASK

    return {
        "slices": Slice.objects.count(),
        "slice_events": SliceEvent.objects.count(),
        "slicer_runs_started": SliceEvent.objects.filter(to_status="slicing").count(),
        "slice_tasks_queued": OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).count(),
    }


def version_row(version_id: int) -> dict:
    from designs.models import DesignVersion

    return DesignVersion.objects.filter(pk=version_id).values(
        "pk", "status", "error", "created_at", "analysis_started_at", "analysed_at", "analysis"
    )[0]


# One sliced quote ----------------------------------------------------------------------------------------


def sliced_quote(client: Client, path: Path, maker_id: int, *, label: str) -> dict:
    """Upload, wait for ready, quote, poll until sliced; the figures of that run."""
    record = client.upload(path)
    if not record["created"]:
        raise RuntimeError(f"{path.name} was not a new design (same bytes as an earlier upload?)")
    status, ready_at = client.wait_ready(record["design"])
    if status != "ready":
        raise RuntimeError(f"{path.name} failed its analysis: {version_row(record['version'])['error']}")
    first, request_s, answered = client.quote(record["version"])
    first_offer = offer_of(first, maker_id)
    if offer_state(first_offer) == "sliced":
        offer, seen, polls = first_offer, answered, 0
    else:
        offer, seen, polls = poll_until_sliced(client, first["id"], maker_id)
    entry = {
        "label": label,
        "file": path.name,
        "version": record["version"],
        "quote": first["id"],
        "upload_request_s": record["request_s"],
        "upload_to_ready_s": ready_at - record["started"],
        "quote_request_s": request_s,
        "first_basis": first_offer["basis"],
        "first_slicing": first_offer.get("slicing", ""),
        "estimate_hours": first_offer["machine_hours"],
        "estimate_price": first_offer["price"],
        "state": offer_state(offer),
        "basis_note": offer.get("basis_note", ""),
        "sliced_hours": offer["machine_hours"] if offer_state(offer) == "sliced" else None,
        "sliced_price": offer["price"] if offer_state(offer) == "sliced" else None,
        "polls": polls,
        "answer_to_sliced_s": seen - answered,
        "slice": first_offer.get("slice"),
    }
    analysis = version_row(record["version"])["analysis"] or {}
    entry["faces"] = analysis.get("faces")
    if entry["slice"]:
        row = slice_row(entry["slice"])
        enqueued, started, finished = row["enqueued_at"], row["started_at"], row["finished_at"]
        entry.update(
            slice_status=row["status"],
            slice_error=row["error"],
            slice_print_time_s=row["print_time_s"],
            slice_layers=row["layers"],
            slicer_version=row["slicer_version"],
            slicer_elapsed_s=row["slicer_elapsed_s"],
            slice_runs_started=row["runs_started"],
            queued_s=(started - enqueued).total_seconds() if started and enqueued else None,
            slice_task_s=(finished - started).total_seconds() if started and finished else None,
            # From the slice's end to the poll that saw it (polling interval and one GET).
            seen_after_s=(seen - finished.timestamp()) if finished else None,
        )
    return entry


def reuse_quotes(client: Client, version_id: int, maker_id: int, *, slice_id: int) -> list[dict]:
    """Quotes again for a sliced version (same material, same printer): no new slice, no slicer run."""
    results = []
    for quantity in (1, 10):
        before = slicing_counts()
        body, request_s, answered = client.quote(version_id, quantity=quantity)
        offer = first_offer = offer_of(body, maker_id)
        if offer_state(offer) == "sliced":
            seen, polls = answered, 0
        else:
            offer, seen, polls = poll_until_sliced(client, body["id"], maker_id)
        time.sleep(2.0)  # anything queued by the quote would be in the outbox and picked up by now
        after = slicing_counts()
        results.append(
            {
                "quantity": quantity,
                "quote": body["id"],
                "quote_request_s": request_s,
                "first_basis": first_offer["basis"],
                "state": offer_state(offer),
                "answer_to_sliced_s": seen - answered,
                "polls": polls,
                "slice": offer.get("slice"),
                "same_slice": offer.get("slice") == slice_id,
                "before": before,
                "after": after,
                "new_slices": after["slices"] - before["slices"],
                "new_slice_events": after["slice_events"] - before["slice_events"],
                "new_slicer_runs": after["slicer_runs_started"] - before["slicer_runs_started"],
                "new_slice_tasks": after["slice_tasks_queued"] - before["slice_tasks_queued"],
                "price": offer["price"],
                "machine_hours": offer["machine_hours"],
            }
        )
    return results


def warm_up(client: Client, maker_id: int, files: list[Path]) -> list[dict]:
    """Two small parts quoted at once, so each worker process has sliced once before the measured runs."""
    records = [client.upload(path) for path in files]
    entries = []
    quotes = []
    for record in records:
        status, _ = client.wait_ready(record["design"])
        if status != "ready":
            continue
        try:
            body, _request_s, answered = client.quote(record["version"])
        except RuntimeError as error:  # not printable in PLA: one warm-up part less
            harness.say(f"warm-up: {record['file']} not quoted ({error})")
            continue
        quotes.append((record, body, answered))
    for record, body, answered in quotes:
        offer, seen, _polls = poll_until_sliced(client, body["id"], maker_id)
        entry = {"file": record["file"], "state": offer_state(offer), "answer_to_sliced_s": seen - answered}
        if offer.get("slice"):
            row = slice_row(offer["slice"])
            if row["started_at"] and row["finished_at"]:
                entry["slice_task_s"] = (row["finished_at"] - row["started_at"]).total_seconds()
            entry["slicer_elapsed_s"] = row["slicer_elapsed_s"]
            entry["error"] = row["error"]
        entries.append(entry)
        harness.say(
            f"warm-up {record['file']}: {entry['state']} {entry['answer_to_sliced_s']:.2f} s after the first answer"
            + (f" ({entry.get('error')})" if entry.get("error") else "")
        )
    return entries


# Main ----------------------------------------------------------------------------------------------------


def seed(stack) -> tuple:
    import scale_data

    from makers.services import maker_onboard, printer_upsert

    scale_data.seed_materials()
    customer = scale_data.create_accounts(prefix="slicecustomer", count=1, role="customer")[0]
    maker = maker_onboard(
        name="Bench Berlin Prints",
        slug="bench-berlin-prints",
        city="Berlin",
        country="DE",
        latitude=52.50,
        longitude=13.42,
        capacity=4,
        hours_to_respond=2,
    )
    printer = printer_upsert(maker=maker, name="Prusa MK3S", material_codes=[MATERIAL], profile=PROFILE)
    return customer, maker, printer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 measured runs instead of 3")
    parser.add_argument("--runs", type=int, help="measured runs (each a new 3DBenchy version); default 3, quick 2")
    parser.add_argument("--worker-processes", type=int, default=harness.machine_description()["cores"])
    parser.add_argument("--no-warm-up", action="store_true", help="measure cold worker processes")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    arguments = parser.parse_args()
    runs = arguments.runs or (2 if arguments.quick else 3)
    part = shared_mesh(PART)
    warm_files = [] if arguments.no_warm_up else [shared_mesh(name) for name in WARM_UP_PARTS]
    results: dict = {"runs": runs, "worker_processes": arguments.worker_processes, "profile": PROFILE}
    with harness.platform_stack("slicing") as stack:
        stack.setup_django()
        from core.queueing import queues
        from slicing.selectors import slicer_health

        health = slicer_health()
        if health != "ok":
            sys.exit(f"the slicer cannot run here ({health}): quotes would stay estimates")
        served = queues()
        if set(served) != EXPECTED_QUEUES:
            harness.say(f"note: the platform's queues are {', '.join(served)} (expected {sorted(EXPECTED_QUEUES)})")
        customer, maker, printer = seed(stack)
        results["printer"] = {"profile": printer.profile, "build_volume_mm": list(printer.build_volume_mm)}
        from django.db import connections

        connections.close_all()
        harness.say(f"gunicorn and one Celery worker on {','.join(served)} ({arguments.worker_processes} processes)")
        web = harness.WebServer(stack, workers=2, threads=4)
        worker = harness.CeleryWorker(
            stack, queues=",".join(served), concurrency=arguments.worker_processes, name="all"
        )
        try:
            client = Client(web.base_url, customer.token)
            results["warm_up"] = warm_up(client, maker.pk, warm_files) if warm_files else []
            results["runs_detail"] = []
            for number in range(1, runs + 1):
                path = variant_3mf(part, stack.workdir / f"run{number}-{PART}", f"run {number} {secrets.token_hex(4)}")
                entry = sliced_quote(client, path, maker.pk, label=f"run {number}")
                results["runs_detail"].append(entry)
                harness.say(
                    f"run {number}: {entry['state']} {entry['answer_to_sliced_s']:.2f} s after the first answer "
                    f"(queued {entry.get('queued_s') or 0:.2f} s, slicing task {entry.get('slice_task_s') or 0:.2f} s, "
                    f"PrusaSlicer {entry.get('slicer_elapsed_s') or 0:.2f} s)"
                    + (f"; {entry['basis_note']}" if entry["state"] != "sliced" else "")
                )
            last = results["runs_detail"][-1]
            harness.say("reuse: two more quotes for the last version (quantity 1 and 10)")
            results["reuse"] = reuse_quotes(client, last["version"], maker.pk, slice_id=last["slice"])
            for entry in results["reuse"]:
                harness.say(
                    f"reuse x{entry['quantity']}: {entry['state']} in the first answer "
                    f"({entry['quote_request_s']:.3f} s request); new slices {entry['new_slices']}, "
                    f"new slice events {entry['new_slice_events']}, "
                    f"new slicing tasks {entry['new_slice_tasks']}"
                )
        finally:
            worker.stop()
            web.stop()
    results["date"] = time.strftime("%Y-%m-%d")
    ok = report(results)
    path = harness.save_results("sliced_quote", results)
    harness.say(f"results in {path}")
    if arguments.json:
        arguments.json.write_text(
            json.dumps({"machine": harness.machine_description(), **results}, indent=2, default=str)
        )
    return 0 if ok else 1


def report(results: dict) -> bool:
    """The summary block (markdown, for BENCHMARKS.md); returns whether every check held."""
    runs = results["runs_detail"]
    sliced = [entry for entry in runs if entry["state"] == "sliced"]
    times = [entry["answer_to_sliced_s"] for entry in sliced]
    tasks = [entry["slice_task_s"] for entry in sliced if entry.get("slice_task_s") is not None]
    slicer = [entry["slicer_elapsed_s"] for entry in sliced if entry.get("slicer_elapsed_s") is not None]
    queued = [entry["queued_s"] for entry in sliced if entry.get("queued_s") is not None]
    seen = [entry["seen_after_s"] for entry in sliced if entry.get("seen_after_s") is not None]
    faces = next((entry["faces"] for entry in runs if entry.get("faces")), None)
    print()
    print(
        f"## Sliced quote on the 3DBenchy ({faces or '?':,} faces), {results['printer']['profile']}, PLA "
        f"(issue 14; {len(runs)} runs, each a new version)"
    )
    print(f"machine: {harness.machine_line()}; {results['date']}")
    print(f"one Celery worker on every queue, {results['worker_processes']} processes; gunicorn 2 x 4 threads")
    print()
    rows = []
    for entry in runs:
        rows.append(
            [
                entry["label"],
                entry["state"],
                f"{entry['answer_to_sliced_s']:.2f}",
                f"{entry.get('queued_s') or 0:.2f}",
                f"{entry.get('slice_task_s') or 0:.2f}",
                f"{entry.get('slicer_elapsed_s') or 0:.2f}",
                f"{entry.get('seen_after_s') or 0:.2f}",
                f"{entry['quote_request_s']:.2f}",
                f"{entry['upload_to_ready_s']:.1f}",
                f"{entry['estimate_hours']:.2f} / {entry['sliced_hours'] or 0:.2f}",
                f"{entry['estimate_price']} / {entry['sliced_price'] or '-'}",
            ]
        )
    print(
        harness.markdown_table(
            [
                "run",
                "offer",
                "first answer -> sliced s",
                "queued s",
                "slicing task s (baseline)",
                "PrusaSlicer s",
                "done -> seen s",
                "POST quote s",
                "upload -> ready s",
                "machine h estimate / sliced",
                "price estimate / sliced",
            ],
            rows,
        )
    )
    print()
    goal_met = len(sliced) == len(runs) and bool(times) and harness.median(times) < GOAL_SECONDS
    if times:
        print(
            f"first answer -> sliced: median {harness.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}); baseline slicing task median "
            f"{harness.median(tasks):.2f} s, PrusaSlicer alone {harness.median(slicer):.2f} s; "
            f"ratio {harness.median(times) / harness.median(tasks):.2f}x the slicing task"
        )
        print(
            f"overhead around the slicing task: queued median {harness.median(queued):.2f} s, done -> seen by "
            f"polling every {POLL_SECONDS} s median {harness.median(seen):.2f} s"
        )
    print(
        f"goal: sliced quote ready within {GOAL_SECONDS:.0f} s of the first answer: {'met' if goal_met else 'NOT met'}"
    )
    warm = results.get("warm_up") or []
    if warm:
        print(
            "warm-up (each worker process's first slice, small parts): "
            + "; ".join(
                f"{entry['file']} {entry['state']} {entry['answer_to_sliced_s']:.2f} s "
                f"(task {entry.get('slice_task_s') or 0:.2f} s)"
                for entry in warm
            )
        )
    print()
    reuse_ok = True
    rows = []
    for entry in results["reuse"]:
        held = (
            entry["state"] == "sliced"
            and entry["same_slice"]
            and entry["new_slices"] == 0
            and entry["new_slice_events"] == 0
            and entry["new_slicer_runs"] == 0
            and entry["new_slice_tasks"] == 0
        )
        reuse_ok &= held
        rows.append(
            [
                f"x{entry['quantity']}",
                entry["first_basis"],
                f"{entry['answer_to_sliced_s']:.2f}",
                f"{entry['quote_request_s']:.3f}",
                f"{entry['new_slices']} ({entry['before']['slices']} -> {entry['after']['slices']})",
                f"{entry['new_slice_events']} ({entry['before']['slice_events']} -> {entry['after']['slice_events']})",
                f"{entry['new_slice_tasks']}",
                "yes" if entry["same_slice"] else "NO",
                "held" if held else "FAILED",
            ]
        )
    print("Second quote for the same version, material and printer profile:")
    print(
        harness.markdown_table(
            [
                "quantity",
                "basis in the POST's answer",
                "first answer -> sliced s",
                "POST quote s",
                "new Slice rows",
                "new SliceEvent rows",
                "slicing tasks queued",
                "same slice",
                "reuse",
            ],
            rows,
        )
    )
    print(f"goal: slices reused, no slicer run for a second quote: {'met' if reuse_ok else 'NOT met'}")
    return goal_met and reuse_ok


if __name__ == "__main__":
    sys.exit(main())
