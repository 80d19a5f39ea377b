"""Small meshes with known answers, and writers for every file format the loader reads."""

import io
import json
import struct
import zipfile
import zlib

import numpy as np

from designs.geometry import LoadedMesh, MaterialSpec

PLA = MaterialSpec(
    code="pla",
    name="PLA",
    process="fdm",
    min_wall_mm=0.8,
    min_detail_mm=0.4,
    build_volume_mm=(200.0, 200.0, 200.0),
    needs_support=True,
)
PETG = MaterialSpec(
    code="petg",
    name="PETG",
    process="fdm",
    min_wall_mm=0.8,
    min_detail_mm=0.4,
    build_volume_mm=(200.0, 200.0, 250.0),
    needs_support=True,
)
RESIN = MaterialSpec(
    code="resin",
    name="Standard resin",
    process="sla",
    min_wall_mm=0.5,
    min_detail_mm=0.2,
    build_volume_mm=(130.0, 80.0, 150.0),
    needs_support=True,
)
NYLON = MaterialSpec(
    code="nylon",
    name="Nylon PA12",
    process="sls",
    min_wall_mm=0.7,
    min_detail_mm=0.3,
    build_volume_mm=(300.0, 300.0, 300.0),
    needs_support=False,
)
MATERIALS = (PLA, PETG, RESIN, NYLON)

# Corners of the unit cube and its 12 outward triangles (counter-clockwise seen from outside).
_CUBE_CORNERS = np.array(
    [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=np.float64
)
_CUBE_FACES = np.array(
    [
        [0, 2, 1], [0, 3, 2],  # bottom (z = 0), facing -z
        [4, 5, 6], [4, 6, 7],  # top, facing +z
        [0, 1, 5], [0, 5, 4],  # front (y = 0), facing -y
        [2, 3, 7], [2, 7, 6],  # back, facing +y
        [1, 2, 6], [1, 6, 5],  # right (x = 1), facing +x
        [3, 0, 4], [3, 4, 7],  # left, facing -x
    ],
    dtype=np.int64,
)  # fmt: skip


def box(size=(10.0, 10.0, 10.0), origin=(0.0, 0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """An axis-aligned box with outward faces: (vertices, faces)."""
    vertices = _CUBE_CORNERS * np.asarray(size, dtype=np.float64) + np.asarray(origin, dtype=np.float64)
    return vertices, _CUBE_FACES.copy()


def combine(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    vertices, faces, offset = [], [], 0
    for part_vertices, part_faces in parts:
        vertices.append(part_vertices)
        faces.append(part_faces + offset)
        offset += len(part_vertices)
    return np.concatenate(vertices), np.concatenate(faces)


def hollow_box(size: float, wall: float) -> tuple[np.ndarray, np.ndarray]:
    """A closed box with a sealed cavity: outer surface outward, cavity surface facing into the cavity."""
    outer = box((size, size, size))
    inner_vertices, inner_faces = box((size - 2 * wall,) * 3, (wall, wall, wall))
    return combine(outer, (inner_vertices, inner_faces[:, ::-1]))


def t_shape() -> tuple[np.ndarray, np.ndarray]:
    """A T: stem 10 x 10 x 20 mm under a bar 30 x 10 x 5 mm, one closed surface (manifold3d union).

    Standing upright, the bar's underside outside the stem (30 x 10 - 10 x 10 = 200 mm2) overhangs
    20 mm above the bed, so support is 200 mm2 x 20 mm = 4000 mm3.
    """
    import manifold3d

    stem = manifold3d.Manifold.cube([10.0, 10.0, 20.0]).translate([10.0, 0.0, 0.0])
    bar = manifold3d.Manifold.cube([30.0, 10.0, 5.0]).translate([0.0, 0.0, 20.0])
    mesh = (stem + bar).to_mesh()
    return np.asarray(mesh.vert_properties[:, :3], dtype=np.float64), np.asarray(mesh.tri_verts, dtype=np.int64)


def loaded(vertices: np.ndarray, faces: np.ndarray) -> LoadedMesh:
    return LoadedMesh(vertices=vertices, faces=faces, file_format="test")


def binary_stl(
    vertices: np.ndarray, faces: np.ndarray, *, header: bytes = b"binary", count: int | None = None
) -> bytes:
    triangles = np.asarray(vertices, dtype=np.float64)[faces].astype("<f4")
    records = np.zeros(len(faces), dtype=[("normal", "<f4", (3,)), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
    records["corners"] = triangles
    declared = len(faces) if count is None else count
    return header.ljust(80, b" ")[:80] + struct.pack("<I", declared) + records.tobytes()


def ascii_stl(vertices: np.ndarray, faces: np.ndarray, *, name: str = "part") -> bytes:
    lines = [f"solid {name}"]
    for face in faces:
        lines.append("  facet normal 0 0 0\n    outer loop")
        lines.extend(
            f"      vertex {float(x)!r} {float(y)!r} {float(z)!r}"
            for x, y, z in np.asarray(vertices, dtype=np.float64)[face]
        )
        lines.append("    endloop\n  endfacet")
    lines.append(f"endsolid {name}")
    return "\n".join(lines).encode()


def obj_text(vertices: np.ndarray, polygons, *, header: str = "") -> bytes:
    lines = [header] if header else []
    lines.extend(f"v {float(x)!r} {float(y)!r} {float(z)!r}" for x, y, z in vertices)
    lines.extend("f " + " ".join(str(index) for index in polygon) for polygon in polygons)
    return ("\n".join(lines) + "\n").encode()


def off_text(vertices: np.ndarray, polygons) -> bytes:
    lines = ["OFF", f"{len(vertices)} {len(polygons)} 0"]
    lines.extend(f"{float(x)!r} {float(y)!r} {float(z)!r}" for x, y, z in vertices)
    lines.extend(f"{len(polygon)} " + " ".join(str(index) for index in polygon) for polygon in polygons)
    return ("\n".join(lines) + "\n").encode()


def ply_bytes(
    vertices: np.ndarray, faces: np.ndarray, *, encoding: str = "binary_little_endian", vertex_count=None
) -> bytes:
    declared = len(vertices) if vertex_count is None else vertex_count
    header = (
        f"ply\nformat {encoding} 1.0\ncomment test\nelement vertex {declared}\nproperty float x\nproperty float y\n"
        f"property float z\nelement face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n"
    ).encode()
    if encoding == "ascii":
        body = "".join(f"{float(x)!r} {float(y)!r} {float(z)!r}\n" for x, y, z in vertices)
        body += "".join(f"{len(face)} " + " ".join(str(index) for index in face) + "\n" for face in faces)
        return header + body.encode()
    order = ">" if encoding == "binary_big_endian" else "<"
    vertex_block = np.asarray(vertices, dtype=order + "f4").tobytes()
    face_records = np.zeros(len(faces), dtype=[("count", "u1"), ("indices", order + "i4", (3,))])
    face_records["count"] = 3
    face_records["indices"] = faces
    return header + vertex_block + face_records.tobytes()


def model_xml(
    objects: list[tuple[int, np.ndarray, np.ndarray]],
    *,
    unit: str = "millimeter",
    build: str | None = None,
    extra_objects: str = "",
    prolog: str = "",
) -> bytes:
    """A 3MF model part: ``objects`` are (id, vertices, faces); ``build`` defaults to one item per object."""
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}',
        f'<model unit="{unit}" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">',
        "<resources>",
    ]
    for object_id, vertices, faces in objects:
        parts.append(f'<object id="{object_id}" type="model"><mesh><vertices>')
        parts.extend(f'<vertex x="{float(x)!r}" y="{float(y)!r}" z="{float(z)!r}" />' for x, y, z in vertices)
        parts.append("</vertices><triangles>")
        parts.extend(f'<triangle v1="{a}" v2="{b}" v3="{c}" />' for a, b, c in faces)
        parts.append("</triangles></mesh></object>")
    parts.append(extra_objects)
    parts.append("</resources>")
    if build is None:
        build = "".join(f'<item objectid="{object_id}" />' for object_id, _v, _f in objects)
    parts.append(f"<build>{build}</build></model>")
    return "".join(parts).encode()


_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" '
    b'Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel" /></Relationships>'
)


def three_mf(model: bytes, *, extra_members: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", _RELATIONSHIPS)
        archive.writestr("3D/3dmodel.model", model)
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(*, inflated_bytes: int, declared_size: int | None = None, name: str = "3D/3dmodel.model") -> bytes:
    """A ZIP whose one member inflates to ``inflated_bytes`` of zeros (built without ever holding them).

    Identical deflate blocks separated by full flushes decode independently, so one compressed megabyte
    of zeros repeated N times is a valid stream of N MB. ``declared_size`` makes the central directory
    lie (the member's own header keeps the true size).
    """
    chunk = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = inflated_bytes // chunk
    stream = block * repeats + b"\x03\x00"
    crc = 0
    zero_chunk = b"\0" * chunk
    for _ in range(repeats):
        crc = zlib.crc32(zero_chunk, crc)
    true_size = repeats * chunk
    size = true_size if declared_size is None else declared_size
    encoded = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), true_size, len(encoded), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(stream), size, len(encoded), 0, 0, 0, 0, 0, 0
    )
    directory_offset = len(local) + len(encoded) + len(stream)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded), directory_offset, 0)
    return local + encoded + stream + central + encoded + end


def glb(document: dict, binary: bytes = b"") -> bytes:
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    binary += b"\0" * (-len(binary) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        chunks += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def gltf_document(
    vertices: np.ndarray, faces: np.ndarray, *, nodes=None, buffer_uri: str | None = None
) -> tuple[dict, bytes]:
    """A one-mesh glTF document and its binary buffer (float32 positions, uint32 indices)."""
    positions = np.asarray(vertices, dtype="<f4").tobytes()
    indices = np.asarray(faces, dtype="<u4").tobytes()
    buffer = {"byteLength": len(positions) + len(indices)}
    if buffer_uri is not None:
        buffer["uri"] = buffer_uri
    document = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": nodes or [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [buffer],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(positions)},
            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(indices)},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(vertices), "type": "VEC3"},
            {"bufferView": 1, "componentType": 5125, "count": int(np.size(faces)), "type": "SCALAR"},
        ],
    }
    return document, positions + indices
