"""How much work waits in each Celery queue, and whether any worker answers.

Staff watch rows (analyses, offers, batches) first; these broker numbers tell whether work piles up before it
becomes a row. Redis keeps a queue as a list (LLEN of the key, plus the keys kombu adds per priority step);
kombu's filesystem transport keeps one ``<time>_<uuid>.<queue>.msg`` file per message in ``data_folder_in``.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from core.health import check_worker
from core.queueing import queues

logger = logging.getLogger(__name__)

# kombu's Redis transport stores priorities 3, 6 and 9 in keys "<queue>\x06\x16<priority>" beside "<queue>".
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (3, 6, 9)
WORKER_CHECK_CACHE_SECONDS = 15


@dataclass(frozen=True)
class QueueDepth:
    name: str
    messages: int | None  # None: the broker could not be asked
    error: str = ""


def _filesystem_depths(folder: Path, queues) -> dict[str, int]:
    counts = dict.fromkeys(queues, 0)
    suffixes = {f"{queue}.msg": queue for queue in queues}
    with os.scandir(folder) as entries:
        for entry in entries:
            queue = suffixes.get(entry.name.partition(".")[2])
            if queue is not None:
                counts[queue] += 1
    return counts


def _redis_depths(url: str, queues) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        with client.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.llen(queue)
                for step in REDIS_PRIORITY_STEPS:
                    pipe.llen(f"{queue}{REDIS_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
    finally:
        client.close()
    per_queue = 1 + len(REDIS_PRIORITY_STEPS)
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}


def queue_depths(queue_names=None) -> list[QueueDepth]:
    """Messages waiting per queue (taken by no worker yet), in the order of ``queue_names`` (default: all)."""
    queues_ = tuple(queue_names or queues())
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            counts = _redis_depths(url, queues_)
        elif url.startswith("filesystem://"):
            counts = _filesystem_depths(Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]), queues_)
        else:
            return [QueueDepth(queue, None, "this broker's queues cannot be counted here") for queue in queues_]
    except Exception as error:  # noqa: BLE001 - a broker that does not answer is shown, not raised
        logger.warning("dashboard: cannot count queue depths: %s", error)
        return [QueueDepth(queue, None, f"{type(error).__name__}: {error}"[:200]) for queue in queues_]
    return [QueueDepth(queue, counts[queue]) for queue in queues_]


def worker_liveness() -> str:
    """``ok`` when a worker answered a ping in the last few seconds, else the reason.

    A ping with no worker waits for its whole timeout; the answer is cached so that a dashboard refreshing
    every 15 s does not stall each time.
    """
    return cache.get_or_set("web:worker-liveness", lambda: check_worker(timeout=1.0), WORKER_CHECK_CACHE_SECONDS)
