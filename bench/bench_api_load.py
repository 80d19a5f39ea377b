"""Benchmark: the read API under load, against a trivial DRF endpoint on the same server in the same run.

Run from the project root: ``.venv/bin/python bench/bench_api_load.py [--quick]`` (PostgreSQL on
127.0.0.1:5432 with user postgres and trust auth, Redis on 127.0.0.1:6379; ``wrk`` if installed).

1. A throwaway PostgreSQL database gets 10,000 orders of 500 customers (1-3 items, timelines, jobs with
   items and timelines, batches with packing layouts) and 1,000 makers with printers (``scale_data``), then
   is vacuumed, analysed and checkpointed (``settle_database``).
2. Query counts at ``page_size`` 5 and 50 for every list endpoint, through Django's test client with
   ``CaptureQueriesContext``: a count that grows with the page is an N+1.
3. gunicorn (production settings, gthread, 2 x cores workers) serves the platform plus ``/bench/trivial/``
   (``ceiling_urls``). Each read endpoint is loaded alone for the same time at the same concurrency with
   customers' and makers' own ids and tokens, then a mix (customers browsing designs and orders, makers
   polling their jobs); the trivial endpoint runs before and after them, and the ratio to its mean is the
   score (goal: every read endpoint at 0.5 or more).

The load generator is ``wrk`` with ``wrk_requests.lua``: written in C with an event loop, it drives
thousands of requests per second from one thread for a few percent of one core, so nearly all of the two
cores stay with the server (a Python generator such as locust needs about as much CPU per request as a
cheap Django view, and would measure itself). Without wrk, ``loadgen.py`` (plain Python) stands in and the
output says so.
"""

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
SETTINGS = "bench.ceiling_settings"
CEILING = "trivial DRF endpoint (ceiling)"
# A maker's poller that kept the last answer asks with its ETag (If-None-Match): nothing new is a 304.
CONDITIONAL_POLL = "GET /api/maker/jobs/?status=offered, If-None-Match (nothing new: 304)"
# Endpoint name -> (share of the mixed load, path pattern for the access log).
ENDPOINTS = {
    "GET /api/designs/": (0.12, r"^/api/designs/$"),
    "GET /api/designs/{id}/": (0.18, r"^/api/designs/\d+/$"),
    "GET /api/orders/": (0.12, r"^/api/orders/$"),
    "GET /api/orders/{id}/": (0.18, r"^/api/orders/\d+/$"),
    "GET /api/maker/jobs/?status=offered": (0.30, r"^/api/maker/jobs/$"),
    "GET /api/maker/jobs/{id}/": (0.10, r"^/api/maker/jobs/\d+/$"),
}


def request_plans(data, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """For each endpoint, requests of real accounts for their own rows (no 404s, no one else's data)."""
    customers = [account for account in data.customers if account.design_ids and account.order_ids]
    makers = [account for account in data.makers if account.job_ids]
    plans = {name: [] for name in ENDPOINTS}
    plans[CEILING] = []
    for account in rng.sample(customers, min(len(customers), 300)):
        plans["GET /api/designs/"].append(("/api/designs/", account.token))
        plans["GET /api/orders/"].append(("/api/orders/", account.token))
        plans[CEILING].append(("/bench/trivial/", account.token))
        for design_id in rng.sample(account.design_ids, min(5, len(account.design_ids))):
            plans["GET /api/designs/{id}/"].append((f"/api/designs/{design_id}/", account.token))
        for order_id in rng.sample(account.order_ids, min(5, len(account.order_ids))):
            plans["GET /api/orders/{id}/"].append((f"/api/orders/{order_id}/", account.token))
    for account in rng.sample(makers, min(len(makers), 300)):
        plans["GET /api/maker/jobs/?status=offered"].append(("/api/maker/jobs/?status=offered", account.token))
        plans[CEILING].append(("/bench/trivial/", account.token))
        for job_id in rng.sample(account.job_ids, min(3, len(account.job_ids))):
            plans["GET /api/maker/jobs/{id}/"].append((f"/api/maker/jobs/{job_id}/", account.token))
    for requests in plans.values():
        rng.shuffle(requests)
    names = list(ENDPOINTS)
    shares = [ENDPOINTS[name][0] for name in names]
    plans["mix"] = [rng.choice(plans[rng.choices(names, shares)[0]]) for _ in range(6000)]
    return plans


def settle_database() -> None:
    """Leave the seeded database as a running platform's is, not as a bulk load leaves it: vacuumed (the seed's
    time-shifting UPDATEs left every row of five tables dead once, and the first read of a fresh row writes its
    hint bits), analysed, and checkpointed (else the seed's dirty pages are written out, and autovacuum works,
    during the first minutes of measuring: runs then stood at 60 % CPU, waiting, whatever the endpoint)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def query_counts(data) -> list[dict]:
    """Queries per request at page_size 5 and 50 (lists), and for a small and a large object (details)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orders.models import Job, Order

    customer, maker = data.customers[0], data.makers[0]

    def measure(path: str, token: str) -> tuple[int, int]:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        body = response.json()
        rows = len(body["results"]) if isinstance(body, dict) and "results" in body else 1
        return len(captured.captured_queries), rows

    rows = []
    lists = (
        ("GET /api/designs/", "/api/designs/", customer),
        ("GET /api/orders/", "/api/orders/", customer),
        ("GET /api/maker/jobs/", "/api/maker/jobs/", maker),
        ("GET /api/batches/", "/api/batches/", maker),
    )
    for name, path, account in lists:
        small, small_rows = measure(f"{path}?page_size=5", account.token)
        large, large_rows = measure(f"{path}?page_size=50", account.token)
        rows.append(
            {
                "endpoint": name,
                "a": f"{small} ({small_rows} rows)",
                "b": f"{large} ({large_rows} rows)",
                "grows": large > small,
            }
        )
    orders = sorted(
        Order.objects.filter(customer_id=customer.user_id).prefetch_related("items", "events", "jobs"),
        key=lambda order: len(order.items.all()) + len(order.events.all()) + len(order.jobs.all()),
    )
    jobs = sorted(
        Job.objects.filter(maker__members=maker.user_id).prefetch_related("job_items", "events"),
        key=lambda job: len(job.job_items.all()) + len(job.events.all()),
    )
    for name, path, account, objects in (
        ("GET /api/orders/{id}/", "/api/orders/{}/", customer, orders),
        ("GET /api/maker/jobs/{id}/", "/api/maker/jobs/{}/", maker, jobs),
    ):
        small, _ = measure(path.format(objects[0].pk), account.token)
        large, _ = measure(path.format(objects[-1].pk), account.token)
        rows.append({"endpoint": name, "a": f"{small} (smallest)", "b": f"{large} (largest)", "grows": large > small})
    return rows


def write_plan(path: Path, requests: list[tuple]) -> Path:
    path.write_text("".join("\t".join(request) + "\n" for request in requests))
    return path


def with_etags(base_url: str, requests: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Each request with the ETag the server gives it now (what a poller holds after its last answer)."""
    import urllib.request

    tagged = []
    for path, token in requests:
        request = urllib.request.Request(
            base_url + path, headers={"Authorization": f"Token {token}", "Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            tagged.append((path, token, response.headers.get("ETag", "")))
    return tagged


def load(*, base_url: str, plan: Path, connections: int, seconds: float, generator: str) -> dict:
    """Run the load generator; returns its JSON figures plus the CPU it used itself."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if generator == "wrk":
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(int(round(seconds)), 1)}s",
            "--timeout",
            "30s",
            "-s",
            str(BENCH_DIR / "wrk_requests.lua"),
            base_url,
            "--",
            str(plan),
        ]
    else:
        command = [sys.executable, str(BENCH_DIR / "loadgen.py"), str(plan), base_url, str(connections), str(seconds)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"load generator failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    figures = json.loads(lines[-1])
    seconds_taken = figures["duration_us"] / 1e6
    figures["rps"] = figures["requests"] / seconds_taken
    figures["generator_cpu_share"] = (
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ) / seconds_taken
    figures["errors"] = sum(
        figures[key] for key in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return figures


def machine_cpu_busy() -> tuple[int, int, int]:
    """The machine's CPU ticks so far: busy, waiting for I/O, all."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, fields[4], sum(fields)


def access_log_figures(log: Path, offset: int, seconds: float) -> dict[str, dict]:
    """Server-side time per endpoint in the mixed run (gunicorn's %(D)s, microseconds)."""
    patterns = {name: re.compile(pattern) for name, (_share, pattern) in ENDPOINTS.items()}
    samples: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    with open(log, "rb") as handle:
        handle.seek(offset)
        for line in handle.read().decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            for name, pattern in patterns.items():
                if pattern.match(parts[0]):
                    samples[name].append(int(parts[2]) / 1000.0)
                    break
    return {
        name: {
            "requests": len(values),
            "rps": len(values) / seconds,
            "p50_ms": harness.percentile(values, 0.50),
            "p95_ms": harness.percentile(values, 0.95),
            "p99_ms": harness.percentile(values, 0.99),
        }
        for name, values in samples.items()
        if values
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, shorter run (about 2 minutes)")
    parser.add_argument("--seconds", type=float, help="load time per run (default 10, quick 5)")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--makers", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2 * (harness.machine_description()["cores"]))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--read-cache-seconds",
        type=int,
        default=None,
        help="READ_CACHE_SECONDS for the server (0: every read rendered afresh; default: the setting's default)",
    )
    parser.add_argument("--generator", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    arguments = parser.parse_args()
    seconds = arguments.seconds or (5.0 if arguments.quick else 10.0)
    orders = 2_000 if arguments.quick and arguments.orders == 10_000 else arguments.orders
    makers = 300 if arguments.quick and arguments.makers == 1_000 else arguments.makers
    harness.say(
        f"API under load: {orders:,} orders, {makers:,} makers, {arguments.workers} gunicorn workers x "
        f"{arguments.threads} threads, {arguments.connections} connections, {seconds:g} s per endpoint, "
        f"load generator {arguments.generator}"
    )
    results: dict = {
        "orders": orders,
        "makers": makers,
        "workers": arguments.workers,
        "threads": arguments.threads,
        "connections": arguments.connections,
        "seconds": seconds,
        "generator": arguments.generator,
    }
    with harness.platform_stack("api") as stack:
        stack.setup_django(settings=SETTINGS)
        import scale_data

        started = time.perf_counter()
        data = scale_data.seed_platform(orders=orders, makers=makers, customers=max(50, orders // 20))
        settle_database()
        results["seed_seconds"] = round(time.perf_counter() - started, 1)
        results["rows"] = data.counts
        harness.say(f"seeded in {results['seed_seconds']} s: {data.counts}")
        results["query_counts"] = query_counts(data)
        plans = request_plans(data, random.Random(7))
        files = {
            name: write_plan(stack.workdir / f"plan-{index}.tsv", requests)
            for index, (name, requests) in enumerate(plans.items())
        }
        from django.db import connections

        connections.close_all()
        access_log = stack.workdir / "access.log"
        cache_setting = (
            {} if arguments.read_cache_seconds is None else {"READ_CACHE_SECONDS": arguments.read_cache_seconds}
        )
        results["read_cache_seconds"] = arguments.read_cache_seconds
        server = harness.WebServer(
            stack,
            workers=arguments.workers,
            threads=arguments.threads,
            settings=SETTINGS,
            access_log=access_log,
            **cache_setting,
        )
        try:

            def run(name: str, duration: float) -> dict:
                busy_before, iowait_before, total_before = machine_cpu_busy()
                figures = load(
                    base_url=server.base_url,
                    plan=files[name],
                    connections=arguments.connections,
                    seconds=duration,
                    generator=arguments.generator,
                )
                busy_after, iowait_after, total_after = machine_cpu_busy()
                figures["machine_cpu_busy"] = (busy_after - busy_before) / max(total_after - total_before, 1)
                figures["machine_iowait"] = (iowait_after - iowait_before) / max(total_after - total_before, 1)
                harness.say(
                    f"{name}: {figures['rps']:.0f} req/s, p50 {figures['p50_us'] / 1000:.1f} ms, "
                    f"p99 {figures['p99_us'] / 1000:.1f} ms, errors {figures['errors']}"
                )
                return figures

            run("mix", 3.0)  # warm-up: every code path imported and every connection open
            polls = plans["GET /api/maker/jobs/?status=offered"]
            files[CONDITIONAL_POLL] = write_plan(
                stack.workdir / "plan-conditional.tsv", with_etags(server.base_url, polls)
            )
            # Each endpoint runs right after its own ceiling run: the machine's background load drifts, and a
            # ratio of two neighbouring runs cancels most of that drift.
            load_results, ceilings = {}, {}
            for name in [*ENDPOINTS, CONDITIONAL_POLL, "mix"]:
                ceilings[name] = run(CEILING, seconds)
                offset = access_log.stat().st_size
                load_results[name] = run(name, seconds * (2 if name == "mix" else 1))
            results["mix_per_endpoint"] = access_log_figures(
                access_log, offset, load_results["mix"]["duration_us"] / 1e6
            )
        finally:
            server.stop()
        results["load"] = load_results
        results["ceilings"] = ceilings
    report(results)
    harness.save_results("api_load", results)
    return 0


def _row(name: str, figures: dict, ratio: str) -> list:
    return [
        name,
        f"{figures['rps']:.0f}",
        f"{figures['p50_us'] / 1000:.1f}",
        f"{figures['p95_us'] / 1000:.1f}",
        f"{figures['p99_us'] / 1000:.1f}",
        f"{figures['bytes'] / max(figures['requests'], 1) / 1024:.1f}",
        figures["errors"],
        f"{figures['machine_cpu_busy'] * 100:.0f}% / {figures.get('machine_iowait', 0) * 100:.0f}% / "
        f"{figures['generator_cpu_share'] * 100:.1f}%",
        ratio,
    ]


def report(results: dict) -> None:
    load_results, ceilings = results["load"], results["ceilings"]
    ceiling_rates = [figures["rps"] for figures in ceilings.values()]
    print()
    print(
        f"## API under load ({results['orders']:,} orders, {results['makers']:,} makers; "
        f"gunicorn {results['workers']} workers x {results['threads']} threads, {results['connections']} connections, "
        f"{results['seconds']:g} s per run, {results['generator']}"
        + ("" if results.get("read_cache_seconds") is None else f", READ_CACHE_SECONDS={results['read_cache_seconds']}")
        + ")"
    )
    print(f"machine: {harness.machine_line()}")
    print(
        f"ceiling ({CEILING}), run before each endpoint: median {harness.median(ceiling_rates):.0f} req/s "
        f"(min {min(ceiling_rates):.0f}, max {max(ceiling_rates):.0f})"
    )
    ceiling_median = dict(ceilings[next(iter(ceilings))])
    ceiling_median.update(
        {
            key: harness.median(figures[key] for figures in ceilings.values())
            for key in (
                "rps",
                "p50_us",
                "p95_us",
                "p99_us",
                "bytes",
                "requests",
                "machine_cpu_busy",
                "machine_iowait",
                "generator_cpu_share",
            )
        }
    )
    ceiling_median["errors"] = sum(figures["errors"] for figures in ceilings.values())
    rows = [_row(f"{CEILING}, median of {len(ceilings)} runs", ceiling_median, "1.00")]
    goal_met = True
    for name, figures in load_results.items():
        ratio = figures["rps"] / ceilings[name]["rps"]
        is_read_endpoint = name in ENDPOINTS
        if is_read_endpoint and ratio < 0.5:
            goal_met = False
        label = f"{ratio:.2f} (of {ceilings[name]['rps']:.0f})"
        rows.append(_row(name, figures, label + (" goal >= 0.5" if is_read_endpoint else "")))
    print(
        harness.markdown_table(
            [
                "endpoint",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "KiB/resp",
                "errors",
                "CPU busy / I/O wait / generator",
                "req/s vs the ceiling run just before",
            ],
            rows,
        )
    )
    print()
    print("Mixed run, per endpoint (server-side time from gunicorn's access log):")
    print(
        harness.markdown_table(
            ["endpoint", "share of requests", "req/s", "p50 ms", "p95 ms", "p99 ms"],
            [
                [
                    name,
                    f"{figures['requests'] / max(load_results['mix']['requests'], 1) * 100:.0f}%",
                    f"{figures['rps']:.0f}",
                    f"{figures['p50_ms']:.1f}",
                    f"{figures['p95_ms']:.1f}",
                    f"{figures['p99_ms']:.1f}",
                ]
                for name, figures in results["mix_per_endpoint"].items()
            ],
        )
    )
    print()
    print("Queries per request (no count may grow with the page size or the object's size):")
    print(
        harness.markdown_table(
            ["endpoint", "queries at page_size 5 / small", "queries at page_size 50 / large", "grows"],
            [[row["endpoint"], row["a"], row["b"], "YES" if row["grows"] else "no"] for row in results["query_counts"]],
        )
    )
    growing = [row["endpoint"] for row in results["query_counts"] if row["grows"]]
    print()
    print(
        f"goal: read endpoints at >= 0.5 x ceiling throughput: {'met' if goal_met else 'NOT met'}; "
        f"query counts constant: {'met' if not growing else 'NOT met (' + ', '.join(growing) + ')'}"
    )


if __name__ == "__main__":
    sys.exit(main())
