"""Run every benchmark and print every figure with its baseline: ``python3 dev.py bench [--quick]``.

Each benchmark runs as its own process, one after the other (they would measure each other otherwise), with
its output shown live; a summary of every table follows at the end. Needs PostgreSQL on 127.0.0.1:5432
(user postgres, trust auth) and Redis on 127.0.0.1:6379 for the platform benchmarks, the shared meshes
(../shared/meshes), ``prusa-slicer`` for the real uploads (without it that benchmark prints no figures) and,
for the load generator, ``wrk`` (``apt-get install -y wrk``; a plain Python generator stands in without it).
See BENCHMARKS.md for what each one measures and the last results.

    --quick          smaller populations and shorter runs (about 8 minutes instead of about 20)
    --only a,b       only these (names: api, upload, large, dispatch, matching, analysis, real, slicing)

``dev.py bench`` passes its arguments on, but its parser refuses a first argument that starts with a dash:
write ``python3 dev.py bench quick`` (or ``python3 dev.py bench -- --quick``); both mean ``--quick`` here.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(BENCH))

import harness  # noqa: E402


def benchmarks(quick: bool) -> list[tuple[str, str, list[str]]]:
    """(name, script, arguments) in the order they run."""
    return [
        ("api", "bench_api_load.py", ["--quick"] if quick else []),
        ("upload", "bench_upload.py", ["--quick"] if quick else []),
        ("large", "bench_large_files.py", ["--quick"] if quick else []),
        ("dispatch", "bench_dispatch.py", ["--quick"] if quick else []),
        ("matching", "bench_matching.py", ["--repeat", "11"] if quick else []),
        ("analysis", "bench_analysis.py", ["--quick", "--runs", "1"] if quick else []),
        # PrusaSlicer runs in it: the verdicts and estimates next to the slicer's figures of the same run.
        ("real", "bench_real_uploads.py", ["--quick"] if quick else []),
        # Issue 14: a quote on the 225k-face 3DBenchy sliced on a maker's printer, and the slice reused.
        ("slicing", "bench_sliced_quote.py", ["--quick"] if quick else []),
    ]


def run(script: str, arguments: list[str]) -> tuple[int, str, float]:
    """Run one benchmark, echoing its output as it comes; returns (exit code, output, seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines = []
    for line in process.stdout:
        # Warnings from libraries are noise in a benchmark's output.
        if "Warning: " in line or "warnings.warn(" in line:
            continue
        print(line, end="", flush=True)
        lines.append(line)
    return process.wait(), "".join(lines), time.perf_counter() - started


def summary_of(output: str) -> str:
    """The report part of a benchmark's output: from its "## " heading (the platform benchmarks), else its
    last lines (the others print their tables last)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("## "):
            return "\n".join(line for line in lines[index:] if not line.startswith("[bench]"))
    return "\n".join(lines[-30:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only", help="comma-separated names: api, upload, large, dispatch, matching, analysis, real, slicing"
    )
    # "quick" and a leading "--": what reaches us from ``dev.py bench`` (see the module docstring).
    argv = ["--quick" if argument == "quick" else argument for argument in sys.argv[1:] if argument != "--"]
    arguments = parser.parse_args(argv)
    chosen = set(arguments.only.split(",")) if arguments.only else None
    plan = [entry for entry in benchmarks(arguments.quick) if chosen is None or entry[0] in chosen]
    if chosen and len(plan) != len(chosen):
        known = ", ".join(name for name, _script, _arguments in benchmarks(False))
        sys.exit(f"unknown benchmark name in {arguments.only!r}; known: {known}")
    started = time.perf_counter()
    outcomes = []
    for name, script, script_arguments in plan:
        if not (BENCH / script).is_file():
            outcomes.append((name, script, None, "(not present)", 0.0))
            continue
        print(f"\n{'=' * 100}\n[run_all] {name}: {script} {' '.join(script_arguments)}\n{'=' * 100}", flush=True)
        code, output, seconds = run(script, script_arguments)
        outcomes.append((name, script, code, output, seconds))
    total = time.perf_counter() - started
    print(
        f"\n{'#' * 100}\n# Summary: every figure with its baseline ({'quick' if arguments.quick else 'full'} run, "
        f"{total / 60:.1f} min)\n# machine: {harness.machine_line()}\n{'#' * 100}"
    )
    failed = []
    for name, script, code, output, seconds in outcomes:
        print(f"\n--- {name} ({script}, {seconds:.0f} s) ---")
        if code is None:
            print(output)
        elif code != 0:
            failed.append(name)
            print(f"FAILED with exit code {code}; its last lines:")
            print("\n".join(output.splitlines()[-25:]))
        else:
            print(summary_of(output))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
