"""Benchmark: dispatch at scale. 1,000 orders confirmed at once against 10,000 makers; time until every order
is routed (every item offered, or the order on hold with the reason), with 1 and 2 worker processes.

Run from the project root: ``.venv/bin/python bench/bench_dispatch.py [--quick]`` (PostgreSQL and Redis as
for ``bench_api_load.py``).

1. ``scale_data.seed_dispatch``: 10,000 makers around European cities (1-5 printers each, about 30,000),
   1,000 placed orders of 200 customers (1-3 items of analysed real parts in printable materials).
2. Baseline and profile, in this process: a sample of orders confirmed and dispatched by calling
   ``order_dispatch`` directly (no broker, no worker) under cProfile; time per order, queries per order and
   the time of each step (pricing, the maker query, matching, the offer with its batch repack and
   notifications, status changes).
3. For 1 and then 2 worker processes (``celery worker -Q dispatch --concurrency 1`` each): the database is
   reset to 1,000 placed orders, all are confirmed (``order_confirm``: one dispatch task each, through the
   outbox, into Redis) with no worker running, then the workers start; the clock runs from the first worker
   being ready to the last order leaving ``confirmed``. Orders per second against the in-process baseline
   (1 worker) and against 1 worker (2 workers: the scaling).
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

# Steps of order_dispatch reported from the profile: (label, file suffix, function name).
STEPS = (
    ("whole order_dispatch", "orders/services/dispatch.py", "order_dispatch"),
    ("price the item (quoting.price)", "orders/services/quoting.py", "price"),
    ("maker query + objects (maker_candidates)", "orders/services/quoting.py", "maker_candidates"),
    ("rank makers (match_makers, pure)", "orders/matching/ranking.py", "match_makers"),
    ("makers tried before (_makers_tried)", "orders/services/dispatch.py", "_makers_tried"),
    ("offer: job, items, event (_offer)", "orders/services/dispatch.py", "_offer"),
    ("  of which batch repack (batch_repack)", "orders/services/dispatch.py", "batch_repack"),
    ("  of which notifications (notify)", "core/notifications.py", "notify"),
    ("order status changes (order_set_status)", "orders/services/status.py", "order_set_status"),
    ("order_sync", "orders/services/dispatch.py", "order_sync"),
    ("SQL: execute + fetch (psycopg)", "psycopg/cursor.py", "execute"),
)


def reset(order_ids: list[int], redis_url: str) -> None:
    """Back to placed orders with no jobs, batches, notifications or queued tasks (the same start each run)."""
    from django.db import connection

    from makers.models import Maker
    from orders.models import Order, OrderEvent

    with connection.cursor() as cursor:
        for table in (
            "orders_jobevent",
            "orders_jobitem",
            "orders_job",
            "orders_batchevent",
            "orders_batch",
            "core_notification",
            "core_outboxmessage",
        ):
            cursor.execute(f"DELETE FROM {table}")
    OrderEvent.objects.filter(order_id__in=order_ids).exclude(to_status="placed").delete()
    Order.objects.filter(pk__in=order_ids).update(status="placed", hold_reason="", confirmed_at=None)
    Maker.objects.update(offers_received=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    harness.flush_redis(redis_url)


def customer_of(order_ids: list[int]) -> dict[int, object]:
    from orders.models import Order

    return {order.pk: order.customer for order in Order.objects.filter(pk__in=order_ids).select_related("customer")}


def profile_sample(order_ids: list[int], *, profiled: int = 10) -> dict:
    """Dispatch ``order_ids`` in this process: the first ones timed plainly (the baseline time per order and
    queries per order), the last ``profiled`` under cProfile (where the time goes; cProfile slows Python-heavy
    steps more than SQL waits, so the shares are indicative)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.models import OrderStatus
    from orders.services.dispatch import order_dispatch
    from orders.services.status import order_set_status

    for order_id in order_ids:
        # The status change only: order_confirm would also queue a dispatch task, here dispatch runs inline.
        order_set_status(order_id=order_id, to=OrderStatus.CONFIRMED, reason="benchmark")
    order_dispatch(order_id=order_ids[0])  # warm-up (imports, first queries)
    counted, timed, sampled = order_ids[1:4], order_ids[4:-profiled], order_ids[-profiled:]
    with CaptureQueriesContext(connection) as captured:
        for order_id in counted:
            order_dispatch(order_id=order_id)
    started = time.perf_counter()
    for order_id in timed:
        order_dispatch(order_id=order_id)
    elapsed = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.enable()
    for order_id in sampled:
        order_dispatch(order_id=order_id)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    steps = {}
    for label, file_suffix, function in STEPS:
        steps[label] = (
            sum(entry[3] for key, entry in stats.items() if key[0].endswith(file_suffix) and key[2] == function)
            / len(sampled)
            * 1000
        )
    return {
        "orders": len(timed),
        "profiled_orders": len(sampled),
        "ms_per_order": elapsed / len(timed) * 1000,
        "queries_per_order": len(captured.captured_queries) / len(counted),
        "steps_ms": steps,
    }


def confirm_all(order_ids: list[int]) -> float:
    from orders.services.ordering import order_confirm

    customers = customer_of(order_ids)
    started = time.perf_counter()
    for order_id in order_ids:
        order_confirm(order_id=order_id, actor=customers[order_id])
    return time.perf_counter() - started


def run_workers(stack, order_ids: list[int], processes: int, *, max_seconds: float) -> dict:
    from django.db.models import Count

    from orders.models import Job, Order

    harness.say(f"confirming {len(order_ids):,} orders (dispatch tasks queued, no worker running yet)")
    confirm_seconds = confirm_all(order_ids)
    harness.say(f"starting {processes} worker process(es)")
    workers = []
    started = None
    try:
        for index in range(processes):
            workers.append(harness.CeleryWorker(stack, queues="dispatch", concurrency=1, name=f"dispatch{index}"))
            if started is None:
                started = time.perf_counter()  # the first worker is ready and taking tasks
        # A run that would take too long is stopped at max_seconds and its rate projected to every order.
        deadline = time.monotonic() + max_seconds
        waiting = len(order_ids)
        while time.monotonic() < deadline:
            for worker in workers:
                worker.check_alive()
            waiting = Order.objects.filter(pk__in=order_ids, status="confirmed").count()
            if waiting == 0:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        cpu = harness.cpu_seconds([pid for worker in workers for pid in (worker.pid, *worker.pool_pids())])
    finally:
        for worker in workers:
            worker.stop()
    statuses = dict(Order.objects.filter(pk__in=order_ids).values_list("status").annotate(count=Count("pk")).order_by())
    routed = len(order_ids) - waiting
    rate = routed / elapsed
    return {
        "processes": processes,
        "confirm_seconds": confirm_seconds,
        "finished": waiting == 0,
        "routed": routed,
        "seconds": elapsed if waiting == 0 else len(order_ids) / max(rate, 1e-9),
        "measured_seconds": elapsed,
        "orders_per_second": rate,
        "worker_cpu_seconds": cpu,
        "statuses": statuses,
        "jobs_offered": Job.objects.filter(order_id__in=order_ids).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 orders against 3,000 makers")
    parser.add_argument("--orders", type=int)
    parser.add_argument("--makers", type=int)
    parser.add_argument(
        "--sample", type=int, default=44, help="orders dispatched in-process (3 query-counted, 10 profiled)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        help="stop a run after this long and project its rate to every order (default 150, quick 60)",
    )
    arguments = parser.parse_args()
    order_count = arguments.orders or (200 if arguments.quick else 1_000)
    maker_count = arguments.makers or (3_000 if arguments.quick else 10_000)
    results: dict = {"orders": order_count, "makers": maker_count}
    harness.say(f"dispatch at scale: {order_count:,} orders, {maker_count:,} makers")
    with harness.platform_stack("dispatch") as stack:
        stack.setup_django()
        import scale_data

        started = time.perf_counter()
        data = scale_data.seed_dispatch(orders=order_count, makers=maker_count)
        results["seed_seconds"] = time.perf_counter() - started
        results["rows"] = data.counts
        harness.say(f"seeded in {results['seed_seconds']:.0f} s: {data.counts}")
        order_ids = data.placed_order_ids
        harness.say(f"baseline: {arguments.sample - 1} orders dispatched in this process (10 of them profiled)")
        results["in_process"] = profile_sample(order_ids[: arguments.sample])
        runs = []
        for processes in (1, 2):
            reset(order_ids, stack.redis_url)
            from django.db import connections

            connections.close_all()
            max_seconds = arguments.max_seconds or (60.0 if arguments.quick else 150.0)
            runs.append(run_workers(stack, order_ids, processes, max_seconds=max_seconds))
            harness.say(
                f"{processes} worker process(es): {runs[-1]['seconds']:.1f} s, "
                f"{runs[-1]['orders_per_second']:.1f} orders/s, {runs[-1]['statuses']}"
            )
        results["runs"] = runs
    report(results)
    harness.save_results("dispatch", results)
    return 0


def report(results: dict) -> None:
    in_process = results["in_process"]
    baseline_rate = 1000.0 / in_process["ms_per_order"]
    one, two = results["runs"]
    print()
    print(
        f"## Dispatch at scale ({results['orders']:,} orders confirmed at once, {results['makers']:,} makers, "
        f"{results['rows'].get('printers', 0):,} printers)"
    )
    print(f"machine: {harness.machine_line()}")
    rows = [
        [
            f"in-process, no queue (baseline; {in_process['orders']} orders)",
            "",
            f"{baseline_rate:.1f}",
            f"{in_process['ms_per_order']:.0f}",
            f"{in_process['queries_per_order']:.0f}",
            "1.00",
        ]
    ]
    for run in (one, two):
        seconds = f"{run['seconds']:.1f}"
        if not run["finished"]:
            seconds = f"{seconds} projected ({run['routed']} routed in {run['measured_seconds']:.0f} s)"
        rows.append(
            [
                f"{run['processes']} worker process{'es' if run['processes'] > 1 else ''}",
                seconds,
                f"{run['orders_per_second']:.1f}",
                f"{run['worker_cpu_seconds'] / max(run['routed'], 1) * 1000:.0f} CPU",
                "",
                f"{run['orders_per_second'] / baseline_rate:.2f}"
                + (f"; x{run['orders_per_second'] / one['orders_per_second']:.2f} of 1 worker" if run is two else ""),
            ]
        )
    print(
        harness.markdown_table(
            ["run", "time until all routed s", "orders/s", "ms per order", "queries per order", "vs baseline"],
            rows,
        )
    )
    print(
        f"outcome (2 workers): {two['statuses']}, {two['jobs_offered']:,} jobs offered; confirming took "
        f"{two['confirm_seconds']:.1f} s ({results['orders'] / two['confirm_seconds']:.0f} orders/s, one process)"
    )
    print()
    print(
        f"Where one order_dispatch goes ({in_process['profiled_orders']} orders under cProfile, ms per order; "
        "cProfile slows Python more than SQL waits):"
    )
    steps = in_process["steps_ms"]
    whole = steps["whole order_dispatch"] or 1.0
    print(
        harness.markdown_table(
            ["step", "ms per order", "share"],
            [[label, f"{value:.1f}", f"{value / whole * 100:.0f}%"] for label, value in steps.items()],
        )
    )
    slowest = max(
        (label for label in steps if label != "whole order_dispatch" and not label.startswith("SQL")),
        key=lambda label: steps[label],
    )
    print(f"slowest step: {slowest} ({steps[slowest]:.1f} ms of {whole:.1f} ms per order)")


if __name__ == "__main__":
    sys.exit(main())
