"""How this process asks the system for array memory, set once when ``designs.geometry`` is imported.

An analysis makes a few hundred MB of short-lived arrays (a 1.34M-face part: 275 MB at the peak), and by
default each is memory the kernel has to hand over again, page by page:
- glibc serves every block of 32 MB or more (a 4M-corner uint64 key array is 32.2 MB) with a fresh
  ``mmap`` and returns it on free, and trims the top of its heap once 64 MB there are free;
- numpy asks for 2 MB pages (madvise MADV_HUGEPAGE) on every array of 4 MB or more. On the 2-core Intel
  Xeon VM those huge-page faults cost 0.05-0.55 s of system time, unpredictably, in one process out of two.
With plain pages and freed blocks kept in the heap for the next array (up to ``KEEP_FREED_BYTES``), the
core report of counter_x16_1340k.stl takes a steady 0.45 s in process instead of 0.46-0.84 s (BENCHMARKS.md,
"third round"). Only the page size and where blocks come from change: no result does.
MAKERNET_DEFAULT_ALLOCATION=1 in the environment leaves both defaults alone.
"""

import ctypes
import os

import numpy as np

KEEP_FREED_BYTES = 256 * 1024 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_allocation() -> None:
    if os.environ.get("MAKERNET_DEFAULT_ALLOCATION") == "1":
        return
    set_hugepage = getattr(np._core.multiarray, "_set_madvise_hugepage", None)
    if set_hugepage is not None and "NUMPY_MADVISE_HUGEPAGE" not in os.environ:
        set_hugepage(False)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return  # not glibc (musl, macOS): its allocator keeps its own rules
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt(_M_MMAP_THRESHOLD, KEEP_FREED_BYTES)
    mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES)
