"""The core report against ``prusa-slicer --info`` as whole processes, for one or more trees of this code.

usage: python bench/bench_core_ab.py [--runs 21] [NAME=PATH ...]

Each NAME=PATH is a checkout (``git archive COMMIT | tar -x -C PATH`` gives an old one); without any, this
tree. Every round runs each tree's core report child (the one ``bench_analysis.py`` times, same imports,
PYTHONDONTWRITEBYTECODE=1) and then PrusaSlicer on counter_x16_1340k.stl, so all meet the same machine
load. Prints per tree: median wall and CPU (user + sys) time, the child's own work and import times, and
the ratio to PrusaSlicer per round (median and range) and of the medians.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_analysis  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("trees", nargs="*", help="NAME=PATH")
    args = parser.parse_args()
    trees = dict(tree.split("=", 1) for tree in args.trees) or {"this": str(bench_analysis.REPO)}
    bench_analysis._ensure_meshes()
    big = str(bench_analysis.BIG)
    jobs = {
        name: [
            bench_analysis.PYTHON,
            "-c",
            bench_analysis._CHILD.format(
                repo=path, imports=bench_analysis._IMPORTS["core"], task="core", path=big, warm=False
            ),
        ]
        for name, path in trees.items()
    }
    jobs["prusa-slicer"] = ["prusa-slicer", "--info", big]
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    results: dict[str, list[tuple]] = {name: [] for name in jobs}
    for _round in range(args.runs):
        for name, command in jobs.items():
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment)
            output = process.stdout.read().decode().strip()
            _pid, _status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            child = json.loads(output.splitlines()[-1]) if output.startswith("{") else {}
            results[name].append((wall, usage.ru_utime + usage.ru_stime, child.get("work_s"), child.get("import_s")))
    prusa = [row[0] for row in results["prusa-slicer"]]
    for name, rows in results.items():
        walls = [row[0] for row in rows]
        line = f"{name}: wall {statistics.median(walls):.3f} s, CPU {statistics.median(row[1] for row in rows):.3f} s"
        if name != "prusa-slicer":
            ratios = sorted(mine / theirs for mine, theirs in zip(walls, prusa, strict=True))
            line += (
                f", in process {statistics.median(row[2] for row in rows):.3f} s, imports "
                f"{statistics.median(row[3] for row in rows):.3f} s; / prusa-slicer per round "
                f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}), of the medians "
                f"{statistics.median(walls) / statistics.median(prusa):.2f}x"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
