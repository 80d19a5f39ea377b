"""Run one shard of the fuzz corpus under the analysis memory cap and print one JSON line per case.

    python -m tests.fuzz.run_corpus --shard 0 --shards 2 --memory-cap-bytes 2147483648 \
        --limits '{"max_bytes": ...}' [--shared-folder DIR --shared-name NAME ...]

Started as a subprocess by tests/fuzz/test_mesh_corpus.py so that the address-space limit, a hang or a
hard crash (a segfault in a C extension) stays out of the test process; "start" lines on stderr name the
case a crash happened in. Pure: no Django here. Each case goes through what the mesh worker does with a file:
``load_mesh``, ``analyse``, and, for a report, the GLB preview and the PNG thumbnail.
"""

import argparse
import json
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from designs.geometry import (
    LoadLimits,
    MaterialSpec,
    MeshError,
    analyse,
    load_mesh,
    write_preview_glb,
    write_thumbnail_png,
)
from tests.fuzz.corpus import build_corpus

# The analysis judges every active material; two processes are enough to reach every verdict branch.
MATERIALS = [
    MaterialSpec("pla", "PLA", "fdm", 0.8, 0.4, (250.0, 210.0, 210.0)),
    MaterialSpec("resin-standard", "Standard resin", "sla", 0.6, 0.1, (145.0, 145.0, 185.0)),
]
CASE_TIMEOUT_SECONDS = 60


class CaseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise CaseTimeout()


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports kilobytes


def run_case(case, *, limits: LoadLimits, workdir: Path) -> dict:
    source = workdir / f"upload{case.extension}"
    source.write_bytes(case.data)
    started = time.perf_counter()
    outcome = {"name": case.name, "mutation": case.mutation, "bytes": len(case.data)}
    signal.alarm(CASE_TIMEOUT_SECONDS)
    try:
        mesh = load_mesh(source, units=None, limits=limits, file_format=case.extension)
        result = analyse(mesh, materials=MATERIALS)
        shown = result.repaired if result.repaired is not None else mesh
        write_preview_glb(shown, workdir / "preview.glb")
        write_thumbnail_png(shown, workdir / "thumbnail.png")
        # The report is stored in a JSON column: PostgreSQL refuses NaN and Infinity there.
        json.dumps(result.report, allow_nan=False)
        outcome.update(outcome="report", faces=result.report["faces"])
    except MeshError as error:
        outcome.update(outcome="mesh_error", code=error.code, message=error.message)
    except CaseTimeout:
        outcome.update(outcome="unexpected", error=f"no answer after {CASE_TIMEOUT_SECONDS} s")
    except BaseException as error:  # noqa: BLE001 - anything else is exactly what the fuzzing looks for
        lines = traceback.format_exception(error)
        outcome.update(outcome="unexpected", error=f"{type(error).__name__}: {error}"[:300], where="".join(lines[-4:]))
    finally:
        signal.alarm(0)
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    return outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--memory-cap-bytes", type=int, required=True)
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--shared-folder")
    parser.add_argument("--shared-name", action="append", default=[])
    parser.add_argument("--only", action="append", default=[], help="run just these case names")
    arguments = parser.parse_args(argv)

    limits = LoadLimits(**json.loads(arguments.limits))
    folder = Path(arguments.shared_folder) if arguments.shared_folder else None
    corpus = build_corpus(shared_folder=folder, shared_names=arguments.shared_name)
    mine = [case for index, case in enumerate(corpus) if index % arguments.shards == arguments.shard]
    if arguments.only:
        mine = [case for case in mine if case.name in arguments.only]
    del corpus
    # The cap the worker gives one analysis, as a hard ceiling for this whole process (stricter than the
    # worker, which adds it to what the process already uses).
    resource.setrlimit(resource.RLIMIT_AS, (arguments.memory_cap_bytes, arguments.memory_cap_bytes))
    signal.signal(signal.SIGALRM, _on_alarm)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder_name:
        workdir = Path(folder_name)
        for case in mine:
            print(f"start {case.name}", file=sys.stderr, flush=True)
            print(json.dumps(run_case(case, limits=limits, workdir=workdir)), flush=True)
    print(json.dumps({"summary": True, "cases": len(mine), "peak_rss_bytes": peak_rss_bytes()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
