"""A PNG thumbnail without a display: a small numpy z-buffer rasteriser and Pillow.

trimesh's ``Scene.save_image`` needs an OpenGL window, which servers do not have. Here the part is
turned to a three-quarter view (Z up), projected orthographically, rasterised at twice the size
(every triangle's pixel box tested at once, nearest depth kept per pixel) with simple diffuse and
ambient light, and scaled down for smooth edges. Meshes much finer than the image are clustered first.
"""

from os import PathLike

import numpy as np

from .decimate import cluster_vertices
from .mesh import LoadedMesh

_BACKGROUND = np.array([244, 245, 247], dtype=np.float64)
_PART_COLOUR = np.array([96, 130, 176], dtype=np.float64)
_LIGHT = np.array([0.35, -0.45, 0.82])
_AZIMUTH_DEGREES = -45.0
_ELEVATION_DEGREES = 30.0
_SUPERSAMPLE = 2
_MARGIN = 0.08
_CANDIDATE_CHUNK = 1_000_000


def _view_rotation() -> np.ndarray:
    """World (Z up) to view (x right, y up, z towards the viewer) for a three-quarter view."""
    azimuth = np.radians(_AZIMUTH_DEGREES)
    elevation = np.radians(_ELEVATION_DEGREES)
    spin = np.array([[np.cos(azimuth), -np.sin(azimuth), 0], [np.sin(azimuth), np.cos(azimuth), 0], [0, 0, 1.0]])
    # Look along +Y after spinning, then tilt the camera down by the elevation.
    to_view = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])
    tilt = np.array(
        [[1.0, 0, 0], [0, np.cos(elevation), -np.sin(elevation)], [0, np.sin(elevation), np.cos(elevation)]]
    )
    return tilt @ to_view @ spin


def render(vertices: np.ndarray, faces: np.ndarray, *, size: int) -> np.ndarray:
    """An (size, size, 3) uint8 image of the mesh."""
    resolution = size * _SUPERSAMPLE
    image = np.empty((resolution * resolution, 3))
    image[:] = _BACKGROUND
    if len(faces) == 0:
        return image.reshape(resolution, resolution, 3).astype(np.uint8)[::_SUPERSAMPLE, ::_SUPERSAMPLE]
    view = vertices @ _view_rotation().T
    low = view[:, :2].min(axis=0)
    high = view[:, :2].max(axis=0)
    span = float(max(high - low)) or 1.0
    usable = resolution * (1 - 2 * _MARGIN)
    pixels = np.empty_like(view)
    pixels[:, :2] = (view[:, :2] - (low + high) / 2) / span * usable + resolution / 2
    pixels[:, 1] = resolution - pixels[:, 1]
    pixels[:, 2] = view[:, 2]
    if len(faces) > resolution * resolution // 2:
        # Far more triangles than pixels: cluster to about one vertex per pixel first.
        vertices_small, faces = cluster_vertices(pixels, faces, cell=1.0)
        pixels = vertices_small
    corners = pixels[faces]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    # A closed part hides the faces turned away from the camera: skip them (about half the work).
    # Screen y points down, which mirrors the view, so with outward faces the hidden ones have z > 0.
    enclosed = float(np.einsum("ij,ij->", corners[:, 0], normals)) / 6.0
    if abs(enclosed) > 1e-6 * resolution**3:
        facing = normals[:, 2] * np.sign(enclosed) < 0
        corners, normals = corners[facing], normals[facing]
    lengths = np.linalg.norm(normals, axis=1)
    normals /= np.where(lengths > 0, lengths, 1.0)[:, None]
    # Screen y points down, so the normal's y flips; light both sides (open meshes, inverted parts).
    normals[:, 1] *= -1
    light = _LIGHT / np.linalg.norm(_LIGHT)
    diffuse = np.abs(normals @ light)
    shade = 0.35 + 0.65 * diffuse
    colours = np.clip(_PART_COLOUR[None, :] * shade[:, None] + 40 * diffuse[:, None] ** 8, 0, 255)
    depth = np.full(resolution * resolution, -np.inf)
    owner = np.full(resolution * resolution, -1, dtype=np.int64)
    _rasterise(corners, resolution, depth, owner)
    covered = owner >= 0
    image[covered] = colours[owner[covered]]
    full = image.reshape(resolution, resolution, 3)
    return full.reshape(size, _SUPERSAMPLE, size, _SUPERSAMPLE, 3).mean(axis=(1, 3)).astype(np.uint8)


def _rasterise(corners: np.ndarray, resolution: int, depth: np.ndarray, owner: np.ndarray) -> None:
    """Fill ``depth`` / ``owner`` (flat pixel arrays) with the nearest triangle at each pixel centre.

    Each triangle's barycentric weights and depth are affine in the pixel position, so three small
    planes per triangle are computed once and every candidate pixel costs a few multiply-adds.
    """
    minimum = np.clip(np.floor(corners[:, :, :2].min(axis=1) - 0.5), 0, resolution - 1).astype(np.int64)
    maximum = np.clip(np.ceil(corners[:, :, :2].max(axis=1) - 0.5), 0, resolution - 1).astype(np.int64)
    widths = maximum[:, 0] - minimum[:, 0] + 1
    counts = widths * (maximum[:, 1] - minimum[:, 1] + 1)
    planes = _barycentric_planes(corners)
    start = 0
    while start < len(corners):
        # Chunks bounded by candidate pixels, so one huge triangle cannot exhaust memory.
        cumulative = np.cumsum(counts[start:])
        stop = start + max(1, int(np.searchsorted(cumulative, _CANDIDATE_CHUNK)))
        _rasterise_chunk(np.arange(start, stop), planes, minimum, widths, counts, resolution, depth, owner)
        start = stop


def _barycentric_planes(corners: np.ndarray) -> np.ndarray:
    """(9, m) float32: w_b, w_c and depth as ``(x, y, 1)`` dotted with rows 0-2, 3-5, 6-8; NaN edge-on."""
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    safe = np.where(area != 0, area, np.nan)
    planes = np.empty((len(corners), 3, 3))
    # w_b = ((x - ax)(cy - ay) - (y - ay)(cx - ax)) / area
    planes[:, 0, 0] = (c[:, 1] - a[:, 1]) / safe
    planes[:, 0, 1] = -(c[:, 0] - a[:, 0]) / safe
    planes[:, 0, 2] = -(a[:, 0] * planes[:, 0, 0] + a[:, 1] * planes[:, 0, 1])
    # w_c = ((bx - ax)(y - ay) - (by - ay)(x - ax)) / area
    planes[:, 1, 0] = -(b[:, 1] - a[:, 1]) / safe
    planes[:, 1, 1] = (b[:, 0] - a[:, 0]) / safe
    planes[:, 1, 2] = -(a[:, 0] * planes[:, 1, 0] + a[:, 1] * planes[:, 1, 1])
    # depth = az + w_b (bz - az) + w_c (cz - az)
    planes[:, 2] = planes[:, 0] * (b[:, 2] - a[:, 2])[:, None] + planes[:, 1] * (c[:, 2] - a[:, 2])[:, None]
    planes[:, 2, 2] += a[:, 2]
    # One contiguous row per coefficient: gathering nine 1-D arrays is faster than rows of nine.
    return np.ascontiguousarray(planes.reshape(-1, 9).T, dtype=np.float32)


def _rasterise_chunk(triangles, planes, minimum, widths, counts, resolution, depth, owner) -> None:
    repeats = counts[triangles]
    first = np.cumsum(repeats) - repeats
    triangle = np.repeat(triangles, repeats)
    local = np.arange(int(repeats.sum())) - np.repeat(first, repeats)
    width = widths[triangle]
    x = minimum[triangle, 0] + local % width
    y = minimum[triangle, 1] + local // width
    del local, width
    px = x.astype(np.float32) + np.float32(0.5)
    py = y.astype(np.float32) + np.float32(0.5)
    w_b = planes[0][triangle] * px + planes[1][triangle] * py + planes[2][triangle]
    w_c = planes[3][triangle] * px + planes[4][triangle] * py + planes[5][triangle]
    z = planes[6][triangle] * px + planes[7][triangle] * py + planes[8][triangle]
    tolerance = np.float32(-1e-4)
    inside = (w_b >= tolerance) & (w_c >= tolerance) & (w_b + w_c <= 1 - tolerance)
    # Triangles smaller than a pixel may miss every pixel centre: keep their first pixel too.
    missed = np.add.reduceat(inside, first) == 0
    inside[first[missed]] = True
    z[first[missed]] = np.nan_to_num(z[first[missed]], nan=-np.inf)
    pixel = (y * resolution + x)[inside]
    z = z[inside].astype(np.float64)
    triangle = triangle[inside]
    np.maximum.at(depth, pixel, z)
    winner = z >= depth[pixel]
    owner[pixel[winner]] = triangle[winner]


def write_thumbnail_png(mesh: LoadedMesh, path: str | PathLike, *, size: int = 256) -> None:
    from PIL import Image

    image = render(np.asarray(mesh.vertices), np.asarray(mesh.faces), size=size)
    Image.fromarray(image, mode="RGB").save(path, format="PNG", optimize=True)
