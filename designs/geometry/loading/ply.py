"""PLY, ASCII and binary (either byte order).

Every element count in the header is checked against the limits and against the bytes that follow
before anything is allocated, so a header claiming 2^31 vertices is refused at once.
"""

import re
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from .polygons import triangulate_polygons
from .raw import RawMesh
from .stl import too_many_faces

_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "i2",
    "int16": "i2",
    "ushort": "u2",
    "uint16": "u2",
    "int": "i4",
    "int32": "i4",
    "uint": "u4",
    "uint32": "u4",
    "float": "f4",
    "float32": "f4",
    "double": "f8",
    "float64": "f8",
}
_HEADER_END = re.compile(rb"end_header[ \t]*\r?\n")
_MAX_HEADER_BYTES = 65536


@dataclass
class _Property:
    name: str
    dtype: str
    count_dtype: str | None = None

    @property
    def is_list(self) -> bool:
        return self.count_dtype is not None


@dataclass
class _Element:
    name: str
    count: int
    properties: list


def _unreadable(detail: str) -> MeshError:
    return MeshError("unreadable", f"The PLY file is damaged: {detail}.")


def _parse_header(data: bytes) -> tuple[str, list, int]:
    match = _HEADER_END.search(data, 0, _MAX_HEADER_BYTES)
    if match is None:
        raise _unreadable("its header has no end_header line")
    lines = data[: match.start()].decode("ascii", "replace").splitlines()
    encoding = None
    elements: list[_Element] = []
    for line in lines[1:]:
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        if words[0] == "format" and len(words) >= 2:
            encoding = words[1]
        elif words[0] == "element" and len(words) == 3:
            try:
                count = int(words[2])
            except ValueError:
                raise _unreadable(f"element {words[1]!r} has a count that is not a number")
            if count < 0:
                raise _unreadable(f"element {words[1]!r} has a negative count")
            elements.append(_Element(words[1], count, []))
        elif words[0] == "property" and elements:
            if len(words) == 5 and words[1] == "list":
                if words[2] not in _TYPES or words[3] not in _TYPES:
                    raise _unreadable(f"unknown property type in {line!r}")
                elements[-1].properties.append(_Property(words[4], _TYPES[words[3]], _TYPES[words[2]]))
            elif len(words) == 3 and words[1] in _TYPES:
                elements[-1].properties.append(_Property(words[2], _TYPES[words[1]]))
            else:
                raise _unreadable(f"unknown property line {line!r}")
    if encoding not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise _unreadable(f"unknown format {encoding!r}")
    return encoding, elements, match.end()


# Elements whose lists are faces: polygons, or triangle strips (``tristrips``, -1 between strips).
_FACE_ELEMENTS = ("face", "tristrips")


def _check_counts(elements: list, body_bytes: int, encoding: str, limits: LoadLimits) -> None:
    for element in elements:
        if element.name == "vertex" and element.count > limits.max_vertices:
            raise MeshError(
                "too_many_vertices",
                f"The PLY header announces {element.count:,} vertices; we accept up to {limits.max_vertices:,}.",
            )
        if element.name == "face" and element.count > limits.max_faces:
            raise too_many_faces(element.count, limits)
        # Each item needs at least one byte per scalar (binary) or two characters (ASCII number + space).
        smallest = sum(
            np.dtype(prop.count_dtype or prop.dtype).itemsize if encoding != "ascii" else 2
            for prop in element.properties
        )
        if element.count * max(smallest, 1) > body_bytes:
            raise MeshError(
                "truncated",
                f"The PLY header announces {element.count:,} {element.name} items but the file is far too "
                "short to hold them; it is damaged or cut off.",
            )


def parse_ply(data: bytes, *, limits: LoadLimits) -> RawMesh:
    encoding, elements, body_start = _parse_header(data)
    body = memoryview(data)[body_start:]
    _check_counts(elements, len(body), encoding, limits)
    names = [element.name for element in elements]
    if "vertex" not in names or not any(name in _FACE_ELEMENTS for name in names):
        raise MeshError("no_faces", "The PLY file has no faces (it may be a point cloud).")
    if encoding == "ascii":
        vertices, items = _read_ascii(bytes(body), elements)
    else:
        vertices, items = _read_binary(body, elements, ">" if encoding.endswith("big_endian") else "<")
    polygons = items.get("face", np.zeros((0, 3), dtype=np.int64))
    if "tristrips" in items:
        strips = strip_triangles(items["tristrips"], vertex_count=len(vertices))
        polygons = _with_triangles(polygons, strips)
    return _assemble(vertices, polygons, limits)


def strip_triangles(strips, *, vertex_count: int) -> np.ndarray:
    """Triangles of PLY triangle strips (scanners write them): each item lists vertex numbers, -1 ends a
    strip. Along a strip every next vertex makes a triangle with the two before it, every second one
    turned so that all keep the strip's winding; triangles on a repeated vertex only join strips and
    are dropped."""
    pieces = [np.append(np.asarray(item, dtype=np.int64).reshape(-1), -1) for item in strips]
    flat = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
    bad = (flat < -1) | (flat >= vertex_count)
    if bad.any():
        raise _bad_indices(int(np.count_nonzero(bad)), vertex_count)
    breaks = flat < 0
    # Position of each index inside its strip: a triangle ends at every index with two before it in the strip.
    strip_number = np.cumsum(breaks)
    strip_start = np.flatnonzero(np.r_[True, breaks[:-1]])
    position = np.arange(len(flat)) - strip_start[strip_number - breaks]
    ends = np.flatnonzero(~breaks & (position >= 2))
    first, second, third = flat[ends - 2], flat[ends - 1], flat[ends]
    odd = position[ends] % 2 == 1
    triangles = np.stack([np.where(odd, second, first), np.where(odd, first, second), third], axis=1)
    joining = (first == second) | (second == third) | (first == third)
    return triangles[~joining]


def _with_triangles(polygons, triangles: np.ndarray):
    if isinstance(polygons, np.ndarray) and polygons.shape[1:] == (3,):
        return np.concatenate([polygons, triangles])
    return list(polygons) + list(triangles)


def _assemble(vertices: np.ndarray, polygons, limits: LoadLimits) -> RawMesh:
    vertex_count = len(vertices)
    if isinstance(polygons, np.ndarray):
        if polygons.size and (polygons.min() < 0 or polygons.max() >= vertex_count):
            bad = int(np.count_nonzero(((polygons < 0) | (polygons >= vertex_count)).any(axis=1)))
            raise _bad_indices(bad, vertex_count)
        faces = polygons if polygons.shape[1] == 3 else triangulate_polygons(vertices, list(polygons))
    else:
        bad = sum(1 for polygon in polygons if len(polygon) and (polygon.min() < 0 or polygon.max() >= vertex_count))
        if bad:
            raise _bad_indices(bad, vertex_count)
        faces = triangulate_polygons(vertices, [polygon for polygon in polygons if len(polygon) >= 3])
    if len(faces) == 0:
        raise MeshError("no_faces", "The PLY file has no faces with three or more corners.")
    if len(faces) > limits.max_faces:
        raise too_many_faces(len(faces), limits)
    return RawMesh(vertices=vertices, faces=faces.astype(np.int64, copy=False), file_format="ply")


def _bad_indices(bad: int, vertex_count: int) -> MeshError:
    return MeshError(
        "bad_indices",
        f"{bad:,} faces of the PLY file refer to vertices that do not exist (it has {vertex_count:,} vertices).",
    )


def _xyz(table: np.ndarray, names: list) -> np.ndarray:
    try:
        columns = [names.index(axis) for axis in ("x", "y", "z")]
    except ValueError:
        raise _unreadable("its vertices have no x, y and z")
    return np.ascontiguousarray(table[:, columns], dtype=np.float64)


def _read_binary(body: memoryview, elements: list, order: str) -> tuple[np.ndarray, dict]:
    offset = 0
    vertices = None
    polygons = {}
    for element in elements:
        if not any(prop.is_list for prop in element.properties):
            dtype = np.dtype([(f"p{i}", order + prop.dtype) for i, prop in enumerate(element.properties)])
            size = dtype.itemsize * element.count
            if offset + size > len(body):
                raise MeshError("truncated", f"The PLY file ends inside its {element.name} data; it is cut off.")
            if element.name == "vertex":
                table = np.frombuffer(body, dtype=dtype, count=element.count, offset=offset)
                columns = np.stack([table[name].astype(np.float64) for name in dtype.names], axis=1)
                vertices = _xyz(columns, [prop.name for prop in element.properties])
            offset += size
            continue
        items, offset = _read_binary_lists(body, element, order, offset)
        if element.name in _FACE_ELEMENTS:
            polygons[element.name] = items
    if vertices is None or not polygons:
        raise MeshError("no_faces", "The PLY file has no faces (it may be a point cloud).")
    return vertices, polygons


def _read_binary_lists(body: memoryview, element: _Element, order: str, offset: int) -> tuple[object, int]:
    """Items with list properties. Fast path: every list has the length of the first one."""
    properties = element.properties
    face_list = next(
        (i for i, prop in enumerate(properties) if prop.is_list and prop.name in ("vertex_indices", "vertex_index")),
        next((i for i, prop in enumerate(properties) if prop.is_list), 0),
    )
    if element.count == 0:
        return np.zeros((0, 3), dtype=np.int64), offset
    first_length = _peek_first_length(body, properties, order, offset)
    fields = []
    for i, prop in enumerate(properties):
        if prop.is_list:
            fields.append((f"n{i}", order + prop.count_dtype))
            if first_length:
                fields.append((f"v{i}", order + prop.dtype, (first_length,)))
        else:
            fields.append((f"p{i}", order + prop.dtype))
    dtype = np.dtype(fields)
    if (
        len(properties)
        and sum(prop.is_list for prop in properties) == 1
        and offset + dtype.itemsize * element.count <= len(body)
    ):
        table = np.frombuffer(body, dtype=dtype, count=element.count, offset=offset)
        if np.all(table[f"n{face_list}"] == first_length):
            polygons = (
                table[f"v{face_list}"].astype(np.int64) if first_length else np.zeros((element.count, 0), np.int64)
            )
            return polygons.reshape(element.count, -1), offset + dtype.itemsize * element.count
    return _read_binary_lists_slowly(body, element, order, offset, face_list)


def _peek_first_length(body: memoryview, properties: list, order: str, offset: int) -> int:
    position = offset
    for prop in properties:
        if prop.is_list:
            count_type = np.dtype(order + prop.count_dtype)
            if position + count_type.itemsize > len(body):
                raise MeshError("truncated", "The PLY file ends inside its face data; it is cut off.")
            return int(np.frombuffer(body, dtype=count_type, count=1, offset=position)[0])
        position += np.dtype(prop.dtype).itemsize
    return 0


def _read_binary_lists_slowly(
    body: memoryview, element: _Element, order: str, offset: int, face_list: int
) -> tuple[list, int]:
    polygons = []
    for _item in range(element.count):
        for i, prop in enumerate(element.properties):
            if prop.is_list:
                count_type = np.dtype(order + prop.count_dtype)
                value_type = np.dtype(order + prop.dtype)
                if offset + count_type.itemsize > len(body):
                    raise MeshError("truncated", "The PLY file ends inside its face data; it is cut off.")
                length = int(np.frombuffer(body, dtype=count_type, count=1, offset=offset)[0])
                offset += count_type.itemsize
                if length < 0 or offset + length * value_type.itemsize > len(body):
                    raise MeshError("truncated", "The PLY file ends inside its face data; it is cut off.")
                if i == face_list and element.name in _FACE_ELEMENTS:
                    polygons.append(np.frombuffer(body, dtype=value_type, count=length, offset=offset).astype(np.int64))
                offset += length * value_type.itemsize
            else:
                offset += np.dtype(prop.dtype).itemsize
    return polygons, offset


def _read_ascii(body: bytes, elements: list) -> tuple[np.ndarray, dict]:
    """All numbers at once (np.fromstring), then walked element by element."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            numbers = np.fromstring(body, dtype=np.float64, sep=" ")
        except (DeprecationWarning, ValueError):
            raise _unreadable("its data holds something that is not a number")
    position = 0
    vertices = None
    polygons = {}
    for element in elements:
        if not any(prop.is_list for prop in element.properties):
            width = len(element.properties)
            end = position + width * element.count
            if end > len(numbers):
                raise MeshError("truncated", f"The PLY file ends inside its {element.name} data; it is cut off.")
            if element.name == "vertex":
                table = numbers[position:end].reshape(element.count, width)
                vertices = _xyz(table, [prop.name for prop in element.properties])
            position = end
            continue
        items, position = _read_ascii_lists(numbers, element, position)
        if element.name in _FACE_ELEMENTS:
            polygons[element.name] = items
    if vertices is None or not polygons:
        raise MeshError("no_faces", "The PLY file has no faces (it may be a point cloud).")
    return vertices, polygons


def _read_ascii_lists(numbers: np.ndarray, element: _Element, position: int) -> tuple[object, int]:
    properties = element.properties
    if element.count == 0:
        return np.zeros((0, 3), dtype=np.int64), position
    simple = len(properties) == 1 and properties[0].is_list
    if simple and position < len(numbers):
        length = int(numbers[position])
        width = length + 1
        end = position + width * element.count
        if length >= 0 and end <= len(numbers):
            block = numbers[position:end].reshape(element.count, width)
            if np.all(block[:, 0] == length):
                return _as_indices(block[:, 1:]), end
    polygons = []
    for _item in range(element.count):
        for prop in properties:
            if position >= len(numbers):
                raise MeshError("truncated", "The PLY file ends inside its face data; it is cut off.")
            if prop.is_list:
                length = int(numbers[position])
                if length < 0 or position + 1 + length > len(numbers):
                    raise MeshError("truncated", "The PLY file ends inside its face data; it is cut off.")
                if prop.name in ("vertex_indices", "vertex_index") or len(properties) == 1:
                    polygons.append(_as_indices(numbers[position + 1 : position + 1 + length]))
                position += 1 + length
            else:
                position += 1
    return polygons, position


def _as_indices(values: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise _unreadable("a face index is not a whole number")
    return values.astype(np.int64)
