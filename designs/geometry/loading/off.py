"""OFF (Object File Format): a count line, the vertices, then polygons as "n i1 ... in [colour]"."""

import re
import warnings

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from .polygons import triangulate_polygons
from .raw import RawMesh
from .stl import too_many_faces

_COMMENT = re.compile(rb"#[^\n]*")


def _numbers(text: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            return np.fromstring(text, dtype=np.float64, sep=" ")
        except (DeprecationWarning, ValueError):
            raise MeshError("unreadable", "The OFF file holds something that is not a number where numbers belong.")


def parse_off(data: bytes, *, limits: LoadLimits) -> RawMesh:
    if b"#" in data:
        data = _COMMENT.sub(b"", data)
    lines = [line for line in data.splitlines() if line.strip()]
    if not lines:
        raise MeshError("no_faces", "The OFF file is empty.")
    keyword, _, rest = lines[0].strip().partition(b" ")
    if not keyword.endswith(b"OFF"):
        # "OFF3 4 1" style: the counts glued to the keyword line are handled by the partition above.
        raise MeshError("unreadable", "The OFF file does not start with the OFF keyword.")
    count_line = rest.strip() or (lines[1] if len(lines) > 1 else b"")
    body_start = 1 if rest.strip() else 2
    counts = count_line.split()
    try:
        vertex_count, face_count = int(counts[0]), int(counts[1])
    except (IndexError, ValueError):
        raise MeshError("unreadable", "The OFF file has no readable vertex and face counts.")
    if vertex_count < 0 or face_count < 0:
        raise MeshError("unreadable", "The OFF file has negative counts.")
    if vertex_count > limits.max_vertices:
        raise MeshError(
            "too_many_vertices", f"The OFF file announces {vertex_count:,} vertices; we accept {limits.max_vertices:,}."
        )
    if face_count > limits.max_faces:
        raise too_many_faces(face_count, limits)
    if body_start + vertex_count + face_count > len(lines):
        raise MeshError(
            "truncated",
            f"The OFF file announces {vertex_count:,} vertices and {face_count:,} faces but has only "
            f"{len(lines) - body_start:,} lines of data; it is cut off.",
        )
    vertex_lines = lines[body_start : body_start + vertex_count]
    numbers = _numbers(b" ".join(vertex_lines))
    if vertex_count and len(numbers) % vertex_count == 0 and len(numbers) // vertex_count >= 3:
        vertices = numbers.reshape(vertex_count, -1)[:, :3].copy()
    else:
        rows = [_numbers(line)[:3] for line in vertex_lines]
        if any(len(row) < 3 for row in rows):
            raise MeshError("unreadable", "An OFF vertex line has fewer than three coordinates.")
        vertices = np.array(rows, dtype=np.float64).reshape(-1, 3)
    face_lines = lines[body_start + vertex_count : body_start + vertex_count + face_count]
    polygons = []
    for line in face_lines:
        values = _numbers(line)
        if len(values) == 0:
            continue
        corner_count = int(values[0])
        if corner_count < 0 or len(values) < 1 + corner_count:
            raise MeshError("unreadable", "An OFF face line lists fewer vertices than it announces.")
        polygons.append(values[1 : 1 + corner_count].astype(np.int64))
    bad = sum(1 for polygon in polygons if len(polygon) and (polygon.min() < 0 or polygon.max() >= vertex_count))
    if bad:
        raise MeshError(
            "bad_indices",
            f"{bad:,} faces of the OFF file refer to vertices that do not exist (it has {vertex_count:,} vertices).",
        )
    faces = triangulate_polygons(vertices, [polygon for polygon in polygons if len(polygon) >= 3])
    if len(faces) == 0:
        raise MeshError("no_faces", "The OFF file has no faces with three or more corners.")
    if len(faces) > limits.max_faces:
        raise too_many_faces(len(faces), limits)
    return RawMesh(vertices=vertices, faces=faces, file_format="off")
