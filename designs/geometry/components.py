"""Connected components in plain numpy (scipy's give the same labels; a test keeps them in step).

Importing scipy.sparse costs 0.2-0.6 s per process and a clean part needs nothing else from scipy, so the
numpy version is used everywhere. It contracts the graph round by round: every node hooks to its smallest
neighbour (``np.minimum.at``), pointer jumping takes each node to the root of its tree, every tree becomes
one node of a smaller graph, and edges inside a tree are dropped. Each round shrinks a mesh's face graph
several times over, so the whole takes a few passes over the faces and about as long as scipy's
breadth-first search, without the import.
"""

import numpy as np


def connected_components(count: int, first: np.ndarray, second: np.ndarray) -> tuple[int, np.ndarray]:
    """Components of the graph on ``count`` nodes with edges ``first[i] - second[i]``.

    Returns the number of components and a label per node, numbered by each component's smallest node.
    """
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
    ends_a = np.asarray(first, dtype=index_type)
    ends_b = np.asarray(second, dtype=index_type)
    # mappings[r][node of round r's graph] = its node in round r + 1's graph.
    mappings = []
    nodes = count
    while len(ends_a):
        parent = np.arange(nodes, dtype=index_type)
        # Hooking every node under its smallest neighbour (when smaller) keeps the forest acyclic: parents
        # only ever point to smaller nodes, so every root is the smallest node of its tree.
        np.minimum.at(parent, np.maximum(ends_a, ends_b), np.minimum(ends_a, ends_b))
        _point_to_roots(parent)
        is_root = parent == np.arange(nodes, dtype=index_type)
        # Roots keep their order, so each new node is still numbered by the smallest node it holds.
        new_number = np.cumsum(is_root, dtype=index_type)
        new_number -= 1
        mapping = new_number[parent]
        mappings.append(mapping)
        nodes = int(new_number[-1]) + 1
        ends_a = mapping[ends_a]
        ends_b = mapping[ends_b]
        crossing = ends_a != ends_b
        ends_a = ends_a[crossing]
        ends_b = ends_b[crossing]
    labels = np.arange(nodes, dtype=np.int64)
    for mapping in reversed(mappings):
        labels = labels[mapping]
    return nodes, labels


_CHUNK = 1 << 14


def _point_to_roots(parent: np.ndarray) -> None:
    """Replace every parent by its tree's root, in place, for a forest where ``parent[v] <= v``.

    Nodes are finished slice by slice in increasing order, so every pointer below the slice already
    leads to a root and pointer jumping inside the slice (a few passes over data that stays in the CPU
    cache) settles it: about three times faster than jumping over the whole array until nothing moves.
    """
    for begin in range(0, len(parent), _CHUNK):
        block = parent[begin : begin + _CHUNK]
        while True:
            jumped = parent[block]
            if np.array_equal(jumped, block):
                break
            block[...] = jumped
