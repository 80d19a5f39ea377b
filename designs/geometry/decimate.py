"""Vertex clustering: a fast, predictable way to shrink a mesh for previews (never for analysis).

Vertices are snapped to a grid and each occupied cell becomes one vertex at the mean of its members;
faces that collapse are dropped. The cell size starts from the surface area needed for the target face
count and grows until the result is small enough.
"""

import numpy as np

from .arrays import column_bounds, largest_extent
from .grouping import group_equal_rows
from .topology import collapsed_face_mask, compact_vertices, double_areas, face_cross_products


def cluster_vertices(vertices: np.ndarray, faces: np.ndarray, *, cell: float) -> tuple[np.ndarray, np.ndarray]:
    cells = np.floor((vertices - column_bounds(vertices)[0]) / cell).astype(np.int64)
    groups = group_equal_rows(cells.view(np.uint64))
    count = groups.count
    sums = np.zeros((count, 3))
    for axis in range(3):
        sums[:, axis] = np.bincount(groups.inverse, weights=vertices[:, axis], minlength=count)
    members = np.bincount(groups.inverse, minlength=count)
    clustered = sums / members[:, None]
    new_faces = groups.inverse[faces]
    new_faces = new_faces[~collapsed_face_mask(new_faces)]
    return compact_vertices(clustered, new_faces)


def decimate(vertices: np.ndarray, faces: np.ndarray, *, max_faces: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_faces`` faces (the input itself when it is already small enough)."""
    if len(faces) <= max_faces:
        return vertices, faces
    cross, _corner = face_cross_products(vertices, faces)
    area = float(double_areas(cross).sum() / 2)
    size = largest_extent(vertices)
    # A clustered surface has about two triangles per occupied cell face.
    cell = max(np.sqrt(2.0 * area / max_faces), size * 1e-6)
    result = (vertices, faces)
    for _attempt in range(8):
        result = cluster_vertices(vertices, faces, cell=cell)
        if len(result[1]) <= max_faces:
            return result
        cell *= 1.4
    return result
