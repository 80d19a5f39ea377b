"""A corpus of ~780 mutated meshes: every one ends in a report or a plain-words MeshError, under the memory cap.

The corpus (tests/fuzz/corpus.py) is built from the shared real meshes and from small meshes written in
every format, with a fixed seed. It runs in two subprocesses (tests/fuzz/run_corpus.py), each capped with
RLIMIT_AS at the analysis memory setting, through what the mesh worker does with a file: load, analyse,
preview, thumbnail. A sample then goes through the real upload API and a real Celery worker.

To replay one case: ``python -m tests.fuzz.run_corpus --memory-cap-bytes 2147483648 --only "<case name>"``
(add ``--shared-folder`` and ``--shared-name`` for a case made from a shared mesh).
"""

import collections
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from designs.models import DesignVersion
from tests.conftest import client_for
from tests.factories import MaterialFactory, UserFactory
from tests.fuzz.corpus import SEED, build_corpus
from tests.meshes import require_shared_meshes, shared_mesh_names

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHARDS = 2  # the CI machine has two cores
MINIMUM_CASES = 500
# Every code the geometry package documents (designs/geometry/errors.py) plus the count checks it makes.
KNOWN_CODES = {
    "empty_file",
    "unreadable",
    "too_many_faces",
    "too_many_vertices",
    "unsafe_archive",
    "unsafe_xml",
    "non_finite",
    "bad_indices",
    "too_large",
    "truncated",
    "no_faces",
    "external_reference",
    "unsupported",
    "out_of_range",
}
WORKER_SAMPLE = 30


def corpus_arguments(folder: Path) -> list[str]:
    arguments = ["--shared-folder", str(folder)]
    for name in shared_mesh_names():
        arguments += ["--shared-name", name]
    return arguments


def load_limits_json() -> str:
    from designs.services.analysis import load_limits

    limits = load_limits()
    return json.dumps(
        {
            "max_bytes": limits.max_bytes,
            "max_faces": limits.max_faces,
            "max_archive_total_bytes": limits.max_archive_total_bytes,
            "max_archive_ratio": limits.max_archive_ratio,
        }
    )


def is_plain_words(message: str) -> bool:
    """A sentence for a customer: words and a full stop, no traceback, markup or Python repr."""
    return (
        isinstance(message, str)
        and len(message) >= 20
        and " " in message
        and message.rstrip()[-1] in ".)"
        and not any(marker in message for marker in ("Traceback", "Error:", "<class", 'File "', "\n"))
    )


@pytest.fixture(scope="module")
def corpus_run():
    """Run every shard at once; the outcomes, each shard's summary, exit code and stderr tail."""
    folder = require_shared_meshes()
    command = [sys.executable, "-m", "tests.fuzz.run_corpus", "--shards", str(SHARDS)]
    command += ["--memory-cap-bytes", str(settings.MESH_ANALYSIS_MEMORY_BYTES), "--limits", load_limits_json()]
    command += corpus_arguments(folder)
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [*command, "--shard", str(shard)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for shard in range(SHARDS)
    ]
    shards = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=600)
        lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        summary = next((line for line in lines if line.get("summary")), None)
        shards.append(
            {
                "returncode": process.returncode,
                "outcomes": [line for line in lines if not line.get("summary")],
                "summary": summary,
                "last_started": ([line for line in stderr.splitlines() if line.startswith("start ")] or [""])[-1],
                "stderr_tail": stderr[-2000:],
            }
        )
    return {"shards": shards, "seconds": time.monotonic() - started}


def test_the_corpus_is_large_and_the_same_on_every_run():
    # given the corpus built twice from the same seed
    folder = require_shared_meshes()
    first = build_corpus(shared_folder=folder, shared_names=shared_mesh_names(), seed=SEED)
    second = build_corpus(shared_folder=folder, shared_names=shared_mesh_names(), seed=SEED)

    def fingerprint(cases):
        return hashlib.sha256(b"".join(case.name.encode() + hashlib.sha256(case.data).digest() for case in cases))

    # then it holds enough mutants, and the same bytes each time
    mutants = [case for case in first if case.mutation != "original"]
    assert len(mutants) >= MINIMUM_CASES
    assert fingerprint(first).hexdigest() == fingerprint(second).hexdigest()
    # and every kind of mutation the issue names is in it
    kinds = {case.mutation for case in mutants}
    for expected in ("flip8", "truncate", "duplicate-chunk", "remove-chunk", "stl-count-lie", "ply-count-lie",
                     "off-count-lie", "stl-odd-coordinate", "obj-odd-index", "3mf-bomb-ratio", "glb-accessor-count",
                     "obj-odd-line", "3mf-billion-laughs"):  # fmt: skip
        assert expected in kinds


def test_every_mutant_ends_in_a_report_or_a_plain_mesh_error(corpus_run):
    outcomes = [outcome for shard in corpus_run["shards"] for outcome in shard["outcomes"]]
    by_kind = collections.Counter(outcome["outcome"] for outcome in outcomes)
    codes = collections.Counter(outcome["code"] for outcome in outcomes if outcome["outcome"] == "mesh_error")
    peak = max((shard["summary"] or {}).get("peak_rss_bytes", 0) for shard in corpus_run["shards"])
    print(
        f"\nmesh fuzz corpus: {len(outcomes)} cases in {corpus_run['seconds']:.0f} s; "
        f"reports {by_kind['report']}, mesh errors {by_kind['mesh_error']}, other {by_kind['unexpected']}; "
        f"peak RSS {peak / 2**20:.0f} MB per process\n  failures by code: {dict(codes.most_common())}"
    )
    # then nothing ended in another exception, a hang or a crash
    unexpected = [f"{o['name']}: {o['error']}\n{o.get('where', '')}" for o in outcomes if o["outcome"] == "unexpected"]
    assert unexpected == [], "\n".join(unexpected)
    # and every report describes faces, every error is a known code told in plain words
    assert [o["name"] for o in outcomes if o["outcome"] == "report" and o["faces"] <= 0] == []
    assert [o["code"] for o in outcomes if o["outcome"] == "mesh_error" and o["code"] not in KNOWN_CODES] == []
    assert [o["message"] for o in outcomes if o["outcome"] == "mesh_error" and not is_plain_words(o["message"])] == []
    # and both kinds of ending occur (the corpus neither breaks everything nor nothing)
    assert by_kind["report"] >= 100 and by_kind["mesh_error"] >= 300


def test_the_corpus_runs_under_the_memory_cap_without_a_crash(corpus_run):
    cap = settings.MESH_ANALYSIS_MEMORY_BYTES
    for shard in corpus_run["shards"]:
        # then each capped process finished every case (a crash would leave no summary)
        assert shard["returncode"] == 0, f"died in {shard['last_started']}:\n{shard['stderr_tail']}"
        assert shard["summary"] is not None and shard["summary"]["cases"] == len(shard["outcomes"])
        assert 0 < shard["summary"]["peak_rss_bytes"] < cap
    # and no case ran out of memory (MemoryError is told as "too_large" by the loader)
    memory = [
        outcome["name"]
        for shard in corpus_run["shards"]
        for outcome in shard["outcomes"]
        if "MemoryError" in outcome.get("error", "")
    ]
    assert memory == []


# Mutations the worker must meet at least once: hostile archives and references, header lies, odd values,
# and a file whose every triangle collapses to a point (nothing left once degenerate faces are dropped).
WORKER_MUST_MEET = (
    "stl-one-point",
    "3mf-bomb-ratio",
    "3mf-external-entity",
    "glb-external-uri",
    "glb-node-cycle",
    "stl-count-lie",
    "ply-count-lie",
    "off-count-lie",
    "obj-odd-index",
    "stl-odd-coordinate",
)


def worker_sample(folder: Path) -> list:
    """30 cases: the ones above, then one per other mutation family (spread over the corpus), all small."""
    corpus = [case for case in build_corpus(shared_folder=folder, shared_names=shared_mesh_names()) if case.data]
    corpus = [case for case in corpus if len(case.data) <= 2_000_000]
    chosen = [next(case for case in corpus if case.mutation == mutation) for mutation in WORKER_MUST_MEET]
    families = {case.mutation.split("-")[0] + case.extension for case in chosen}
    others = []
    for case in corpus:
        family = case.mutation.split("-")[0] + case.extension
        if family not in families:
            families.add(family)
            others.append(case)
    step = len(others) / (WORKER_SAMPLE - len(chosen))
    return chosen + [others[int(index * step)] for index in range(WORKER_SAMPLE - len(chosen))]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_sample_goes_through_the_upload_api_and_a_real_worker(celery_worker):
    # given a customer, the materials, and 30 mutants
    folder = require_shared_meshes()
    MaterialFactory()
    MaterialFactory(code="petg", name="PETG")
    client = client_for(UserFactory(username="fuzzer"))
    sample = worker_sample(folder)
    # when each is uploaded
    uploaded = {}
    for number, case in enumerate(sample):
        upload = SimpleUploadedFile(f"fuzz-{number}{case.extension}", case.data)
        response = client.post("/api/designs/", {"file": upload, "name": case.name[:200]}, format="multipart")
        assert response.status_code < 500, (case.name, response.content[:300])
        if response.status_code in (200, 201):
            uploaded[response.json()["latest_version"]["id"]] = case.name
    assert len(uploaded) >= WORKER_SAMPLE - 2
    # then every version ends ready or failed, the failures with a reason
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        versions = list(DesignVersion.objects.filter(pk__in=uploaded))
        if all(version.status in ("ready", "failed") for version in versions):
            break
        time.sleep(0.5)
    versions = list(DesignVersion.objects.filter(pk__in=uploaded))
    ready = [version for version in versions if version.status == "ready"]
    failed = [version for version in versions if version.status == "failed"]
    unfinished = [(uploaded[v.pk], v.status, v.analysis_attempts) for v in versions if v not in ready + failed]
    print(
        f"\nworker sample: {len(versions)} uploads, {len(ready)} ready, {len(failed)} failed "
        f"{dict(collections.Counter(v.error_code for v in failed))}, {len(unfinished)} unfinished"
    )
    assert unfinished == [], f"{unfinished}\nworker log:\n{celery_worker.output()[-3000:]}"
    assert [uploaded[v.pk] for v in failed if not (v.error_code and is_plain_words(v.error))] == []
    assert [uploaded[v.pk] for v in ready if not (v.analysis["faces"] > 0 and v.preview and v.thumbnail)] == []
    # and the worker is still alive and answering
    from platform.celery import app

    assert celery_worker.process.poll() is None
    assert app.control.ping(destination=[celery_worker.hostname], timeout=5)


@pytest.mark.django_db
def test_a_template_version_that_cannot_be_generated_fails_with_a_reason(customer, settings):
    # given a template version whose stored parameters the template no longer accepts
    from designs.models import Design
    from designs.services import design_version_analyse

    settings.MESH_ANALYSIS_MEMORY_BYTES = 0  # the cap is the worker's business; this runs in the test process
    design = Design.objects.create(owner=customer, name="Ring", source="template", template_slug="ring")
    version = DesignVersion.objects.create(design=design, number=1, template_slug="ring", parameters={"size": "huge"})
    # when the analysis runs
    outcome = design_version_analyse(version_id=version.pk)
    # then the version failed with the template's reason, not with a crash
    version.refresh_from_db()
    assert (outcome, version.status, version.error_code) == ("failed", "failed", "template_error")
    assert "size" in version.error
