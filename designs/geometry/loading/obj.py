"""Wavefront OBJ: geometry only.

Materials (``mtllib``), textures and any other file the OBJ names are never opened, so a ``../`` or
absolute path in them cannot make us read outside the upload.
"""

import re

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from .polygons import triangulate_polygons
from .raw import RawMesh
from .stl import too_many_faces

_VERTEX = re.compile(rb"^[ \t]*v[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)", re.MULTILINE)
_FACE = re.compile(rb"^[ \t]*f[ \t]+([^\r\n#]*)", re.MULTILINE)
_REFERENCE_TAIL = re.compile(rb"/[^\s]*")


def parse_obj(data: bytes, *, limits: LoadLimits) -> RawMesh:
    if b"\\\n" in data or b"\\\r\n" in data:
        # A backslash at the end of a line continues the statement on the next line.
        data = data.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")
    vertex_matches = list(_VERTEX.finditer(data))
    if len(vertex_matches) > limits.max_vertices:
        raise MeshError(
            "too_many_vertices", f"The model has {len(vertex_matches):,} vertices; we accept {limits.max_vertices:,}."
        )
    face_matches = list(_FACE.finditer(data))
    if not face_matches:
        raise MeshError("no_faces", "The OBJ file contains no faces (only points or lines).")
    if len(face_matches) > limits.max_faces:
        raise too_many_faces(len(face_matches), limits)
    try:
        vertices = np.array([match.groups() for match in vertex_matches]).astype(np.float64).reshape(-1, 3)
    except ValueError:
        raise MeshError("unreadable", "The OBJ file has a vertex whose coordinates are not numbers.")
    vertex_positions = np.fromiter((match.start() for match in vertex_matches), dtype=np.int64)
    del vertex_matches
    face_positions = np.fromiter((match.start() for match in face_matches), dtype=np.int64)
    face_text = _REFERENCE_TAIL.sub(b"", b"\n".join(match.group(1) for match in face_matches))
    del face_matches
    token_lists = [line.split() for line in face_text.split(b"\n")]
    sizes = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    try:
        flat = np.array([token for tokens in token_lists for token in tokens]).astype(np.int64)
    except (ValueError, OverflowError):
        raise MeshError("unreadable", "The OBJ file has a face with an index that is not a whole number.")
    del token_lists
    vertex_count = len(vertices)
    # Positive indices count from 1; negative ones count back from the last vertex defined so far.
    defined_before = np.repeat(np.searchsorted(vertex_positions, face_positions), sizes)
    resolved = np.where(flat > 0, flat - 1, defined_before + flat)
    invalid = (flat == 0) | (resolved < 0) | (resolved >= vertex_count)
    if invalid.any():
        starts = np.cumsum(sizes) - sizes
        bad = int(np.count_nonzero(np.add.reduceat(invalid, starts[sizes > 0])))
        raise MeshError(
            "bad_indices",
            f"{bad:,} faces of the OBJ file refer to vertices that do not exist (the file has {vertex_count:,} "
            "vertices). The file is damaged; please export it again.",
        )
    usable = sizes >= 3
    if not usable.any():
        raise MeshError("no_faces", "The OBJ file contains no faces with three or more corners.")
    if usable.all() and (sizes == 3).all():
        faces = resolved.reshape(-1, 3)
    else:
        pieces = np.split(resolved, np.cumsum(sizes)[:-1])
        faces = triangulate_polygons(vertices, [piece for piece, keep in zip(pieces, usable, strict=True) if keep])
    if len(faces) > limits.max_faces:
        raise too_many_faces(len(faces), limits)
    return RawMesh(vertices=vertices, faces=faces, file_format="obj")
