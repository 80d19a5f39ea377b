"""Shared geometry helpers: explicit polygons, manifold3d solids, and the finishing step every template uses.

Circles are always built here with an explicit segment count instead of manifold3d's defaults, because those
defaults are process-wide settings (``set_circular_segments``) that anything else could change, and a
template must give the same bytes for the same parameters.
"""

from __future__ import annotations

import math

import manifold3d
import numpy as np
import trimesh


def segments_for_radius(radius: float, *, facet_error: float, minimum: int = 16) -> int:
    """Segments for a full circle so that no chord strays more than ``facet_error`` from the true circle.

    Rounded up to a multiple of 4 so circles keep vertices on both axes: extents measured along X and Y
    are then the exact diameter.
    """
    if radius <= facet_error:
        return max(minimum, 4)
    exact = math.pi / math.acos(1.0 - facet_error / radius)
    return max(minimum, 4 * math.ceil(exact / 4.0 - 1e-9))


def arc_points(*, center: tuple[float, float], radius: float, start: float, end: float, segments: int) -> np.ndarray:
    """``segments + 1`` points from angle ``start`` to ``end`` (radians), both ends included."""
    angles = np.linspace(start, end, segments + 1)
    return np.column_stack((center[0] + radius * np.cos(angles), center[1] + radius * np.sin(angles)))


def arc_segments(*, radius: float, sweep: float, facet_error: float) -> int:
    """Segments for an arc of ``sweep`` radians with the same chord error as a full circle."""
    full_circle = segments_for_radius(radius, facet_error=facet_error, minimum=4)
    return max(1, math.ceil(full_circle * abs(sweep) / (2 * math.pi) - 1e-9))


def circle_points(*, radius: float, segments: int, center: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """A counter-clockwise circle, first vertex on +X, no repeated closing vertex."""
    return arc_points(center=center, radius=radius, start=0.0, end=2 * math.pi, segments=segments)[:-1]


def rounded_rectangle(*, width: float, depth: float, radius: float, facet_error: float) -> np.ndarray:
    """A counter-clockwise rectangle centred on the origin whose corners are quarter circles of ``radius``.

    The flat sides stay exactly ``width`` and ``depth`` apart whatever the radius.
    """
    half_width, half_depth = width / 2.0, depth / 2.0
    if radius <= 1e-9:
        return np.array(
            [
                [-half_width, -half_depth],
                [half_width, -half_depth],
                [half_width, half_depth],
                [-half_width, half_depth],
            ]
        )
    segments = arc_segments(radius=radius, sweep=math.pi / 2, facet_error=facet_error)
    corners = (
        ((half_width - radius, -half_depth + radius), -math.pi / 2),
        ((half_width - radius, half_depth - radius), 0.0),
        ((-half_width + radius, half_depth - radius), math.pi / 2),
        ((-half_width + radius, -half_depth + radius), math.pi),
    )
    arcs = [
        arc_points(center=center, radius=radius, start=start, end=start + math.pi / 2, segments=segments)
        for center, start in corners
    ]
    points = np.vstack(arcs)
    # Where the radius is half a side, neighbouring arcs share an end point; keep one.
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.linalg.norm(np.diff(points, axis=0), axis=1) > 1e-9
    if np.linalg.norm(points[0] - points[-1]) <= 1e-9:
        keep[-1] = False
    return points[keep]


def cross_section(contours: list[np.ndarray]) -> manifold3d.CrossSection:
    """A 2-D region from counter-clockwise outlines (clockwise ones are holes)."""
    return manifold3d.CrossSection([np.ascontiguousarray(contour, dtype=np.float64) for contour in contours])


def prism(
    outline: np.ndarray, *, height: float, bottom: float = 0.0, offset: tuple[float, float] = (0.0, 0.0)
) -> manifold3d.Manifold:
    """A vertical extrusion of ``outline`` from z = ``bottom`` up by ``height``, moved by ``offset``."""
    solid = manifold3d.Manifold.extrude(cross_section([outline]), height)
    return solid.translate((offset[0], offset[1], bottom))


def profile_in_xz(section: manifold3d.CrossSection, *, width: float) -> manifold3d.Manifold:
    """Extrude a side profile drawn in (x, z) by ``width`` along Y, centred on y = 0."""
    solid = manifold3d.Manifold.extrude(section, width)
    # Rotating +90 degrees about X sends the drawing's y to Z and the extrusion direction to -Y.
    return solid.rotate((90.0, 0.0, 0.0)).translate((0.0, width / 2.0, 0.0))


def finish_manifold(solid: manifold3d.Manifold) -> trimesh.Trimesh:
    """The finished mesh of a manifold3d solid; see :func:`finish_mesh`."""
    if solid.status() != manifold3d.Error.NoError or solid.is_empty():
        raise RuntimeError(f"geometry kernel failed: {solid.status()}")
    mesh = solid.to_mesh64()
    return finish_mesh(
        vertices=np.asarray(mesh.vert_properties, dtype=np.float64)[:, :3],
        faces=np.asarray(mesh.tri_verts, dtype=np.int64),
    )


def finish_mesh(*, vertices: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """Put the piece on the plate (min z = 0, centred in X and Y) and order it canonically.

    Vertices are sorted by position and faces by their vertex numbers (each face rotated to start at its
    lowest number, which keeps its winding), so the bytes depend on the geometry alone and not on the order
    a kernel happened to emit it.
    """
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    lowest = vertices.min(axis=0)
    highest = vertices.max(axis=0)
    shift = np.array([(lowest[0] + highest[0]) / 2.0, (lowest[1] + highest[1]) / 2.0, lowest[2]])
    # Adding 0.0 turns -0.0 into 0.0, which would otherwise make equal meshes differ in their bytes.
    vertices = (vertices - shift) + 0.0

    order = np.lexsort((vertices[:, 2], vertices[:, 1], vertices[:, 0]))
    new_index = np.empty(len(order), dtype=np.int64)
    new_index[order] = np.arange(len(order))
    vertices = vertices[order]
    faces = new_index[faces]
    first = np.argmin(faces, axis=1)
    faces = np.take_along_axis(faces, (first[:, None] + np.arange(3)[None, :]) % 3, axis=1)
    faces = faces[np.lexsort((faces[:, 2], faces[:, 1], faces[:, 0]))]
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
