"""Connected components: scipy's C code when scipy is already loaded, else plain numpy.

Importing scipy.sparse costs 0.2-0.6 s per process and a clean part needs nothing else from scipy, so a
fresh process uses the numpy version (hook to the smaller root, jump pointers to the roots: a few array
passes per round, few rounds). A worker that has scipy loaded already (any earlier repair or full
report) uses scipy's, which is about three times faster. Both give the same partition.
"""

import sys

import numpy as np


def connected_components(count: int, first: np.ndarray, second: np.ndarray) -> tuple[int, np.ndarray]:
    """Components of the graph on ``count`` nodes with edges ``first[i] - second[i]``.

    Returns the number of components and a label per node, numbered by each component's smallest node.
    """
    if "scipy.sparse.csgraph" in sys.modules:
        return _with_scipy(count, first, second)
    return _with_numpy(count, first, second)


def _with_scipy(count: int, first: np.ndarray, second: np.ndarray) -> tuple[int, np.ndarray]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as components

    graph = coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(count, count))
    found, labels = components(graph, directed=False)
    # Renumber by each component's smallest node, as the numpy version does.
    smallest = np.full(found, count, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(count))
    order = np.empty(found, dtype=np.int64)
    order[np.argsort(smallest)] = np.arange(found)
    return int(found), order[labels]


def _with_numpy(count: int, first: np.ndarray, second: np.ndarray) -> tuple[int, np.ndarray]:
    index_type = np.int32 if count < 2**31 else np.int64
    parent = np.arange(count, dtype=index_type)
    ends_a = np.asarray(first, dtype=index_type)
    ends_b = np.asarray(second, dtype=index_type)
    while len(ends_a):
        root_a = parent[ends_a]
        root_b = parent[ends_b]
        crossing = root_a != root_b
        if not crossing.any():
            break
        ends_a, ends_b = ends_a[crossing], ends_b[crossing]
        root_a, root_b = root_a[crossing], root_b[crossing]
        # Hooking every larger root under a smaller one keeps the forest acyclic; when several edges hook
        # the same root only one write wins, and the others are still crossing in the next round.
        parent[np.maximum(root_a, root_b)] = np.minimum(root_a, root_b)
        # Jump pointers until every node points at its root (each pass halves the remaining depth).
        while True:
            grandparent = parent[parent]
            if np.array_equal(grandparent, parent):
                break
            parent = grandparent
    is_root = parent == np.arange(count, dtype=index_type)
    labels = np.cumsum(is_root, dtype=np.int64) - 1
    return int(np.count_nonzero(is_root)), labels[parent]
