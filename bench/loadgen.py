"""A closed-loop HTTP load generator in plain Python, for machines without ``wrk``.

``python bench/loadgen.py REQUESTS_FILE BASE_URL CONNECTIONS SECONDS`` keeps CONNECTIONS keep-alive
connections busy for SECONDS, cycling through the "path<TAB>token" lines of REQUESTS_FILE, and prints the
same JSON line as ``wrk_requests.lua``. It costs the machine far more CPU per request than wrk (about
0.1-0.2 ms of Python per request, on the cores the server also needs), so its throughput figures are lower
bounds; the benchmark says which generator it used.
"""

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def _worker(host, port, requests_list, offset, deadline, latencies, counters, lock):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    position = offset
    local_latencies, status_errors, read_errors, received = [], 0, 0, 0
    while time.perf_counter() < deadline:
        path, token, etag = requests_list[position % len(requests_list)]
        position += 1
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        if etag:
            headers["If-None-Match"] = etag
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            read_errors += 1
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        local_latencies.append((time.perf_counter() - started) * 1e6)
        received += len(body)
        if response.status >= 400:
            status_errors += 1
    connection.close()
    with lock:
        latencies.extend(local_latencies)
        counters["status_errors"] += status_errors
        counters["read_errors"] += read_errors
        counters["bytes"] += received


def run(requests_list: list[tuple[str, str]], base_url: str, connections: int, seconds: float) -> dict:
    parts = urlsplit(base_url)
    latencies: list[float] = []
    counters = {"status_errors": 0, "read_errors": 0, "bytes": 0}
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_worker,
            args=(parts.hostname, parts.port, requests_list, index * 7919, deadline, latencies, counters, lock),
        )
        for index in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    latencies.sort()

    def at(fraction: float) -> int:
        return int(latencies[min(int(fraction * len(latencies)), len(latencies) - 1)]) if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "bytes": counters["bytes"],
        "status_errors": counters["status_errors"],
        "connect_errors": 0,
        "read_errors": counters["read_errors"],
        "write_errors": 0,
        "timeouts": 0,
        "mean_us": sum(latencies) / len(latencies) if latencies else 0.0,
        "p50_us": at(0.50),
        "p90_us": at(0.90),
        "p95_us": at(0.95),
        "p99_us": at(0.99),
        "max_us": int(latencies[-1]) if latencies else 0,
    }


def main() -> None:
    requests_file, base_url, connections, seconds = sys.argv[1:5]
    with open(requests_file) as handle:
        requests_list = [(*line.rstrip("\n").split("\t", 2), "", "")[:3] for line in handle if "\t" in line]
    print(json.dumps(run(requests_list, base_url, int(connections), float(seconds))))


if __name__ == "__main__":
    main()
