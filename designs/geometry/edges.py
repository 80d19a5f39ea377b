"""Edges: which faces share each edge, how they pair across it, and the bodies that pairing makes.

Half-edge ``h = k * face_count + f`` runs from corner ``k`` to corner ``k + 1`` of face ``f``; keeping the
three corners in separate blocks lets every step work on flat arrays.

Everything comes from one sort. Each half-edge gets one 64-bit key: its two vertices (smaller first),
one bit saying which way it runs and its own index in the low bits, so sorting plain integers (which numpy
does with SIMD, far faster than ``argsort``) brings the half-edges of each edge together and yields the
permutation at once. Other arrays (partners, edge numbers, duplicates) are derived on first use: a clean
part, where every edge has exactly two faces, needs only counts read off the sorted keys and the face
pairs for its bodies, and never pays for the rest.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .components import connected_components
from .grouping import bits_needed, sort_into_groups

# Faces around a non-manifold edge whose planes differ by less than this are treated as pressed together
# (two parts touching along a face, as in assemblies); see ``_pair_around_non_manifold_edges``.
COPLANAR_ANGLE_RADIANS = 0.01

# Keys are built and unpacked in slices of this many entries, so the temporaries stay in the CPU cache
# (about three times faster than whole-array passes on millions of half-edges).
_CHUNK = 1 << 14


@dataclass(frozen=True, eq=False)
class EdgeTopology:
    """Edges of a mesh (collapsed faces must be removed first) and how faces pair across them.

    ``order`` lists the half-edges so that those of one edge are adjacent, ``starts`` marks where each
    edge begins in it, and ``descending`` (when the key had room for it) says per position whether that
    half-edge runs from its larger vertex to its smaller one.

    ``partner[h]`` is the half-edge glued to ``h`` (-1 on an open edge). On a manifold edge it is the only
    other one; around a non-manifold edge the faces are paired geometrically (see
    ``_pair_around_non_manifold_edges``), so two cubes touching along an edge stay two bodies.
    Index arrays are int32 (half the memory traffic of int64 on meshes of millions of faces).
    """

    vertices: np.ndarray
    corners: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    descending: np.ndarray | None

    @property
    def face_count(self) -> int:
        return self.corners.shape[1]

    @cached_property
    def start(self) -> np.ndarray:
        return self.corners.reshape(-1)

    @cached_property
    def end(self) -> np.ndarray:
        return np.concatenate([self.corners[1], self.corners[2], self.corners[0]])

    @cached_property
    def is_all_paired(self) -> bool:
        """Every edge has exactly two half-edges (the common case of a closed, manifold part)."""
        count = len(self.order)
        return count % 2 == 0 and bool(self.starts[0::2].all()) and not self.starts[1::2].any()

    @cached_property
    def start_positions(self) -> np.ndarray:
        return np.flatnonzero(self.starts)

    @cached_property
    def faces_per_edge(self) -> np.ndarray:
        return np.diff(np.append(self.start_positions, len(self.order))).astype(np.int32)

    @property
    def edge_count(self) -> int:
        return len(self.order) // 2 if self.is_all_paired else len(self.start_positions)

    @cached_property
    def edge_of_half_edge(self) -> np.ndarray:
        edge_of_half_edge = np.empty(len(self.order), dtype=np.int32)
        edge_of_half_edge[self.order] = np.cumsum(self.starts, dtype=np.int32) - 1
        return edge_of_half_edge

    @cached_property
    def open_edges(self) -> int:
        return 0 if self.is_all_paired else int(np.count_nonzero(self.faces_per_edge == 1))

    @cached_property
    def non_manifold_edges(self) -> int:
        return 0 if self.is_all_paired else int(np.count_nonzero(self.faces_per_edge > 2))

    @cached_property
    def partner(self) -> np.ndarray:
        partner = np.full(len(self.order), -1, dtype=np.int32)
        first, second = self._pairs
        partner[first] = second
        partner[second] = first
        crowded = self.faces_per_edge > 2
        if crowded.any():
            _pair_around_non_manifold_edges(
                vertices=self.vertices,
                corners=self.corners,
                start=self.start,
                end=self.end,
                members=self._crowded_members.astype(np.int64),
                group_sizes=self.faces_per_edge[crowded].astype(np.int64),
                partner=partner,
            )
        return partner

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The two half-edges of every edge that has exactly two."""
        if self.is_all_paired:
            return self.order[0::2], self.order[1::2]
        positions = self.start_positions[self.faces_per_edge == 2]
        return self.order[positions], self.order[positions + 1]

    @cached_property
    def _crowded_members(self) -> np.ndarray:
        crowded = self.faces_per_edge > 2
        sizes = self.faces_per_edge[crowded]
        group_starts = self.start_positions[crowded]
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return self.order[np.repeat(group_starts, sizes) + offsets]

    @cached_property
    def unpaired_half_edges(self) -> int:
        """Half-edges with no partner: open edges, and faces left over around a non-manifold edge."""
        return 0 if self.is_all_paired else int(np.count_nonzero(self.partner < 0))

    @property
    def is_closed(self) -> bool:
        """Every face is glued to a partner across each of its edges (bodies touching along an edge,
        non-manifold but each closed, count as closed, as admesh, PrusaSlicer and manifold3d see them)."""
        return self.face_count > 0 and self.unpaired_half_edges == 0

    @cached_property
    def inconsistent_half_edges(self) -> np.ndarray:
        """Paired half-edges that run the same way as their partner (neighbour wound the other way)."""
        partner = self.partner
        paired = partner >= 0
        result = np.zeros(len(partner), dtype=bool)
        result[paired] = self.start[paired] == self.start[partner[paired]]
        return result

    @cached_property
    def inconsistent_edges(self) -> int:
        if self.is_all_paired and self.descending is not None:
            # Both half-edges of an edge run the same way exactly when their direction bits agree.
            return int(np.count_nonzero(self.descending[0::2] == self.descending[1::2]))
        return int(np.count_nonzero(self.inconsistent_half_edges)) // 2

    @property
    def is_winding_consistent(self) -> bool:
        return self.inconsistent_edges == 0

    @cached_property
    def neighbour_faces(self) -> np.ndarray:
        """(3m,) the face across each half-edge, or the face itself on an open edge."""
        count = max(self.face_count, 1)
        own = np.tile(np.arange(self.face_count, dtype=np.int32), 3)
        paired = self.partner >= 0
        own[paired] = self.partner[paired] % np.int32(count)
        return own

    def open_half_edges(self) -> np.ndarray:
        """Half-edges with no partner, the rims of holes: edges used by one face only, and the face left
        over around an edge shared by an odd number of faces (a hole whose rim runs along such edges)."""
        if self.is_all_paired or not self.unpaired_half_edges:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.partner < 0)

    @cached_property
    def shells(self) -> tuple[int, np.ndarray]:
        """Bodies: faces connected through glued edges (touching at a vertex does not join bodies)."""
        face_count = self.face_count
        if face_count == 0:
            return 0, np.zeros(0, dtype=np.int64)
        if self.is_all_paired:
            first, second = self._pairs
        else:
            glued = np.flatnonzero(self.partner >= 0)
            # Each glued pair appears twice (h -> partner, partner -> h); one direction is enough.
            first = glued[glued < self.partner[glued]]
            second = self.partner[first]
        return connected_components(face_count, first % np.int32(face_count), second % np.int32(face_count))

    @cached_property
    def duplicate_faces(self) -> np.ndarray:
        """Faces with the same three vertices as an earlier face (the later one of each pair is marked)."""
        face_count = self.face_count
        duplicate = np.zeros(face_count, dtype=bool)
        if self.is_all_paired:
            # Two faces on the same three vertices share all three edges, and when every edge has exactly
            # two faces nothing else is glued to them: they are a body of two faces. Conversely a body of
            # two faces can only be such a pair, so the shells find duplicates without another pass.
            count, labels = self.shells
            pairs = np.flatnonzero(np.bincount(labels, minlength=count) == 2)
            if len(pairs):
                faces = np.flatnonzero(np.isin(labels, pairs))
                later = np.ones(len(faces), dtype=bool)
                _labels, first = np.unique(labels[faces], return_index=True)
                later[first] = False
                duplicate[faces[later]] = True
            return duplicate
        opposite = np.concatenate([self.corners[2], self.corners[0], self.corners[1]])
        first, second = self._pairs
        # Two faces with the same three vertices share every edge, and across any of them they have the
        # same opposite vertex; the later face is the duplicate.
        same = opposite[first] == opposite[second]
        if same.any():
            duplicate[np.maximum(first[same] % face_count, second[same] % face_count)] = True
        if self.non_manifold_edges:
            _mark_crowded_duplicates(self._crowded_members, opposite, self.edge_of_half_edge, face_count, duplicate)
        return duplicate


def build_edge_topology(vertices: np.ndarray, faces: np.ndarray) -> EdgeTopology:
    face_count = len(faces)
    corners = np.ascontiguousarray(faces.T, dtype=np.int32)
    half_edge_count = 3 * face_count
    vertex_bits = bits_needed(max(len(vertices), 1))
    index_bits = bits_needed(max(half_edge_count, 1))
    if 2 * vertex_bits + 1 + index_bits <= 64:
        order, starts, descending = _sort_packed_half_edges(corners, vertex_bits, index_bits)
        return EdgeTopology(vertices=vertices, corners=corners, order=order, starts=starts, descending=descending)
    # Too many vertices for one word: group by the two vertex numbers (hashed, then verified exactly).
    order, starts = _sort_hashed_half_edges(corners)
    return EdgeTopology(vertices=vertices, corners=corners, order=order, starts=starts, descending=None)


def _sort_hashed_half_edges(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order and starts of the half-edges grouped by their (smaller, larger) vertex pair, for any size."""
    start = corners.reshape(-1)
    end = np.concatenate([corners[1], corners[2], corners[0]])
    low = np.minimum(start, end).astype(np.uint64)
    high = np.maximum(start, end).astype(np.uint64)
    groups = sort_into_groups(np.stack([low, high], axis=1))
    return groups.order.astype(np.int32), groups.starts


def _sort_packed_half_edges(
    corners: np.ndarray, vertex_bits: int, index_bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort the half-edges by (smaller vertex, larger vertex, direction) keys: order, starts, direction."""
    face_count = corners.shape[1]
    count = 3 * face_count
    chunk = min(_CHUNK, max(face_count, 1))
    keys = np.empty(count, dtype=np.uint64)
    scratch = np.empty(chunk, dtype=np.uint64)
    low = np.empty(chunk, dtype=np.int32)
    high = np.empty(chunk, dtype=np.int32)
    runs_down = np.empty(chunk, dtype=bool)
    offsets = np.arange(chunk, dtype=np.uint64)
    for corner in range(3):
        starts_here, ends_here = corners[corner], corners[(corner + 1) % 3]
        for begin in range(0, face_count, chunk):
            stop = min(begin + chunk, face_count)
            size = stop - begin
            start, end = starts_here[begin:stop], ends_here[begin:stop]
            block = keys[corner * face_count + begin : corner * face_count + stop]
            part = scratch[:size]
            np.minimum(start, end, out=low[:size])
            np.maximum(start, end, out=high[:size])
            np.greater(start, end, out=runs_down[:size])
            # Vertex numbers are never negative, so reading them as unsigned changes nothing.
            np.left_shift(low[:size], vertex_bits + 1 + index_bits, out=block, dtype=np.uint64, casting="unsafe")
            np.left_shift(high[:size], 1 + index_bits, out=part, dtype=np.uint64, casting="unsafe")
            block |= part
            np.left_shift(runs_down[:size], index_bits, out=part, dtype=np.uint64, casting="unsafe")
            block |= part
            np.add(offsets[:size], np.uint64(corner * face_count + begin), out=part)
            block |= part
    keys.sort()
    index_type = np.int32 if count < 2**31 else np.int64
    order = np.empty(count, dtype=index_type)
    descending = np.empty(count, dtype=bool)
    index_mask = np.uint64((1 << index_bits) - 1)
    for begin in range(0, count, chunk):
        stop = min(begin + chunk, count)
        block = keys[begin:stop]
        part = scratch[: stop - begin]
        np.bitwise_and(block, index_mask, out=part)
        order[begin:stop] = part
        np.right_shift(block, np.uint64(index_bits), out=block)
        np.bitwise_and(block, np.uint64(1), out=part)
        descending[begin:stop] = part
        np.right_shift(block, np.uint64(1), out=block)
    starts = np.empty(count, dtype=bool)
    if count:
        starts[0] = True
        np.not_equal(keys[1:], keys[:-1], out=starts[1:])
    return order, starts, descending


def _mark_crowded_duplicates(members, opposite, edge_of_half_edge, face_count, duplicate) -> None:
    face = members % face_count
    order = np.lexsort((face, opposite[members], edge_of_half_edge[members]))
    edge_sorted = edge_of_half_edge[members][order]
    opposite_sorted = opposite[members][order]
    repeats = (edge_sorted[1:] == edge_sorted[:-1]) & (opposite_sorted[1:] == opposite_sorted[:-1])
    duplicate[face[order][1:][repeats]] = True


def _pair_around_non_manifold_edges(
    *,
    vertices: np.ndarray,
    corners: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    members: np.ndarray,
    group_sizes: np.ndarray,
    partner: np.ndarray,
) -> None:
    """Glue the faces around each edge shared by more than two faces in pairs that enclose solid.

    Around the edge (direction low -> high vertex) each face is a half-plane at some angle. A face whose
    half-edge runs high -> low has solid on its counter-clockwise side, so it is glued to the next face
    counter-clockwise, which (in a consistently wound mesh) runs low -> high and closes that wedge. Two
    cubes that share only an edge therefore stay two bodies, as slicers count them. Faces at (almost) the
    same angle are parts pressed together; the one closing a wedge sorts first so touching parts are not
    glued to each other. When the directions do not alternate (inconsistent winding) neighbours in angle
    are paired two by two.
    """
    face_count = corners.shape[1]
    group_count = len(group_sizes)
    group = np.repeat(np.arange(group_count), group_sizes)
    face = members % face_count
    corner = members // face_count
    low = np.minimum(start[members], end[members])
    high = np.maximum(start[members], end[members])
    opposite = corners[(corner + 2) % 3, face]
    origin = vertices[low]
    direction = vertices[high] - origin
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    # A reference axis perpendicular to the edge: the coordinate axis least aligned with it.
    helper = np.zeros_like(direction)
    helper[np.arange(len(direction)), np.argmin(np.abs(direction), axis=1)] = 1.0
    axis_one = np.cross(direction, helper)
    axis_one /= np.linalg.norm(axis_one, axis=1, keepdims=True)
    axis_two = np.cross(direction, axis_one)
    towards_opposite = vertices[opposite] - origin
    angle = np.arctan2(
        np.einsum("ij,ij->i", towards_opposite, axis_two), np.einsum("ij,ij->i", towards_opposite, axis_one)
    )
    runs_forward = start[members] == low
    # Angles just below +pi belong with those just above -pi: move them down so no cluster is cut in two.
    smallest = np.minimum.reduceat(angle[np.argsort(group, kind="stable")], np.cumsum(group_sizes) - group_sizes)
    wraps = angle > smallest[group] + 2 * np.pi - COPLANAR_ANGLE_RADIANS
    angle[wraps] -= 2 * np.pi
    by_angle = np.lexsort((angle, group))
    angle = angle[by_angle]
    group = group[by_angle]
    cluster = np.cumsum(np.r_[True, (np.diff(group) != 0) | (np.diff(angle) > COPLANAR_ANGLE_RADIANS)])
    final = by_angle[np.lexsort((~runs_forward[by_angle], cluster))]
    half_edges = members[final]
    forward = runs_forward[final]
    group_start = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    position = np.arange(len(final)) - group_start
    size = np.repeat(group_sizes, group_sizes)
    following = group_start + (position + 1) % size
    alternates_here = forward != forward[following]
    alternating_group = np.logical_and.reduceat(alternates_here, np.cumsum(group_sizes) - group_sizes)
    alternating = np.repeat(alternating_group, group_sizes)
    opener = alternating & ~forward
    partner[half_edges[opener]] = half_edges[following[opener]]
    partner[half_edges[following[opener]]] = half_edges[opener]
    fallback = ~alternating & (position % 2 == 0) & (position + 1 < size)
    partner[half_edges[fallback]] = half_edges[following[fallback]]
    partner[half_edges[following[fallback]]] = half_edges[fallback]


def shell_labels(topology: EdgeTopology) -> tuple[int, np.ndarray]:
    """Bodies: faces connected through glued edges (touching at a vertex does not join bodies)."""
    return topology.shells
