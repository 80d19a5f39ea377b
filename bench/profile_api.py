"""Profile the read endpoints in one process: where a request's time goes (Python vs SQL), with pyinstrument.

Run from the project root: ``.venv/bin/python bench/profile_api.py [--orders 2000] [--requests 40]
[--endpoint designs]`` (needs ``pip install pyinstrument`` in the venv; PostgreSQL and Redis as for
``bench_api_load.py``). Seeds a throwaway database like the load benchmark, then calls each endpoint through
Django's test client with the production settings: prints the time per request, the number of queries and
their total database time, the largest query, and pyinstrument's call tree.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--makers", type=int, default=300)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--endpoint", action="append", help="only endpoints whose name contains this")
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--tree-all", action="store_true", help="with --tree: show library frames too")
    parser.add_argument("--queries", action="store_true", help="the database time per request of each statement")
    arguments = parser.parse_args()
    with harness.platform_stack("profile") as stack:
        stack.setup_django(settings="bench.ceiling_settings")
        import scale_data
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        data = scale_data.seed_platform(
            orders=arguments.orders, makers=arguments.makers, customers=max(50, arguments.orders // 20)
        )
        rng = random.Random(3)
        customers = [account for account in data.customers if account.design_ids and account.order_ids]
        makers = [account for account in data.makers if account.job_ids]
        endpoints = {
            "trivial": lambda: ("/bench/trivial/", rng.choice(customers).token),
            "designs list": lambda: ("/api/designs/", rng.choice(customers).token),
            "design detail": lambda: _detail(rng, customers, "design_ids", "/api/designs/{}/"),
            "orders list": lambda: ("/api/orders/", rng.choice(customers).token),
            "order detail": lambda: _detail(rng, customers, "order_ids", "/api/orders/{}/"),
            "maker jobs": lambda: ("/api/maker/jobs/?status=offered", rng.choice(makers).token),
            "maker job detail": lambda: _detail(rng, makers, "job_ids", "/api/maker/jobs/{}/"),
        }
        for name, make_request in endpoints.items():
            if arguments.endpoint and not any(part in name for part in arguments.endpoint):
                continue
            requests = [make_request() for _ in range(arguments.requests)]
            _call(requests[0])  # warm-up
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            total_queries, database_seconds, slowest = 0, 0.0, (0.0, "")
            per_statement = {}
            started = time.perf_counter()
            profiler.start()
            for request in requests:
                with CaptureQueriesContext(connection) as captured:
                    _call(request)
                total_queries += len(captured.captured_queries)
                for query in captured.captured_queries:
                    seconds = float(query["time"])
                    database_seconds += seconds
                    statement = _statement(query["sql"])
                    per_statement[statement] = per_statement.get(statement, 0.0) + seconds
                    if seconds > slowest[0]:
                        slowest = (seconds, query["sql"][:300])
            profiler.stop()
            elapsed = time.perf_counter() - started
            reset_queries()
            count = len(requests)
            print(
                f"\n=== {name}: {elapsed / count * 1000:.1f} ms per request, {total_queries / count:.1f} queries, "
                f"database {database_seconds / count * 1000:.1f} ms per request; slowest query "
                f"{slowest[0] * 1000:.1f} ms: {slowest[1]}"
            )
            if arguments.queries:
                for statement, seconds in sorted(per_statement.items(), key=lambda item: -item[1]):
                    print(f"    {seconds / count * 1000:6.2f} ms  {statement}")
            if arguments.tree:
                print(profiler.output_text(unicode=False, color=False, show_all=arguments.tree_all))
    return 0


def _statement(sql: str) -> str:
    """A statement's kind and main table, with the tables it joins: "SELECT orders_job (+ orders_order, ...)"."""
    import re

    verb = sql.split(None, 1)[0].upper()
    tables = re.findall(r'(?:FROM|JOIN|UPDATE|INTO)\s+"(\w+)"', sql)
    main, joined = (tables[0] if tables else "?"), sorted(set(tables[1:]))
    return f"{verb} {main}" + (f" (+ {', '.join(joined)})" if joined else "")


def _detail(rng, accounts, attribute, pattern):
    account = rng.choice(accounts)
    return pattern.format(rng.choice(getattr(account, attribute))), account.token


def _call(request) -> None:
    from django.test import Client

    path, token = request
    response = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json").get(
        path
    )
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")


if __name__ == "__main__":
    sys.exit(main())
