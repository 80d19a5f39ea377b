"""Process resource caps for work on untrusted input (mesh analysis)."""

import contextlib
import resource


def _address_space_in_use() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    return pages * resource.getpagesize()


@contextlib.contextmanager
def memory_cap(limit_bytes: int | None):
    """Let the block allocate at most ``limit_bytes`` more address space; beyond it MemoryError is raised.

    The cap is relative to what the process already uses (a worker has libraries mapped), so it means "this
    analysis may take N bytes". The previous limit is restored afterwards, so one analysis cannot starve the
    next. Without /proc (not Linux) or a limit, it does nothing.
    """
    if not limit_bytes:
        yield
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = _address_space_in_use() + limit_bytes
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
