"""Benchmark: match one item among 10,000 makers with 30,000 printers (target: median under 50 ms).

Run from the project root: ``.venv/bin/python bench/bench_matching.py [--repeat 41]``.

The population is generated from a fixed seed: makers scattered around the European cities of the offline
table (about 100 km spread), three printers each with a realistic mix of processes, materials, colours,
build volumes and online states. The baseline, measured in the same run, is the cost of just touching the
same rows: a dict lookup of every maker by id and a read of each of its printers. The ratio says how many
such plain passes one match costs. The last lines are markdown table rows for BENCHMARKS.md.
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orders.matching.geo import CITIES, find_city  # noqa: E402
from orders.matching.ranking import MakerInfo, PartRequirement, PrinterInfo, match_makers  # noqa: E402

MAKER_COUNT = 10_000
PRINTERS_PER_MAKER = 3
SEED = 20250101

PROCESS_MIX = (("fdm", 0.6), ("sla", 0.2), ("sls", 0.1), ("mjf", 0.05), ("metal", 0.05))
MATERIALS = {
    "fdm": ("PLA", "PETG", "ABS", "ASA", "TPU"),
    "sla": ("RESIN-STANDARD", "RESIN-TOUGH"),
    "sls": ("PA12",),
    "mjf": ("PA12-MJF",),
    "metal": ("316L",),
}
COLOURS = ("black", "white", "grey", "red", "blue", "green", "natural")
BUILD_VOLUMES = {
    "fdm": ((180, 180, 180), (220, 220, 250), (256, 256, 256), (300, 300, 400), (350, 350, 350)),
    "sla": ((145, 145, 185), (200, 125, 220), (335, 200, 300)),
    "sls": ((165, 165, 300), (340, 340, 600)),
    "mjf": ((380, 284, 380),),
    "metal": ((125, 125, 125), (250, 250, 325)),
}


def generate_makers(*, count: int = MAKER_COUNT, seed: int = SEED) -> list[MakerInfo]:
    """A deterministic population of makers around European cities."""
    rng = random.Random(seed)
    european = [city for city in CITIES if -25 < city.lon < 32 and 35 < city.lat < 66]
    processes = [process for process, _ in PROCESS_MIX]
    process_weights = [weight for _, weight in PROCESS_MIX]
    makers = []
    printer_id = 0
    for maker_id in range(1, count + 1):
        city = rng.choice(european)
        printers = []
        for _ in range(PRINTERS_PER_MAKER):
            printer_id += 1
            process = rng.choices(processes, process_weights)[0]
            materials = MATERIALS[process]
            loaded = frozenset(rng.sample(materials, rng.randint(1, min(3, len(materials)))))
            printers.append(
                PrinterInfo(
                    id=printer_id,
                    process=process,
                    build_volume_mm=rng.choice(BUILD_VOLUMES[process]),
                    materials=loaded,
                    colours=frozenset(rng.sample(COLOURS, rng.randint(1, 4))),
                    online=rng.random() < 0.9,
                )
            )
        capacity = rng.randint(1, 5)
        makers.append(
            MakerInfo(
                id=maker_id,
                name=f"Maker {maker_id}",
                lat=city.lat + rng.gauss(0, 0.9),
                lon=city.lon + rng.gauss(0, 1.3),
                capacity=capacity,
                active_jobs=rng.randint(0, capacity),
                reliability=round(rng.uniform(0.6, 1.0), 3),
                hours_to_respond=rng.choice((1.0, 2.0, 4.0, 8.0, 24.0)),
                price_factor=Decimal(rng.choice(("0.85", "0.9", "1.0", "1.1", "1.25"))),
                printers=tuple(printers),
            )
        )
    return makers


def touch_rows(makers: list[MakerInfo], index: dict[int, MakerInfo]) -> int:
    """The baseline: look every maker up by id and read each of its printers, nothing else."""
    touched = 0
    for maker in makers:
        for printer in index[maker.id].printers:
            touched += printer.online
    return touched


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=41)
    arguments = parser.parse_args()

    makers = generate_makers()
    index = {maker.id: maker for maker in makers}
    berlin = find_city("Berlin")
    part = PartRequirement(
        material_code="PETG",
        process="fdm",
        colour="black",
        oriented_extents_mm=(120.0, 80.0, 40.0),
        quantity=5,
        shipment_mass_kg=0.6,
    )
    printer_count = sum(len(maker.printers) for maker in makers)
    baseline = median_ms(lambda: touch_rows(makers, index), arguments.repeat)
    rows = []
    for label, limit in (("500 km limit", 500.0), ("no distance cut (all 10,000 checked)", 20_100.0)):
        result = match_makers(
            part=part,
            makers=makers,
            ship_to=(berlin.lat, berlin.lon),
            base_price=Decimal("42.50"),
            max_distance_km=limit,
        )
        median = median_ms(
            lambda limit=limit: match_makers(
                part=part,
                makers=makers,
                ship_to=(berlin.lat, berlin.lon),
                base_price=Decimal("42.50"),
                max_distance_km=limit,
            ),
            arguments.repeat,
        )
        print(
            f"{label}: {len(result.ranked)} ranked, {len(result.excluded)} excluded, "
            f"median {median:.1f} ms over {arguments.repeat} runs"
        )
        rows.append(
            f"| match 1 item, {len(makers):,} makers / {printer_count:,} printers, {label} "
            f"| {median:.1f} ms | {baseline:.2f} ms | {median / baseline:.1f}x |"
        )
    print(f"baseline (dict lookup of every maker + read of every printer): median {baseline:.2f} ms")
    print()
    print("| benchmark | median | baseline (touch rows) | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
