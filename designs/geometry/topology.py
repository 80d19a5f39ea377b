"""How the triangles connect: merged vertices, edges, non-manifold pairing, shells, duplicates.

Half-edge ``h = k * face_count + f`` runs from corner ``k`` to corner ``k + 1`` of face ``f``; keeping the
three corners in separate blocks lets every step work on flat arrays.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .arrays import column_bounds
from .components import connected_components
from .grouping import bits_needed, group_equal_rows, sort_into_groups

# Faces around a non-manifold edge whose planes differ by less than this are treated as pressed together
# (two parts touching along a face, as in assemblies); see ``_pair_around_non_manifold_edges``.
COPLANAR_ANGLE_RADIANS = 0.01


def coordinate_words(vertices: np.ndarray) -> np.ndarray:
    """The bit patterns of each vertex as uint64 words (2 per float32 vertex, 3 per float64 vertex).

    Adding zero first turns -0.0 into +0.0, which compare equal but have different bits.
    """
    if vertices.dtype == np.float32:
        normalised = vertices + np.float32(0.0)
        words32 = np.zeros((len(vertices), 4), dtype=np.uint32)
        words32[:, :3] = normalised.view(np.uint32)
        return words32.view(np.uint64)
    normalised = np.asarray(vertices, dtype=np.float64) + 0.0
    return normalised.view(np.uint64)


@dataclass(frozen=True, eq=False)
class MergedVertices:
    vertices: np.ndarray
    faces: np.ndarray
    source_vertex_count: int


def padded_float32_words(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Room for ``count`` float32 points as uint64 words (x|y, z|0) and an (count, 3) float32 view of it.

    Filling the view and then hashing the words avoids a second copy of large triangle soups.
    """
    words = np.zeros((count, 2), dtype=np.uint64)
    return words, words.view(np.float32).reshape(count, 4)[:, :3]


def merge_vertices(
    vertices: np.ndarray, faces: np.ndarray | None, *, words: np.ndarray | None = None
) -> MergedVertices:
    """Merge vertices at exactly the same position and drop the ones no face uses.

    ``faces`` None means a triangle soup (STL): rows 3i, 3i+1, 3i+2 are one triangle. ``words`` are the
    vertices' bit patterns when the caller already has them (``padded_float32_words``; -0.0 must already
    be +0.0).
    """
    source_count = len(vertices)
    if faces is not None and len(faces) and source_count:
        used = np.zeros(source_count, dtype=bool)
        used[faces.reshape(-1)] = True
        if not used.all():
            remap = np.cumsum(used) - 1
            vertices = vertices[used]
            faces = remap[faces]
            words = None
    groups = group_equal_rows(coordinate_words(vertices) if words is None else words)
    merged = np.asarray(vertices[groups.first_row], dtype=np.float64)
    merged += 0.0
    if faces is None:
        new_faces = groups.inverse.reshape(-1, 3)
    else:
        new_faces = groups.inverse[faces]
    return MergedVertices(vertices=merged, faces=new_faces, source_vertex_count=source_count)


def compact_vertices(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop vertices that no face uses (after faces were removed)."""
    used = np.zeros(len(vertices), dtype=bool)
    used[faces.reshape(-1)] = True
    if used.all():
        return vertices, faces
    remap = np.cumsum(used) - 1
    return vertices[used], remap[faces]


def collapsed_face_mask(faces: np.ndarray) -> np.ndarray:
    """Faces that use one vertex twice: after merging they are a line or a point and bound nothing."""
    return (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 2] == faces[:, 0])


def _corner_and_edges(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(3, m) first corners and the two edges leaving them, gathered per axis with ``np.take`` (1-D
    gathers on contiguous index rows are several times faster than fancy-indexing (m, 3) rows)."""
    lower, upper = column_bounds(vertices)
    by_axis = np.ascontiguousarray((vertices - (lower + upper) / 2).T)
    indices = np.ascontiguousarray(faces.T)
    corners = [np.empty((3, len(faces))) for _corner in range(3)]
    for corner in range(3):
        for axis in range(3):
            np.take(by_axis[axis], indices[corner], out=corners[corner][axis])
    corners[1] -= corners[0]
    corners[2] -= corners[0]
    return corners[0], corners[1], corners[2]


def _cross(edge1: np.ndarray, edge2: np.ndarray) -> np.ndarray:
    cross = np.empty_like(edge1)
    np.multiply(edge1[1], edge2[2], out=cross[0])
    cross[0] -= edge1[2] * edge2[1]
    np.multiply(edge1[2], edge2[0], out=cross[1])
    cross[1] -= edge1[0] * edge2[2]
    np.multiply(edge1[0], edge2[1], out=cross[2])
    cross[2] -= edge1[1] * edge2[0]
    return cross


def face_cross_products(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(3, m) cross products (twice the area along the normal) and (3, m) first corners.

    Coordinates are taken relative to the bounding-box centre, so volumes of parts far from the origin
    keep their precision.
    """
    corner0, edge1, edge2 = _corner_and_edges(vertices, faces)
    return _cross(edge1, edge2), corner0


def signed_volume_terms(cross: np.ndarray, corner0: np.ndarray) -> np.ndarray:
    """Per-face signed volume of the tetrahedron to the centre (sum = enclosed volume when closed)."""
    return np.einsum("ij,ij->j", cross, corner0) / 6.0


def double_areas(cross: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->j", cross, cross))


@dataclass(frozen=True, eq=False)
class FaceMeasures:
    """Per face: signed volume term, twice the area, and the longest edge (one pass over the corners)."""

    volume_terms: np.ndarray
    double_areas: np.ndarray
    longest_edges: np.ndarray

    def degenerate_mask(self, size: float) -> np.ndarray:
        """Faces with (almost) no area: their smallest height is under 1e-8 of the part size.

        Height (area over longest edge) is trimesh's test; it catches needles and caps alike.
        """
        tolerance = max(size, 1.0) * 1e-8
        return self.double_areas <= tolerance * self.longest_edges


def measure_faces(vertices: np.ndarray, faces: np.ndarray) -> FaceMeasures:
    corner0, edge1, edge2 = _corner_and_edges(vertices, faces)
    cross = _cross(edge1, edge2)
    volume_terms = np.einsum("ij,ij->j", cross, corner0) / 6.0
    del corner0
    double = np.sqrt(np.einsum("ij,ij->j", cross, cross))
    del cross
    longest = np.einsum("ij,ij->j", edge1, edge1)
    np.maximum(longest, np.einsum("ij,ij->j", edge2, edge2), out=longest)
    edge2 -= edge1
    np.maximum(longest, np.einsum("ij,ij->j", edge2, edge2), out=longest)
    return FaceMeasures(volume_terms=volume_terms, double_areas=double, longest_edges=np.sqrt(longest))


@dataclass(frozen=True, eq=False)
class EdgeTopology:
    """Edges of a mesh (collapsed faces must be removed first) and how faces pair across them.

    ``partner[h]`` is the half-edge glued to ``h`` (-1 on an open edge). On a manifold edge it is the only
    other one; around a non-manifold edge the faces are paired geometrically (see
    ``_pair_around_non_manifold_edges``), so two cubes touching along an edge stay two bodies.
    Index arrays are int32 (half the memory traffic of int64 on meshes of millions of faces).
    """

    face_count: int
    start: np.ndarray
    end: np.ndarray
    edge_of_half_edge: np.ndarray
    faces_per_edge: np.ndarray
    partner: np.ndarray
    duplicate_faces: np.ndarray

    @property
    def edge_count(self) -> int:
        return len(self.faces_per_edge)

    @cached_property
    def open_edges(self) -> int:
        return int(np.count_nonzero(self.faces_per_edge == 1))

    @cached_property
    def non_manifold_edges(self) -> int:
        return int(np.count_nonzero(self.faces_per_edge > 2))

    @cached_property
    def unpaired_half_edges(self) -> int:
        """Half-edges with no partner: open edges, and faces left over around a non-manifold edge."""
        return int(np.count_nonzero(self.partner < 0))

    @property
    def is_closed(self) -> bool:
        """Every face is glued to a partner across each of its edges (bodies touching along an edge,
        non-manifold but each closed, count as closed, as admesh, PrusaSlicer and manifold3d see them)."""
        return self.face_count > 0 and self.unpaired_half_edges == 0

    @cached_property
    def inconsistent_half_edges(self) -> np.ndarray:
        """Paired half-edges that run the same way as their partner (neighbour wound the other way)."""
        paired = self.partner >= 0
        result = np.zeros(len(self.partner), dtype=bool)
        result[paired] = self.start[paired] == self.start[self.partner[paired]]
        return result

    @cached_property
    def inconsistent_edges(self) -> int:
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
        """Half-edges on edges used by one face only: the rims of holes."""
        return np.flatnonzero(self.partner < 0) if self.open_edges else np.zeros(0, dtype=np.int64)


def build_edge_topology(vertices: np.ndarray, faces: np.ndarray) -> EdgeTopology:
    face_count = len(faces)
    vertex_count = len(vertices)
    corners = np.ascontiguousarray(faces.T, dtype=np.int32)
    start = corners.reshape(-1)
    end = np.concatenate([corners[1], corners[2], corners[0]])
    vertex_bits = bits_needed(max(vertex_count, 1))
    key = np.minimum(start, end).astype(np.uint64)
    key <<= np.uint64(vertex_bits)
    key |= np.maximum(start, end).astype(np.uint64)
    if 2 * vertex_bits + bits_needed(max(len(key), 1)) <= 64:
        groups = sort_into_groups(np.zeros((len(key), 0), dtype=np.uint64), exact_key=key, key_bits=2 * vertex_bits)
    else:
        low = np.minimum(start, end).astype(np.uint64)
        groups = sort_into_groups(np.stack([low, key - (low << np.uint64(vertex_bits))], axis=1))
    del key
    order = groups.order.astype(np.int32)
    start_positions = groups.start_positions
    faces_per_edge = np.diff(np.append(start_positions, len(order))).astype(np.int32)
    edge_of_half_edge = np.empty(len(order), dtype=np.int32)
    edge_of_half_edge[order] = np.cumsum(groups.starts, dtype=np.int32) - 1
    partner = np.full(len(order), -1, dtype=np.int32)
    pair_positions = start_positions[faces_per_edge == 2]
    first = order[pair_positions]
    second = order[pair_positions + 1]
    partner[first] = second
    partner[second] = first
    opposite = np.concatenate([corners[2], corners[0], corners[1]])
    duplicate = np.zeros(face_count, dtype=bool)
    # Two faces with the same three vertices share every edge, and across any of them they have the same
    # opposite vertex; the later face is the duplicate.
    same = opposite[first] == opposite[second]
    if same.any():
        duplicate[np.maximum(first[same] % face_count, second[same] % face_count)] = True
    crowded = faces_per_edge > 2
    if crowded.any():
        members = _members_of_groups(order, start_positions[crowded], faces_per_edge[crowded])
        _mark_crowded_duplicates(members, opposite, edge_of_half_edge, face_count, duplicate)
        _pair_around_non_manifold_edges(
            vertices=vertices,
            faces=faces,
            start=start,
            end=end,
            members=members.astype(np.int64),
            group_sizes=faces_per_edge[crowded].astype(np.int64),
            partner=partner,
        )
    return EdgeTopology(
        face_count=face_count,
        start=start,
        end=end,
        edge_of_half_edge=edge_of_half_edge,
        faces_per_edge=faces_per_edge,
        partner=partner,
        duplicate_faces=duplicate,
    )


def _mark_crowded_duplicates(members, opposite, edge_of_half_edge, face_count, duplicate) -> None:
    face = members % face_count
    order = np.lexsort((face, opposite[members], edge_of_half_edge[members]))
    edge_sorted = edge_of_half_edge[members][order]
    opposite_sorted = opposite[members][order]
    repeats = (edge_sorted[1:] == edge_sorted[:-1]) & (opposite_sorted[1:] == opposite_sorted[:-1])
    duplicate[face[order][1:][repeats]] = True


def _members_of_groups(order: np.ndarray, group_starts: np.ndarray, group_sizes: np.ndarray) -> np.ndarray:
    offsets = np.arange(int(group_sizes.sum())) - np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return order[np.repeat(group_starts, group_sizes) + offsets]


def _pair_around_non_manifold_edges(
    *,
    vertices: np.ndarray,
    faces: np.ndarray,
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
    face_count = len(faces)
    group_count = len(group_sizes)
    group = np.repeat(np.arange(group_count), group_sizes)
    face = members % face_count
    corner = members // face_count
    low = np.minimum(start[members], end[members])
    high = np.maximum(start[members], end[members])
    opposite = faces[face, (corner + 2) % 3]
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
    face_count = topology.face_count
    if face_count == 0:
        return 0, np.zeros(0, dtype=np.int64)
    glued = np.flatnonzero(topology.partner >= 0)
    # Each glued pair appears twice (h -> partner, partner -> h); one direction is enough.
    glued = glued[glued < topology.partner[glued]]
    return connected_components(face_count, glued % face_count, topology.partner[glued] % face_count)
