"""glTF 2.0, binary (GLB) or JSON, flattened through its node hierarchy.

Only data inside the upload is read: the GLB's own binary chunk and ``data:`` URIs. A buffer pointing
at any other URI (a relative path, ``file://``, ``http://``) is refused instead of followed; images are
never opened. Every accessor is checked against its buffer's real length before it is viewed.
glTF's unit is the metre by specification, but files exported for printing overwhelmingly hold
millimetres (the shared test files do too), so no unit is declared: a part a few hundredths across is
caught by the unit suspicion instead (see analysis).
"""

import base64
import binascii
import json
import struct

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from .raw import RawMesh
from .stl import too_many_faces

_COMPONENT_TYPES = {5120: "i1", 5121: "u1", 5122: "i2", 5123: "u2", 5125: "u4", 5126: "f4"}
_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
_UNSUPPORTED_EXTENSIONS = {"KHR_draco_mesh_compression", "EXT_meshopt_compression", "KHR_mesh_quantization"}
_MAX_NODE_DEPTH = 64


def _unreadable(detail: str) -> MeshError:
    return MeshError("unreadable", f"The glTF model is damaged: {detail}.")


def parse_glb(data: bytes, *, limits: LoadLimits) -> RawMesh:
    if len(data) < 20:
        raise MeshError("truncated", "The GLB file is too short to hold a model.")
    _magic, version, length = struct.unpack_from("<4sII", data, 0)
    if version != 2:
        raise MeshError("unsupported", f"Only glTF 2 is supported (this GLB is version {version}).")
    if length > len(data):
        raise MeshError("truncated", "The GLB file is shorter than its header says; it is cut off.")
    position = 12
    document = None
    binary = b""
    while position + 8 <= length:
        chunk_length, chunk_type = struct.unpack_from("<II", data, position)
        chunk = data[position + 8 : position + 8 + chunk_length]
        if len(chunk) != chunk_length:
            raise MeshError("truncated", "The GLB file ends inside a chunk; it is cut off.")
        if chunk_type == 0x4E4F534A and document is None:
            document = _json(chunk)
        elif chunk_type == 0x004E4942 and not binary:
            binary = chunk
        # Chunks should be padded to four bytes inside their length; some writers do not, so no skipping.
        position += 8 + chunk_length
    if document is None:
        raise _unreadable("it has no JSON chunk")
    return _flatten(document, binary, limits, "glb")


def parse_gltf(data: bytes, *, limits: LoadLimits) -> RawMesh:
    return _flatten(_json(data), b"", limits, "gltf")


def _json(chunk: bytes) -> dict:
    try:
        document = json.loads(chunk.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _unreadable("its JSON part cannot be read")
    if not isinstance(document, dict):
        raise _unreadable("its JSON part is not an object")
    return document


def _buffers(document: dict, binary: bytes) -> list[bytes]:
    result = []
    for index, buffer in enumerate(document.get("buffers", [])):
        uri = buffer.get("uri") if isinstance(buffer, dict) else None
        if uri is None:
            if index != 0 or not binary:
                raise _unreadable(f"buffer {index} has no data")
            result.append(binary)
        elif isinstance(uri, str) and uri.startswith("data:"):
            _header, _comma, payload = uri.partition(",")
            if ";base64" not in _header:
                raise MeshError("unsupported", "The glTF model has a data URI that is not base64.")
            try:
                result.append(base64.b64decode(payload, validate=True))
            except (binascii.Error, ValueError):
                raise _unreadable(f"buffer {index} holds invalid base64 data")
        else:
            raise MeshError(
                "external_reference",
                f"The glTF model keeps its geometry in another file ({str(uri)[:80]!r}), which we cannot read. "
                "Please export a single self-contained .glb file.",
            )
    return result


def _accessor(document: dict, buffers: list[bytes], index, *, limits: LoadLimits) -> np.ndarray:
    accessors = document.get("accessors", [])
    if not isinstance(index, int) or not 0 <= index < len(accessors):
        raise _unreadable(f"it refers to accessor {index!r}, which does not exist")
    accessor = accessors[index]
    if "sparse" in accessor:
        raise MeshError("unsupported", "The glTF model uses sparse accessors, which we do not read.")
    component = _COMPONENT_TYPES.get(accessor.get("componentType"))
    width = _WIDTHS.get(accessor.get("type"))
    count = accessor.get("count")
    if component is None or width is None or not isinstance(count, int) or count < 0:
        raise _unreadable(f"accessor {index} has an unknown layout")
    if count > 3 * limits.max_faces:
        raise too_many_faces(count // 3, limits)
    view_index = accessor.get("bufferView")
    if view_index is None:
        return np.zeros((count, width), dtype=component)
    views = document.get("bufferViews", [])
    if not isinstance(view_index, int) or not 0 <= view_index < len(views):
        raise _unreadable(f"accessor {index} refers to a missing buffer view")
    view = views[view_index]
    buffer_index = view.get("buffer")
    if not isinstance(buffer_index, int) or not 0 <= buffer_index < len(buffers):
        raise _unreadable(f"buffer view {view_index} refers to a missing buffer")
    buffer = buffers[buffer_index]
    view_offset = int(view.get("byteOffset", 0))
    view_length = int(view.get("byteLength", 0))
    if view_offset < 0 or view_length < 0 or view_offset + view_length > len(buffer):
        raise _unreadable(f"buffer view {view_index} reaches past the end of its buffer")
    item_size = np.dtype(component).itemsize * width
    stride = int(view.get("byteStride") or item_size)
    offset = int(accessor.get("byteOffset", 0))
    if count and (stride < item_size or offset < 0 or offset + stride * (count - 1) + item_size > view_length):
        raise _unreadable(f"accessor {index} reaches past the end of its buffer view")
    region = np.frombuffer(buffer, dtype=np.uint8, count=view_length, offset=view_offset)
    if count == 0:
        return np.zeros((0, width), dtype=component)
    rows = np.lib.stride_tricks.as_strided(region[offset:], shape=(count, item_size), strides=(stride, 1))
    return np.ascontiguousarray(rows).view("<" + component).reshape(count, width)


def _node_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        values = np.asarray(node["matrix"], dtype=np.float64)
        if values.shape != (16,):
            raise _unreadable("a node matrix does not have 16 numbers")
        return values.reshape(4, 4).T
    matrix = np.eye(4)
    x, y, z, w = np.asarray(node.get("rotation", [0, 0, 0, 1]), dtype=np.float64)
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    matrix[:3, :3] = rotation * np.asarray(node.get("scale", [1, 1, 1]), dtype=np.float64)
    matrix[:3, 3] = np.asarray(node.get("translation", [0, 0, 0]), dtype=np.float64)
    return matrix


def _primitive_faces(mode: int, indices: np.ndarray) -> np.ndarray:
    if mode == 4:
        usable = len(indices) - len(indices) % 3
        return indices[:usable].reshape(-1, 3)
    if mode == 5 and len(indices) >= 3:
        faces = np.stack([indices[:-2], indices[1:-1], indices[2:]], axis=1)
        faces[1::2] = faces[1::2][:, [1, 0, 2]]
        return faces
    if mode == 6 and len(indices) >= 3:
        return np.stack([np.full(len(indices) - 2, indices[0]), indices[1:-1], indices[2:]], axis=1)
    return np.zeros((0, 3), dtype=np.int64)


def _flatten(document: dict, binary: bytes, limits: LoadLimits, file_format: str) -> RawMesh:
    required = set(document.get("extensionsRequired", []) or [])
    blocked = required & _UNSUPPORTED_EXTENSIONS
    if blocked:
        raise MeshError(
            "unsupported",
            f"The glTF model is compressed with {', '.join(sorted(blocked))}, which we do not read; "
            "please export it without compression.",
        )
    buffers = _buffers(document, binary)
    meshes = document.get("meshes", [])
    nodes = document.get("nodes", [])
    scenes = document.get("scenes", [])
    scene_index = document.get("scene", 0)
    if scenes and isinstance(scene_index, int) and 0 <= scene_index < len(scenes):
        roots = scenes[scene_index].get("nodes", [])
    else:
        children = {child for node in nodes for child in node.get("children", [])}
        roots = [index for index in range(len(nodes)) if index not in children]
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    totals = {"faces": 0, "instances": 0}
    cache: dict[int, list] = {}

    def mesh_parts(mesh_index: int) -> list:
        if mesh_index not in cache:
            if not isinstance(mesh_index, int) or not 0 <= mesh_index < len(meshes):
                raise _unreadable(f"a node refers to mesh {mesh_index!r}, which does not exist")
            parts = []
            for primitive in meshes[mesh_index].get("primitives", []):
                position_index = primitive.get("attributes", {}).get("POSITION")
                if position_index is None:
                    continue
                positions = _accessor(document, buffers, position_index, limits=limits)
                if positions.shape[1] != 3 or positions.dtype != np.float32:
                    raise MeshError("unsupported", "The glTF model stores positions in a form we do not read.")
                if "indices" in primitive:
                    indices = _accessor(document, buffers, primitive["indices"], limits=limits).reshape(-1)
                    if indices.dtype.kind == "f":
                        raise _unreadable("its indices are not whole numbers")
                    indices = indices.astype(np.int64)
                else:
                    indices = np.arange(len(positions), dtype=np.int64)
                faces = _primitive_faces(int(primitive.get("mode", 4)), indices)
                if faces.size and (faces.min() < 0 or faces.max() >= len(positions)):
                    bad = int(np.count_nonzero(((faces < 0) | (faces >= len(positions))).any(axis=1)))
                    raise MeshError(
                        "bad_indices",
                        f"{bad:,} triangles of the glTF model refer to vertices that do not exist.",
                    )
                if len(faces):
                    parts.append((positions.astype(np.float64), faces))
            cache[mesh_index] = parts
        return cache[mesh_index]

    def visit(node_index, matrix: np.ndarray, path: tuple) -> None:
        if not isinstance(node_index, int) or not 0 <= node_index < len(nodes):
            raise _unreadable(f"it refers to node {node_index!r}, which does not exist")
        if node_index in path or len(path) > _MAX_NODE_DEPTH:
            raise _unreadable("its node hierarchy loops or nests too deeply")
        node = nodes[node_index]
        world = matrix @ _node_matrix(node)
        if "mesh" in node:
            for positions, faces in mesh_parts(node["mesh"]):
                totals["faces"] += len(faces)
                totals["instances"] += 1
                if totals["faces"] > limits.max_faces:
                    raise too_many_faces(totals["faces"], limits)
                if totals["instances"] > limits.max_instances:
                    raise MeshError(
                        "too_many_faces", f"The glTF model places more than {limits.max_instances:,} meshes."
                    )
                # A mirroring transform turns the surface inside out unless the winding is reversed too.
                oriented = faces[:, ::-1] if np.linalg.det(world[:3, :3]) < 0 else faces
                pieces.append((positions @ world[:3, :3].T + world[:3, 3], oriented))
        for child in node.get("children", []):
            visit(child, world, (*path, node_index))

    for root in roots:
        visit(root, np.eye(4), ())
    if not pieces and meshes and not nodes:
        for mesh_index in range(len(meshes)):
            pieces.extend(mesh_parts(mesh_index))
    if not pieces:
        raise MeshError("no_faces", "The glTF model contains no triangles.")
    offsets = np.cumsum([0] + [len(positions) for positions, _faces in pieces[:-1]])
    vertices = np.concatenate([positions for positions, _faces in pieces])
    faces = np.concatenate([faces + offset for (_positions, faces), offset in zip(pieces, offsets, strict=True)])
    raw = RawMesh(vertices=vertices, faces=faces, file_format=file_format)
    raw.metadata["objects"] = len(pieces)
    return raw
