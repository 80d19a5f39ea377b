"""Fins: sheets of faces hanging from a body by edges it already closes, with a free edge of their own.

CAD exports and mesh unions often leave a wall inside a part (the lid of one box where it met another)
or a flap outside it. Such a sheet is glued to the body along edges shared by three or more faces and has
at least one edge with no neighbour at all, so the part cannot be closed by filling holes: the "hole" is
the sheet's free edge. The sheet bounds no material (an inner wall divides solid from solid, an outer one
has no thickness), and slicers fill or ignore it. Removing it leaves the body closed.

A sheet here is a patch: faces joined across edges that have exactly two faces. A patch is a fin when
removing it leaves every edge it touches with an even number of faces (each face around an edge then has a
partner) and it has at least one free edge and hangs from at least one crowded edge (a free-standing sheet,
such as a stray triangle, is left alone: it is reported, not deleted).
"""

import numpy as np

from .components import connected_components
from .edges import EdgeTopology


def fin_faces(topology: EdgeTopology) -> np.ndarray:
    """Mask of the faces in fins (see the module docstring); all False when there are none."""
    face_count = topology.face_count
    removable = np.zeros(face_count, dtype=bool)
    if face_count == 0 or not topology.open_edges or not topology.non_manifold_edges:
        return removable
    first, second = topology._pairs
    _count, patch = connected_components(face_count, first % face_count, second % face_count)
    faces_per_edge = topology.faces_per_edge
    edge = topology.edge_of_half_edge.astype(np.int64)
    owner = patch[np.arange(3 * face_count) % face_count]
    around = faces_per_edge[edge]
    # Patches with a free edge that also hang from a crowded edge.
    free = np.unique(owner[around == 1])
    hanging = np.unique(owner[around >= 3])
    candidates = np.intersect1d(free, hanging)
    if len(candidates) == 0:
        return removable
    chosen = np.zeros(int(patch.max()) + 1, dtype=bool)
    chosen[candidates] = True
    # Dropping patches one by one could leave an edge shared by two of them odd; check them together and
    # give up the patches on any edge that would be left with an odd count, until none is.
    for _attempt in range(4):
        taken = chosen[owner]
        removed_per_edge = np.bincount(edge[taken], minlength=len(faces_per_edge))
        odd = (faces_per_edge - removed_per_edge) % 2 == 1
        odd &= removed_per_edge > 0
        if not odd.any():
            break
        chosen[np.unique(owner[taken & odd[edge]])] = False
    else:
        return removable
    removable = chosen[patch]
    return removable
