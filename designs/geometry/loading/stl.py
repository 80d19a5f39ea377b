"""STL, binary and ASCII. Binary is parsed with one ``np.frombuffer`` over the 50-byte records."""

import re

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from ..units import unit_from_file_word
from .raw import RawMesh

_HEADER_UNITS = re.compile(rb"units?\s*[=:]\s*([a-z]+)", re.IGNORECASE)
_ASCII_VERTEX = re.compile(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)")


def _declared_units(header: bytes) -> str | None:
    """Some CAD tools write the unit in the header ("UNITS=MM" from netfabb, SolidWorks)."""
    match = _HEADER_UNITS.search(header)
    return unit_from_file_word(match.group(1).decode("ascii", "ignore")) if match else None


def too_many_faces(count: int, limits: LoadLimits) -> MeshError:
    return MeshError(
        "too_many_faces",
        f"The model has {count:,} triangles; we accept up to {limits.max_faces:,}. "
        "Please reduce the mesh (decimate it) in your CAD or mesh tool and upload it again.",
    )


def parse_binary_stl(data: bytes, *, limits: LoadLimits) -> RawMesh:
    if len(data) < 84:
        raise MeshError("truncated", "The file is too short to be an STL model (under 84 bytes).")
    declared = int.from_bytes(data[80:84], "little")
    available, remainder = divmod(len(data) - 84, 50)
    raw = RawMesh(vertices=np.zeros((0, 3), np.float32), faces=None, file_format="stl_binary")
    if declared > available:
        raise MeshError(
            "truncated",
            f"The file says it holds {declared:,} triangles but only has room for {available:,}; it was "
            "probably cut off while saving or uploading. Please export it again.",
        )
    count = declared
    if declared < available:
        if remainder == 0 or declared == 0:
            count = available
            raw.warn(
                "stl_count_mismatch",
                f"The STL header says {declared:,} triangles but the file holds {available:,}; "
                f"all {available:,} were read.",
            )
        else:
            raw.warn(
                "stl_trailing_data",
                f"{len(data) - 84 - 50 * declared:,} bytes after the {declared:,} triangles the header "
                "announces were ignored.",
            )
    elif remainder:
        raw.warn("stl_trailing_data", f"{remainder} stray bytes at the end of the file were ignored.", "info")
    if count == 0:
        raise MeshError("no_faces", "The STL file contains no triangles.")
    if count > limits.max_faces:
        raise too_many_faces(count, limits)
    # Bytes 12..48 of each 50-byte record are the three corners: copied once, through a strided view of the
    # file, into plain (n, 3) rows (padding them to 16 bytes for hashing made this copy twice as slow).
    # Adding zero on the way turns -0.0 into +0.0, so equal positions have equal bits and the merge can
    # hash these very rows.
    corners = np.ndarray(shape=(count, 3, 3), dtype="<f4", buffer=data, offset=96, strides=(50, 12, 4))
    vertices = np.empty((3 * count, 3), dtype=np.float32)
    np.add(corners, np.float32(0.0), out=vertices.reshape(count, 3, 3))
    del corners
    raw.vertices = vertices
    raw.words = vertices.view(np.uint32)
    raw.declared_units = _declared_units(data[:80])
    return raw


def parse_ascii_stl(data: bytes, *, limits: LoadLimits) -> RawMesh:
    # Cheap upper bound before building anything: every corner is one "vertex" keyword.
    corner_count = data.count(b"vertex")
    if corner_count // 3 > limits.max_faces:
        raise too_many_faces(corner_count // 3, limits)
    matches = _ASCII_VERTEX.findall(data)
    if not matches:
        raise MeshError("no_faces", "The STL file contains no triangles.")
    if len(matches) % 3:
        raise MeshError(
            "unreadable", "The ASCII STL file has an incomplete triangle (a corner count not divisible by 3)."
        )
    try:
        vertices = np.array(matches).astype(np.float64)
    except ValueError:
        raise MeshError("unreadable", "The ASCII STL file has a corner whose coordinates are not numbers.")
    first_line = data[:200].split(b"\n", 1)[0]
    return RawMesh(vertices=vertices, faces=None, file_format="stl_ascii", declared_units=_declared_units(first_line))
