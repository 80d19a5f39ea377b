"""How the triangles connect and what they measure: merged vertices, collapsed faces, per-face volume,
area and edge lengths. Edges, their pairing and the bodies are in ``edges`` (re-exported here).
"""

from dataclasses import dataclass

import numpy as np

from .arrays import column_bounds
from .edges import EdgeTopology, build_edge_topology, shell_labels
from .grouping import group_equal_rows

__all__ = [
    "EdgeTopology",
    "FaceMeasures",
    "MergedVertices",
    "build_edge_topology",
    "collapsed_face_mask",
    "compact_vertices",
    "coordinate_words",
    "double_areas",
    "face_cross_products",
    "measure_faces",
    "merge_vertices",
    "shell_labels",
    "signed_volume_terms",
]


def coordinate_words(vertices: np.ndarray) -> np.ndarray:
    """The bit patterns of each vertex: (n, 3) uint32 for float32 vertices, (n, 3) uint64 otherwise.

    Adding zero first turns -0.0 into +0.0, which compare equal but have different bits.
    """
    if vertices.dtype == np.float32:
        return (vertices + np.float32(0.0)).view(np.uint32)
    normalised = np.asarray(vertices, dtype=np.float64) + 0.0
    return normalised.view(np.uint64)


@dataclass(frozen=True, eq=False)
class MergedVertices:
    vertices: np.ndarray
    faces: np.ndarray
    source_vertex_count: int


def merge_vertices(
    vertices: np.ndarray, faces: np.ndarray | None, *, words: np.ndarray | None = None
) -> MergedVertices:
    """Merge vertices at exactly the same position and drop the ones no face uses.

    ``faces`` None means a triangle soup (STL): rows 3i, 3i+1, 3i+2 are one triangle. ``words`` are the
    vertices' bit patterns when the caller already has them (a view of float32 vertices in which -0.0
    has already become +0.0, as ``coordinate_words`` would make them).
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
    merged = np.take(vertices, groups.first_row, axis=0).astype(np.float64, copy=False)
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
    # (3, m) cross products, bit for bit those of ``face_cross_products``, when asked for (``keep_cross``).
    cross: np.ndarray | None = None

    def degenerate_mask(self, size: float) -> np.ndarray:
        """Faces with (almost) no area: their smallest height is under 1e-8 of the part size.

        Height (area over longest edge) is trimesh's test; it catches needles and caps alike.
        """
        tolerance = max(size, 1.0) * 1e-8
        return self.double_areas <= tolerance * self.longest_edges


def measure_faces(
    vertices: np.ndarray, faces: np.ndarray, *, corners: np.ndarray | None = None, keep_cross: bool = False
) -> FaceMeasures:
    """Volume terms, doubled areas and longest edges of every face, in slices of ``_MEASURE_CHUNK`` faces.

    Same arithmetic as ``face_cross_products`` (bit for bit), but the nine gathered coordinate rows and
    every temporary of a slice stay in the CPU cache, which makes it about twice as fast on large meshes.
    ``corners`` are the faces as (3, m) rows when the caller has them already (``EdgeTopology.corners``).
    ``keep_cross`` keeps the (3, m) cross products too, so that a later ``Surface`` of the same faces need
    not gather every corner again.
    """
    face_count = len(faces)
    lower, upper = column_bounds(vertices)
    by_axis = np.ascontiguousarray((vertices - (lower + upper) / 2).T)
    indices = np.ascontiguousarray(faces.T) if corners is None else corners
    volume_terms = np.empty(face_count)
    double = np.empty(face_count)
    longest = np.empty(face_count)
    chunk = min(_MEASURE_CHUNK, max(face_count, 1))
    points = np.empty((3, 3, chunk))
    kept = np.empty((3, face_count)) if keep_cross else None
    cross = np.empty((3, chunk))
    product = np.empty(chunk)
    other = np.empty(chunk)
    for begin in range(0, face_count, chunk):
        stop = min(begin + chunk, face_count)
        size = stop - begin
        corner0, edge1, edge2 = points[0, :, :size], points[1, :, :size], points[2, :, :size]
        for corner in range(3):
            for axis in range(3):
                np.take(by_axis[axis], indices[corner, begin:stop], out=points[corner, axis, :size])
        edge1 -= corner0
        edge2 -= corner0
        crossed = kept[:, begin:stop] if kept is not None else cross[:, :size]
        scratch = product[:size]
        for axis, (first, second) in enumerate(((1, 2), (2, 0), (0, 1))):
            np.multiply(edge1[first], edge2[second], out=crossed[axis])
            np.multiply(edge1[second], edge2[first], out=scratch)
            crossed[axis] -= scratch
        _dot(crossed, corner0, out=volume_terms[begin:stop], scratch=scratch)
        _dot(crossed, crossed, out=double[begin:stop], scratch=scratch)
        squared = longest[begin:stop]
        _dot(edge1, edge1, out=squared, scratch=scratch)
        _dot(edge2, edge2, out=other[:size], scratch=scratch)
        np.maximum(squared, other[:size], out=squared)
        edge2 -= edge1
        _dot(edge2, edge2, out=other[:size], scratch=scratch)
        np.maximum(squared, other[:size], out=squared)
    volume_terms /= 6.0
    np.sqrt(double, out=double)
    np.sqrt(longest, out=longest)
    return FaceMeasures(volume_terms=volume_terms, double_areas=double, longest_edges=longest, cross=kept)


_MEASURE_CHUNK = 1 << 14


def _dot(first: np.ndarray, second: np.ndarray, *, out: np.ndarray, scratch: np.ndarray) -> None:
    """Per-column dot product of two (3, k) blocks, summed x + y + z in that order (as ``einsum`` does)."""
    np.multiply(first[0], second[0], out=out)
    np.multiply(first[1], second[1], out=scratch)
    out += scratch
    np.multiply(first[2], second[2], out=scratch)
    out += scratch
