"""Turning polygons (OBJ, OFF, PLY faces with more than three corners) into triangles."""

import numpy as np


def triangulate_quads(vertices: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """Split each quad along the diagonal that keeps both halves facing the quad's way (concave-safe)."""
    corners = vertices[quads]
    normal = np.cross(corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 1])
    first_half = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    second_half = np.cross(corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 0])
    along_02 = (np.einsum("ij,ij->i", first_half, normal) >= 0) & (np.einsum("ij,ij->i", second_half, normal) >= 0)
    triangles = np.empty((2 * len(quads), 3), dtype=np.int64)
    triangles[0::2] = np.where(along_02[:, None], quads[:, [0, 1, 2]], quads[:, [0, 1, 3]])
    triangles[1::2] = np.where(along_02[:, None], quads[:, [0, 2, 3]], quads[:, [1, 2, 3]])
    return triangles


def triangulate_polygon(vertices: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Ear-clip one polygon in its best-fit plane (handles concave outlines); fan when that fails."""
    import mapbox_earcut

    corner_count = len(polygon)
    fan = np.stack([np.full(corner_count - 2, polygon[0]), polygon[1:-1], polygon[2:]], axis=1).astype(np.int64)
    points = vertices[polygon]
    normal = newell_normal(points)
    length = np.linalg.norm(normal)
    if not np.isfinite(length) or length == 0:
        return fan
    normal /= length
    helper = np.zeros(3)
    helper[np.argmin(np.abs(normal))] = 1.0
    axis_one = np.cross(normal, helper)
    axis_one /= np.linalg.norm(axis_one)
    axis_two = np.cross(normal, axis_one)
    centred = points - points.mean(axis=0)
    flat = np.stack([centred @ axis_one, centred @ axis_two], axis=1)
    indices = mapbox_earcut.triangulate_float64(flat, np.array([corner_count], dtype=np.uint32))
    if len(indices) != 3 * (corner_count - 2):
        return fan
    triangles = polygon[indices.astype(np.int64).reshape(-1, 3)]
    corners = vertices[triangles]
    facing = np.einsum("ij,j->i", np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), normal)
    triangles[facing < 0] = triangles[facing < 0][:, [0, 2, 1]]
    return triangles


def newell_normal(points: np.ndarray) -> np.ndarray:
    """A closed loop's area vector (twice its area, along its normal), by Newell's method: the sums of
    differences times sums stay accurate far from the origin, where summed cross products cancel badly."""
    following = np.roll(points, -1, axis=0)
    return np.array(
        [
            np.sum((points[:, 1] - following[:, 1]) * (points[:, 2] + following[:, 2])),
            np.sum((points[:, 2] - following[:, 2]) * (points[:, 0] + following[:, 0])),
            np.sum((points[:, 0] - following[:, 0]) * (points[:, 1] + following[:, 1])),
        ]
    )


def triangulate_polygons(vertices: np.ndarray, polygons: list[np.ndarray]) -> np.ndarray:
    """Triangles for a mixed list of polygons (index arrays already validated)."""
    if not polygons:
        return np.zeros((0, 3), dtype=np.int64)
    sizes = np.fromiter((len(polygon) for polygon in polygons), dtype=np.int64, count=len(polygons))
    parts = []
    triangles = sizes == 3
    if triangles.any():
        parts.append(np.array([polygons[i] for i in np.flatnonzero(triangles)], dtype=np.int64).reshape(-1, 3))
    quads = sizes == 4
    if quads.any():
        quad_array = np.array([polygons[i] for i in np.flatnonzero(quads)], dtype=np.int64).reshape(-1, 4)
        parts.append(triangulate_quads(vertices, quad_array))
    for index in np.flatnonzero(sizes > 4):
        parts.append(triangulate_polygon(vertices, np.asarray(polygons[index], dtype=np.int64)))
    return np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int64)
