"""Face orientation: make each body's winding consistent, then make it face outwards.

trimesh's ``fix_winding`` walks faces one at a time in Python (53 s on a damaged 900k-face mesh). Here
the whole job is a breadth-first search in C (scipy) plus a few array passes: build the spanning forest of
the face graph, give every face the parity "flip relative to my parent" of the edge joining them, and
resolve parities to the root by pointer jumping (about log2(depth) passes).
"""

from dataclasses import dataclass

import numpy as np

from .topology import EdgeTopology

# Work cap for the point-in-body tests that find cavities (face visits); beyond it bodies count as separate.
_NESTING_WORK_LIMIT = 40_000_000


def consistent_flips(topology: EdgeTopology, *, labels: np.ndarray, face_weights: np.ndarray) -> np.ndarray:
    """Faces to flip so that every glued pair of half-edges runs in opposite directions.

    ``labels`` are the bodies (``topology.shell_labels(topology)``). Inside each body the side holding most of the
    surface (``face_weights``, the areas) keeps its winding, so a few stray faces are turned rather than
    the whole body. Where the surface cannot be oriented (a Moebius strip, badly glued non-manifold
    edges) the spanning tree decides and some edges stay inconsistent.
    """
    face_count = topology.face_count
    if face_count == 0 or topology.is_winding_consistent:
        return np.zeros(face_count, dtype=bool)
    # Imported only here: a consistently wound part (the common case) never loads scipy.sparse (0.2-0.6 s).
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    neighbours = topology.neighbour_faces.reshape(3, face_count).T
    # One virtual root (row face_count) joined to the first face of every body, so a single search
    # covers all of them. The CSR arrays are laid out directly: three neighbours per face, then the root.
    roots = _first_face_per_label(labels).astype(np.int32)
    root = face_count
    indices = np.concatenate([neighbours.reshape(-1), roots])
    pointers = np.concatenate([np.arange(0, 3 * face_count + 1, 3), [3 * face_count + len(roots)]])
    forest = csr_matrix(
        (np.ones(len(indices), dtype=np.int8), indices, pointers), shape=(face_count + 1, face_count + 1)
    )
    _order, predecessors = breadth_first_order(forest, root, directed=True, return_predecessors=True)
    parent = predecessors[:face_count].astype(np.int64)
    parent[(parent == root) | (parent < 0)] = -1
    # The flip relation to the parent: the half-edges gluing the face to its parent run the same way.
    inconsistent = topology.inconsistent_half_edges.reshape(3, face_count).T
    across = neighbours == parent[:, None]
    relation = np.any(across & inconsistent, axis=1)
    has_parent = parent >= 0
    pointer = np.where(has_parent, parent, np.arange(face_count))
    # flip[i] is the parity from face i to face pointer[i]; each pass doubles the distance covered.
    flip = relation & has_parent
    while True:
        next_pointer = pointer[pointer]
        if np.array_equal(next_pointer, pointer):
            break
        flip = flip ^ flip[pointer]
        pointer = next_pointer
    flipped_weight = np.bincount(labels, weights=np.where(flip, face_weights, 0.0))
    total_weight = np.bincount(labels, weights=face_weights)
    return flip ^ (flipped_weight > total_weight / 2)[labels]


def _first_face_per_label(labels: np.ndarray) -> np.ndarray:
    seen = np.full(int(labels.max()) + 1, -1, dtype=np.int64)
    # Reversed assignment leaves the smallest face index for each label.
    faces = np.arange(len(labels))[::-1]
    seen[labels[::-1]] = faces
    return seen


@dataclass(frozen=True, eq=False)
class OutwardResult:
    shell_flips: np.ndarray
    # Volume of each body before any is turned.
    shell_volumes: np.ndarray


def outward_flips(
    *,
    vertices: np.ndarray,
    faces: np.ndarray,
    labels: np.ndarray,
    shell_count: int,
    volume_terms: np.ndarray,
    closed_shells: np.ndarray,
) -> OutwardResult:
    """Which bodies to turn inside out so that every free-standing body has positive volume.

    A body inside another keeps its winding relative to the body around it: a cavity modelled with
    inward faces stays a cavity, a part overlapping inside another stays a solid (what trimesh,
    PrusaSlicer and MeshLab all sum), and when the outer body was inside out its contents turn with it.
    Faces must already be consistently wound within each body. Bodies without an inside (``closed_shells``
    False: sheets, stray triangles) keep their winding.
    """
    shell_volume = np.bincount(labels, weights=volume_terms, minlength=shell_count)
    if not np.any((shell_volume < 0) & closed_shells):
        # Every closed body already faces outward: nothing can turn, so skip the nesting search.
        return OutwardResult(shell_flips=np.zeros(shell_count, dtype=bool), shell_volumes=shell_volume)
    container = _innermost_containers(
        vertices=vertices, faces=faces, labels=labels, shell_count=shell_count, volumes=shell_volume
    )
    flips = np.zeros(shell_count, dtype=bool)
    free = container < 0
    # A body with no volume (a flat sheet) has no inside; leave it alone.
    flips[free] = (shell_volume[free] < 0) & closed_shells[free]
    nested = np.flatnonzero(~free)
    # Follow each nested body up to its free-standing ancestor (nesting is shallow; the loop is bounded).
    ancestor = container.copy()
    for _level in range(shell_count):
        parent = ancestor[nested]
        deeper = container[parent] >= 0
        if not deeper.any():
            break
        ancestor[nested[deeper]] = container[parent[deeper]]
    flips[nested] = flips[ancestor[nested]] & closed_shells[nested]
    return OutwardResult(shell_flips=flips, shell_volumes=shell_volume)


def _innermost_containers(
    *, vertices: np.ndarray, faces: np.ndarray, labels: np.ndarray, shell_count: int, volumes: np.ndarray
) -> np.ndarray:
    """For each body, the smallest closed body around it, or -1."""
    container = np.full(shell_count, -1, dtype=np.int64)
    if shell_count < 2:
        return container
    order = np.argsort(labels, kind="stable")
    boundaries = np.searchsorted(labels[order], np.arange(shell_count + 1))
    lower = np.empty((shell_count, 3))
    upper = np.empty((shell_count, 3))
    first_corners = faces[order, 0]
    for axis in range(3):
        column = vertices[:, axis]
        low = np.minimum(np.minimum(column[first_corners], column[faces[order, 1]]), column[faces[order, 2]])
        high = np.maximum(np.maximum(column[first_corners], column[faces[order, 1]]), column[faces[order, 2]])
        lower[:, axis] = np.minimum.reduceat(low, boundaries[:-1])
        upper[:, axis] = np.maximum.reduceat(high, boundaries[:-1])
    contains_box = np.all(lower[:, None, :] < lower[None, :, :], axis=2) & np.all(
        upper[:, None, :] > upper[None, :, :], axis=2
    )
    outer_candidates, inner_candidates = np.nonzero(contains_box)
    sizes = np.diff(boundaries)
    if int(sizes[outer_candidates].sum()) > _NESTING_WORK_LIMIT:
        return container
    best_size = np.full(shell_count, np.inf)
    for outer, inner in zip(outer_candidates.tolist(), inner_candidates.tolist(), strict=True):
        size = abs(volumes[outer])
        if size == 0 or size >= best_size[inner]:
            continue
        outer_faces = faces[order[boundaries[outer] : boundaries[outer + 1]]]
        probe = vertices[faces[order[boundaries[inner]], 0]]
        if abs(winding_number(vertices, outer_faces, probe)) > 0.5:
            container[inner] = outer
            best_size[inner] = size
    return container


def winding_number(vertices: np.ndarray, faces: np.ndarray, point: np.ndarray) -> float:
    """Generalised winding number of a closed surface around a point (+-1 inside, 0 outside).

    Sum of the solid angles of the triangles (Van Oosterom and Strackee), robust to small gaps.
    """
    a = vertices[faces[:, 0]] - point
    b = vertices[faces[:, 1]] - point
    c = vertices[faces[:, 2]] - point
    length_a = np.linalg.norm(a, axis=1)
    length_b = np.linalg.norm(b, axis=1)
    length_c = np.linalg.norm(c, axis=1)
    numerator = np.einsum("ij,ij->i", a, np.cross(b, c))
    denominator = (
        length_a * length_b * length_c
        + np.einsum("ij,ij->i", a, b) * length_c
        + np.einsum("ij,ij->i", a, c) * length_b
        + np.einsum("ij,ij->i", b, c) * length_a
    )
    return float(2.0 * np.arctan2(numerator, denominator).sum() / (4.0 * np.pi))
