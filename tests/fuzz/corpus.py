"""A deterministic corpus of broken and hostile mesh files, for fuzzing the loader and the analysis.

Pure Python + numpy (no Django): the corpus runner imports it in a memory-capped subprocess. Every case is
made from a seeded ``random.Random``, so the same seed gives the same bytes on every machine.

Two sources: small meshes written here in every format (a cube and an icosphere, so header lies and
index tricks can be placed exactly), and the shared real meshes (``../shared/meshes``) when present.
Mutations: byte flips, truncation, duplicated / removed / zeroed chunks, header lies (STL face count,
PLY element counts, OFF counts), NaN / inf / huge coordinates, huge and negative indices, ZIP mutations of
3MF (corrupt members, bomb-like ratios, lying sizes, too many members, entity expansion), JSON mutations
of GLB chunks and OBJ files with odd lines.
"""

import io
import json
import random
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20261125
# Shared meshes above this size get only the cheap byte-level mutations (a readable mutant of a 3 MB file
# costs seconds of analysis, and the loader's size limits are exercised by the generated cases).
LARGE_FILE_BYTES = 1_500_000
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class FuzzCase:
    name: str  # unique: "<base>/<mutation>-<n>"
    extension: str  # the extension the client claims, with the dot
    data: bytes
    mutation: str  # the operator, for grouping results


# ---------------------------------------------------------------------------------------------------------
# Base meshes, written by hand so that every count and offset is known.


def cube() -> tuple[np.ndarray, np.ndarray]:
    vertices = np.array(
        [[0, 0, 0], [20, 0, 0], [20, 20, 0], [0, 20, 0], [0, 0, 20], [20, 0, 20], [20, 20, 20], [0, 20, 20]],
        dtype=np.float64,
    )
    faces = np.array(
        [
            [0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
            [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7],
        ],
        dtype=np.int64,
    )  # fmt: skip
    return vertices, faces


def icosphere(subdivisions: int = 2, radius: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
    golden = (1 + 5**0.5) / 2
    vertices = [
        [-1, golden, 0], [1, golden, 0], [-1, -golden, 0], [1, -golden, 0],
        [0, -1, golden], [0, 1, golden], [0, -1, -golden], [0, 1, -golden],
        [golden, 0, -1], [golden, 0, 1], [-golden, 0, -1], [-golden, 0, 1],
    ]  # fmt: skip
    faces = [
        [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
        [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
        [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
    ]  # fmt: skip
    points = [np.array(vertex, dtype=np.float64) / np.linalg.norm(vertex) for vertex in vertices]
    for _ in range(subdivisions):
        faces = _subdivide(points, faces)
    return np.array(points) * radius + radius, np.array(faces, dtype=np.int64)


def _subdivide(points: list, faces: list) -> list:
    """Split each triangle in four; the new corners are pushed out onto the unit sphere (``points`` grows)."""
    middle: dict[tuple[int, int], int] = {}

    def midpoint(a: int, b: int) -> int:
        key = (min(a, b), max(a, b))
        if key not in middle:
            point = points[a] + points[b]
            points.append(point / np.linalg.norm(point))
            middle[key] = len(points) - 1
        return middle[key]

    finer = []
    for a, b, c in faces:
        ab, bc, ca = midpoint(a, b), midpoint(b, c), midpoint(c, a)
        finer += [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]
    return finer


def binary_stl(vertices, faces, *, header: bytes = b"fuzz corpus binary stl") -> bytes:
    triangles = vertices[faces].astype("<f4")
    records = np.zeros(len(faces), dtype=[("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
    records["corners"] = triangles
    return header.ljust(80, b" ")[:80] + struct.pack("<I", len(faces)) + records.tobytes()


def ascii_stl(vertices, faces) -> bytes:
    lines = ["solid fuzz"]
    for face in faces:
        lines += ["  facet normal 0 0 0", "    outer loop"]
        lines += [f"      vertex {x:g} {y:g} {z:g}" for x, y, z in vertices[face]]
        lines += ["    endloop", "  endfacet"]
    lines.append("endsolid fuzz")
    return ("\n".join(lines) + "\n").encode()


def obj(vertices, faces) -> bytes:
    lines = ["# fuzz corpus", "o part"]
    lines += [f"v {x:g} {y:g} {z:g}" for x, y, z in vertices]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in faces]
    return ("\n".join(lines) + "\n").encode()


def ply_header(vertex_count, face_count, *, fmt: str = "ascii", index_type: str = "int") -> str:
    return (
        f"ply\nformat {fmt} 1.0\ncomment fuzz corpus\nelement vertex {vertex_count}\n"
        "property float x\nproperty float y\nproperty float z\n"
        f"element face {face_count}\nproperty list uchar {index_type} vertex_indices\nend_header\n"
    )


def ascii_ply(vertices, faces) -> bytes:
    body = [f"{x:g} {y:g} {z:g}" for x, y, z in vertices] + [f"3 {a} {b} {c}" for a, b, c in faces]
    return (ply_header(len(vertices), len(faces)) + "\n".join(body) + "\n").encode()


def binary_ply(vertices, faces) -> bytes:
    header = ply_header(len(vertices), len(faces), fmt="binary_little_endian").encode()
    face_records = np.zeros(len(faces), dtype=[("count", "u1"), ("indices", "<i4", 3)])
    face_records["count"] = 3
    face_records["indices"] = faces
    return header + vertices.astype("<f4").tobytes() + face_records.tobytes()


def off(vertices, faces) -> bytes:
    lines = ["OFF", f"{len(vertices)} {len(faces)} 0"]
    lines += [f"{x:g} {y:g} {z:g}" for x, y, z in vertices]
    lines += [f"3 {a} {b} {c}" for a, b, c in faces]
    return ("\n".join(lines) + "\n").encode()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" '
    'Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>'
)


def model_xml(
    vertices, faces, *, unit: str = "millimeter", objects: str | None = None, build: str | None = None
) -> str:
    vertex_text = "".join(f'<vertex x="{x:g}" y="{y:g}" z="{z:g}"/>' for x, y, z in vertices)
    triangle_text = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in faces)
    mesh_object = (
        f'<object id="1" type="model"><mesh><vertices>{vertex_text}</vertices>'
        f"<triangles>{triangle_text}</triangles></mesh></object>"
    )
    resources = objects if objects is not None else mesh_object
    items = build if build is not None else '<item objectid="1"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<model unit="{unit}" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">'
        f"<resources>{resources}</resources><build>{items}</build></model>"
    )


def zip_archive(members: list[tuple[str, bytes]], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        # A duplicated member name is one of the mutations.
        warnings.simplefilter("ignore", UserWarning)
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = compression
            archive.writestr(info, content)
    return buffer.getvalue()


def threemf(vertices, faces, *, model: str | None = None, extra: list[tuple[str, bytes]] = ()) -> bytes:
    text = model if model is not None else model_xml(vertices, faces)
    members = [("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", RELS.encode())]
    members += [("3D/3dmodel.model", text.encode())] + list(extra)
    return zip_archive(members)


def gltf_document(vertices, faces) -> tuple[dict, bytes]:
    positions = vertices.astype("<f4").tobytes()
    indices = faces.astype("<u4").tobytes()
    document = {
        "asset": {"version": "2.0", "generator": "fuzz corpus"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "mode": 4}]}],
        "buffers": [{"byteLength": len(positions) + len(indices)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(positions)},
            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(indices)},
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": len(vertices),
                "type": "VEC3",
                "min": [float(v) for v in vertices.min(axis=0)],
                "max": [float(v) for v in vertices.max(axis=0)],
            },
            {"bufferView": 1, "componentType": 5125, "count": faces.size, "type": "SCALAR"},
        ],
    }
    return document, positions + indices


def glb(document: dict | bytes, binary: bytes, *, version: int = 2, length_delta: int = 0) -> bytes:
    text = document if isinstance(document, bytes) else json.dumps(document, allow_nan=True).encode()
    text += b" " * (-len(text) % 4)
    binary += b"\x00" * (-len(binary) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        chunks += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", version, 12 + len(chunks) + length_delta) + chunks


# ---------------------------------------------------------------------------------------------------------
# Mutations that work on any bytes.


def flip_bytes(data: bytes, rng: random.Random, count: int) -> bytes:
    mutable = bytearray(data)
    for _ in range(count):
        position = rng.randrange(len(mutable))
        mutable[position] ^= 1 << rng.randrange(8)
    return bytes(mutable)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(len(data), 1))]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, max(1, len(data) // 8))]
    at = rng.randrange(len(data))
    return data[:at] + chunk + data[at:]


def remove_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, max(1, len(data) // 8)) :]


def overwrite_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    length = min(rng.randint(1, max(1, len(data) // 10)), len(data) - start)
    filler = rng.choice([b"\x00", b"\xff", b"9", b" "])
    return data[:start] + filler * length + data[start + length :]


def insert_noise(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


GENERIC: list[tuple[str, Callable[[bytes, random.Random], bytes]]] = [
    ("flip1", lambda data, rng: flip_bytes(data, rng, 1)),
    ("flip8", lambda data, rng: flip_bytes(data, rng, 8)),
    ("flip64", lambda data, rng: flip_bytes(data, rng, 64)),
    ("truncate", truncate),
    ("truncate", truncate),
    ("duplicate-chunk", duplicate_chunk),
    ("remove-chunk", remove_chunk),
    ("overwrite-chunk", overwrite_chunk),
    ("insert-noise", insert_noise),
]

# Numbers a careless parser or analysis trips over.
ODD_NUMBERS = ["nan", "-nan", "inf", "-inf", "1e999", "-1e999", "1e308", "1e-320", "-0", "0x10", "1,5", "", "+-1"]
ODD_INDICES = [-1, -(2**31), 2**31, 2**32, 2**63, 10**30, 999_999]


def replace_numbers(data: bytes, rng: random.Random, count: int) -> bytes:
    """Replace ``count`` numeric tokens of a text format with odd numbers."""
    tokens = list(re.finditer(rb"(?<![\w.])-?\d+(\.\d+)?(e[-+]?\d+)?(?![\w.])", data))
    if not tokens:
        return data
    chosen = sorted(rng.sample(tokens, min(count, len(tokens))), key=lambda match: match.start(), reverse=True)
    for match in chosen:
        data = data[: match.start()] + rng.choice(ODD_NUMBERS).encode() + data[match.end() :]
    return data


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


def drop_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    keep = [line for line in lines if rng.random() > 0.2]
    return b"\n".join(keep)


TEXT: list[tuple[str, Callable[[bytes, random.Random], bytes]]] = [
    ("odd-numbers", lambda data, rng: replace_numbers(data, rng, 1)),
    ("odd-numbers", lambda data, rng: replace_numbers(data, rng, 12)),
    ("shuffle-lines", shuffle_lines),
    ("drop-lines", drop_lines),
    ("crlf", lambda data, rng: data.replace(b"\n", b"\r\n")),
    ("bom-and-tabs", lambda data, rng: b"\xef\xbb\xbf" + data.replace(b" ", b"\t")),
]


# ---------------------------------------------------------------------------------------------------------
# Format-specific mutations: (mutation name, bytes) pairs built from a base mesh.


def stl_binary_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    good = binary_stl(vertices, faces)
    count = len(faces)
    for declared in (0, 1, count - 1, count + 1, count * 2, 2**31, 2**32 - 1):
        yield "stl-count-lie", good[:80] + struct.pack("<I", declared) + good[84:]
    for value in (np.nan, np.inf, -np.inf, 1e38, 3.4e38):
        bad = vertices.copy()
        bad[faces[0][0]] = value
        yield "stl-odd-coordinate", binary_stl(bad, faces)
    yield "stl-all-nan", binary_stl(np.full_like(vertices, np.nan), faces)
    yield "stl-one-point", binary_stl(np.zeros_like(vertices), faces)
    yield "stl-tiny", binary_stl(vertices * 1e-30, faces)
    yield "stl-flat", binary_stl(vertices * np.array([1.0, 1.0, 0.0]), faces)
    yield "stl-solid-header", binary_stl(vertices, faces, header=b"solid looks like ascii")
    yield "stl-html-header", binary_stl(vertices, faces, header=b"<!DOCTYPE html><html>")
    yield "stl-header-only", good[:84]
    yield "stl-short-header", good[:50]
    yield "stl-extra-tail", good + b"\x00" * 49
    yield "stl-extra-face", good + good[84:134]


def stl_ascii_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    good = ascii_stl(vertices, faces)
    yield "stl-no-endsolid", good.replace(b"endsolid fuzz\n", b"")
    yield "stl-no-endloop", good.replace(b"endloop", b"", 3)
    yield "stl-four-vertices", good.replace(b"    endloop", b"      vertex 1 2 3\n    endloop", 1)
    yield "stl-two-vertices", re.sub(rb"      vertex [^\n]*\n    endloop", b"    endloop", good, count=1)
    yield "stl-nan-vertex", good.replace(b"vertex 0 0 0", b"vertex nan nan nan", 1)
    yield "stl-inf-vertex", good.replace(b"vertex 0 0 0", b"vertex 1e999 0 0", 1)
    yield "stl-comma-decimals", good.replace(b"vertex 20 ", b"vertex 20,5 ")
    yield "stl-upper-case", good.upper()
    yield "stl-two-solids", good + good.replace(b"fuzz", b"second")
    yield "stl-solid-only", b"solid nothing\nendsolid nothing\n"
    yield "stl-long-name", b"solid " + b"x" * 200_000 + b"\n" + good.split(b"\n", 1)[1]
    yield "stl-unicode-name", good.replace(b"solid fuzz", "solid Würfel 立方体".encode())
    yield "stl-no-facets-keywords", re.sub(rb"\s*(facet normal[^\n]*|endfacet|outer loop|endloop)", b"", good)
    yield "stl-null-bytes", good.replace(b"\n", b"\x00\n", 5)


def obj_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    good = obj(vertices, faces)
    for line in (
        "f 1 2 99999",
        "f 0 1 2",
        "f -1 -2 -3",
        "f -999 1 2",
        "f 1 2",
        "f 1",
        "f",
        "f 1/1/1 2/2/2 3/3/3",
        "f 1//1 2//2 3//3",
        "f 1/ 2/ 3/",
        "f 1 2 3 4 5 6 7 8",
        "f " + " ".join(str(1 + i % 8) for i in range(300)),
        "f 18446744073709551616 1 2",
        "f 1.5 2 3",
        "f a b c",
        "v 1 2",
        "v 1 2 3 4 5 6 7",
        "v nan 0 0",
        "v inf 0 0",
        "v 1e308 1e308 1e308",
        "v 1e400 0 0",
        "v 1 \\\n2 3",
        "mtllib ../../../../etc/passwd",
        "usemtl nothing",
        "l 1 2 3",
        "p 1",
        "vp 0.5 0.5",
        "curv 0 1 1 2",
        "g" * 10_000,
        "# " + "\x00" * 16,
        "vt 0.5 0.5\nvn 0 0 1",
        "s off\no second\ng group",
    ):
        yield "obj-odd-line", good + line.encode() + b"\n"
    yield "obj-vertices-only", b"\n".join(line for line in good.split(b"\n") if not line.startswith(b"f "))
    yield "obj-faces-only", b"\n".join(line for line in good.split(b"\n") if not line.startswith(b"v "))
    yield "obj-relative-indices", obj(vertices, faces - len(vertices) - 1)
    for index in ODD_INDICES:
        yield "obj-odd-index", good + f"f 1 2 {index}\n".encode()
    yield "obj-long-line", b"v " + b"0 " * 300_000 + b"\n" + good
    yield "obj-many-vertices-one-face", b"".join(b"v %d 0 0\n" % i for i in range(20_000)) + b"f 1 2 3\n"


def ply_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    ascii_good, binary_good = ascii_ply(vertices, faces), binary_ply(vertices, faces)
    v, f = len(vertices), len(faces)
    for good, fmt in ((ascii_good, "ascii"), (binary_good, "binary_little_endian")):
        body = good.split(b"end_header\n", 1)[1]
        for vertex_count, face_count in (
            (v + 1, f),
            (v - 1, f),
            (0, f),
            (v, f + 1),
            (v, 0),
            (10**12, f),
            (v, 10**12),
            (-5, f),
        ):
            yield "ply-count-lie", ply_header(vertex_count, face_count, fmt=fmt).encode() + body
        yield "ply-big-endian-body", ply_header(v, f, fmt="binary_big_endian").encode() + body
        yield "ply-version-2", ply_header(v, f, fmt=fmt).replace(" 1.0", " 2.0").encode() + body
        yield "ply-unknown-type", ply_header(v, f, fmt=fmt).replace("float x", "quux x").encode() + body
        yield "ply-no-end-header", ply_header(v, f, fmt=fmt).replace("end_header\n", "").encode() + body
        yield "ply-uint-counts", ply_header(v, f, fmt=fmt).replace("list uchar", "list uint").encode() + body
        yield "ply-double-coords", ply_header(v, f, fmt=fmt).replace("float", "double").encode() + body
        yield (
            "ply-extra-element",
            ply_header(v, f, fmt=fmt).replace("end_header", "element edge 5\nproperty int a\nend_header").encode()
            + body,
        )
        yield (
            "ply-face-first",
            (
                ply_header(v, f, fmt=fmt)
                .replace(f"element vertex {v}\nproperty float x\nproperty float y\nproperty float z\n", "")
                .replace(
                    "end_header",
                    f"element vertex {v}\nproperty float x\nproperty float y\nproperty float z\nend_header",
                )
                .encode()
                + body
            ),
        )
    yield "ply-ascii-says-binary", ascii_good.replace(b"format ascii", b"format binary_little_endian")
    yield "ply-binary-says-ascii", binary_good.replace(b"format binary_little_endian", b"format ascii")
    yield "ply-many-comments", ascii_good.replace(b"comment fuzz corpus\n", b"comment x\n" * 50_000)
    for index in ODD_INDICES[:5]:
        yield "ply-odd-index", ascii_good.replace(b"3 0 2 1", f"3 0 2 {index}".encode(), 1)
    huge_list = ascii_good.replace(b"3 0 2 1", b"255 0 2 1", 1)
    yield "ply-long-face-list", huge_list
    face_start = len(binary_good) - f * 13
    yield "ply-binary-count-255", binary_good[:face_start] + b"\xff" + binary_good[face_start + 1 :]
    yield (
        "ply-binary-negative-index",
        binary_good[: face_start + 1] + struct.pack("<i", -7) + binary_good[face_start + 5 :],
    )


def off_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    good = off(vertices, faces)
    body = good.split(b"\n", 2)[2]
    v, f = len(vertices), len(faces)
    for counts in (
        f"{v + 1} {f} 0",
        f"{v} {f + 1} 0",
        f"{10**12} {f} 0",
        f"{v} {10**12} 0",
        f"-1 {f} 0",
        "a b c",
        f"{v}",
        "",
    ):
        yield "off-count-lie", b"OFF\n" + counts.encode() + b"\n" + body
    yield "off-counts-on-header-line", f"OFF {v} {f} 0\n".encode() + body
    for face in (
        "2 0 1",
        "0",
        "100 " + " ".join(["0"] * 100),
        f"3 0 1 {v + 5}",
        "3 -1 0 1",
        "3 0 1",
        "4 0 1 2 3",
        "3 0 1 2 255 0 0",
    ):
        yield "off-odd-face", good + face.encode() + b"\n"
    for variant in (b"COFF", b"NOFF", b"4OFF", b"STOFF", b"nOFF", b"OFF BINARY", b"CNOFF"):
        yield "off-variant", variant + good[3:]
    yield "off-nan", good.replace(b"\n20 0 0\n", b"\nnan 0 0\n", 1)
    yield "off-comments", good.replace(b"\n", b"\n# comment\n")


CONTAINER = '<model unit="millimeter"><resources>{}</resources><build>{}</build></model>'


def threemf_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    good = threemf(vertices, faces)
    model = model_xml(vertices, faces)
    yield "3mf-unit-inch", threemf(vertices, faces, model=model_xml(vertices, faces, unit="inch"))
    yield "3mf-unit-unknown", threemf(vertices, faces, model=model_xml(vertices, faces, unit="parsec"))
    yield "3mf-no-model", zip_archive([("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", RELS.encode())])
    yield (
        "3mf-rels-elsewhere",
        zip_archive(
            [
                ("_rels/.rels", RELS.replace("/3D/3dmodel.model", "/3D/missing.model").encode()),
                ("3D/other.model", model.encode()),
            ]
        ),
    )
    yield "3mf-truncated-xml", threemf(vertices, faces, model=model[: len(model) // 2])
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 9))
    yield (
        "3mf-billion-laughs",
        threemf(
            vertices,
            faces,
            model=f'<?xml version="1.0"?><!DOCTYPE model [<!ENTITY l0 "lol">{laughs}]>'
            + model.split("?>", 1)[1].replace("<resources>", '<metadata name="Title">&l8;</metadata><resources>'),
        ),
    )
    yield (
        "3mf-external-entity",
        threemf(
            vertices,
            faces,
            model='<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + model.split("?>", 1)[1],
        ),
    )
    for index in ODD_INDICES:
        yield "3mf-odd-index", threemf(vertices, faces, model=model.replace('v3="1"', f'v3="{index}"', 1))
    for number in ("nan", "inf", "1e999", "abc", ""):
        yield "3mf-odd-coordinate", threemf(vertices, faces, model=model.replace('x="20"', f'x="{number}"', 1))
    mesh_object = re.search(r"<object.*</object>", model).group(0)
    yield (
        "3mf-component-cycle",
        threemf(
            vertices,
            faces,
            model=model.replace(
                mesh_object, mesh_object + '<object id="2"><components><component objectid="2"/></components></object>'
            ).replace('objectid="1"', 'objectid="2"'),
        ),
    )
    chain = "".join(
        f'<object id="{n}"><components><component objectid="{n - 1}"/></components></object>' for n in range(2, 60)
    )
    yield (
        "3mf-deep-components",
        threemf(
            vertices,
            faces,
            model=model.replace(mesh_object, mesh_object + chain).replace(
                '<item objectid="1"/>', '<item objectid="59"/>'
            ),
        ),
    )
    many = "".join(f'<component objectid="1" transform="1 0 0 0 1 0 0 0 1 {n} 0 0"/>' for n in range(20_000))
    yield (
        "3mf-many-instances",
        threemf(
            vertices,
            faces,
            model=model.replace(
                mesh_object, mesh_object + f'<object id="2"><components>{many}</components></object>'
            ).replace('<item objectid="1"/>', '<item objectid="2"/>'),
        ),
    )
    yield (
        "3mf-missing-object",
        threemf(vertices, faces, model=model.replace('<item objectid="1"/>', '<item objectid="42"/>')),
    )
    yield "3mf-no-build-items", threemf(vertices, faces, model=model.replace('<item objectid="1"/>', ""))
    for transform in (
        "1 0 0 0 1 0 0 0 1 0 0",
        "nan 0 0 0 1 0 0 0 1 0 0 0",
        "0 0 0 0 0 0 0 0 0 0 0 0",
        "1e300 0 0 0 1e300 0 0 0 1e300 0 0 0",
    ):
        yield (
            "3mf-odd-transform",
            threemf(
                vertices,
                faces,
                model=model.replace('<item objectid="1"/>', f'<item objectid="1" transform="{transform}"/>'),
            ),
        )
    yield "3mf-support-only", threemf(vertices, faces, model=model.replace('type="model"', 'type="support"'))
    # Archive-level mutations.
    yield "3mf-bomb-ratio", threemf(vertices, faces, extra=[("Metadata/padding.bin", b"\x00" * (20 * 1024 * 1024))])
    yield "3mf-many-members", threemf(vertices, faces, extra=[(f"Metadata/{n}.txt", b"") for n in range(10_050)])
    yield (
        "3mf-stored",
        zip_archive(
            [
                ("[Content_Types].xml", CONTENT_TYPES.encode()),
                ("_rels/.rels", RELS.encode()),
                ("3D/3dmodel.model", model.encode()),
            ],
            compression=zipfile.ZIP_STORED,
        ),
    )
    yield (
        "3mf-duplicate-member",
        zip_archive(
            [("_rels/.rels", RELS.encode()), ("3D/3dmodel.model", b"<model/>"), ("3D/3dmodel.model", model.encode())]
        ),
    )
    yield from _zip_header_lies(good)


def _zip_header_lies(archive: bytes) -> Iterator[tuple[str, bytes]]:
    """Central-directory and local-header fields that disagree with the data."""
    central = archive.rfind(b"PK\x01\x02")
    local = archive.find(b"PK\x03\x04")
    # The last member in the central directory is the model (written last).
    size_at = central + 24  # uncompressed size in the central directory entry
    for declared in (0, 1, 2**31, 2**32 - 1):
        yield "3mf-central-size-lie", archive[:size_at] + struct.pack("<I", declared) + archive[size_at + 4 :]
    model_local = archive.rfind(b"PK\x03\x04", 0, central)
    yield "3mf-local-size-lie", archive[: model_local + 22] + struct.pack("<I", 2**31) + archive[model_local + 26 :]
    yield "3mf-encrypted-flag", archive[: central + 8] + b"\x01\x00" + archive[central + 10 :]
    yield "3mf-local-encrypted-flag", archive[: model_local + 6] + b"\x01\x00" + archive[model_local + 8 :]
    yield "3mf-unknown-method", archive[: central + 10] + b"\x63\x00" + archive[central + 12 :]
    yield "3mf-crc-mismatch", archive[: central + 16] + b"\xde\xad\xbe\xef" + archive[central + 20 :]
    yield "3mf-corrupt-deflate", archive[: model_local + 60] + b"\xff" * 40 + archive[model_local + 100 :]
    yield "3mf-no-central-directory", archive[:central]
    yield "3mf-first-local-only", archive[local : local + 200]


def glb_cases(vertices, faces) -> Iterator[tuple[str, bytes]]:
    document, binary = gltf_document(vertices, faces)

    def variant(change: Callable[[dict], object]) -> bytes:
        copy = json.loads(json.dumps(document))
        change(copy)
        return glb(copy, binary)

    edits: list[tuple[str, Callable[[dict], object]]] = [
        ("glb-accessor-count", lambda d: d["accessors"][0].update(count=10**12)),
        ("glb-accessor-count", lambda d: d["accessors"][0].update(count=-3)),
        ("glb-accessor-count", lambda d: d["accessors"][1].update(count=len(faces) * 3 + 3)),
        ("glb-accessor-count", lambda d: d["accessors"][1].update(count="36")),
        ("glb-component-type", lambda d: d["accessors"][0].update(componentType=9999)),
        ("glb-component-type", lambda d: d["accessors"][1].update(componentType=5126)),
        ("glb-component-type", lambda d: d["accessors"][1].update(componentType=5120)),
        ("glb-accessor-type", lambda d: d["accessors"][0].update(type="VEC7")),
        ("glb-accessor-type", lambda d: d["accessors"][0].update(type="MAT4")),
        ("glb-view-offset", lambda d: d["bufferViews"][0].update(byteOffset=10**9)),
        ("glb-view-offset", lambda d: d["bufferViews"][1].update(byteOffset=-4)),
        ("glb-view-length", lambda d: d["bufferViews"][1].update(byteLength=10**9)),
        ("glb-view-stride", lambda d: d["bufferViews"][0].update(byteStride=1)),
        ("glb-view-stride", lambda d: d["bufferViews"][0].update(byteStride=0)),
        ("glb-view-stride", lambda d: d["bufferViews"][0].update(byteStride=252)),
        ("glb-accessor-offset", lambda d: d["accessors"][0].update(byteOffset=2**40)),
        ("glb-missing-view", lambda d: d["accessors"][0].update(bufferView=7)),
        ("glb-no-view", lambda d: d["accessors"][0].pop("bufferView")),
        ("glb-external-uri", lambda d: d["buffers"][0].update(uri="http://example.invalid/model.bin")),
        ("glb-external-uri", lambda d: d["buffers"][0].update(uri="file:///etc/passwd")),
        ("glb-external-uri", lambda d: d["buffers"][0].update(uri="../../secret.bin")),
        ("glb-data-uri", lambda d: d["buffers"][0].update(uri="data:application/octet-stream;base64,!!!!")),
        ("glb-data-uri", lambda d: d["buffers"][0].update(uri="data:application/octet-stream,plain")),
        ("glb-no-buffers", lambda d: d.update(buffers=[])),
        ("glb-buffer-not-object", lambda d: d.update(buffers=[7])),
        (
            "glb-index-beyond",
            lambda d: d["accessors"][1].update(bufferView=0, componentType=5125, count=len(vertices) * 3),
        ),
        ("glb-mode", lambda d: d["meshes"][0]["primitives"][0].update(mode=0)),
        ("glb-mode", lambda d: d["meshes"][0]["primitives"][0].update(mode=1)),
        ("glb-mode", lambda d: d["meshes"][0]["primitives"][0].update(mode=5)),
        ("glb-mode", lambda d: d["meshes"][0]["primitives"][0].update(mode=6)),
        ("glb-mode", lambda d: d["meshes"][0]["primitives"][0].update(mode=99)),
        ("glb-no-indices", lambda d: d["meshes"][0]["primitives"][0].pop("indices")),
        ("glb-no-position", lambda d: d["meshes"][0]["primitives"][0].update(attributes={})),
        ("glb-node-cycle", lambda d: d["nodes"][0].update(children=[0])),
        ("glb-node-cycle", lambda d: d.update(nodes=[{"children": [1]}, {"children": [0], "mesh": 0}])),
        ("glb-deep-nodes", lambda d: d.update(nodes=[{"children": [n + 1]} for n in range(200)] + [{"mesh": 0}])),
        (
            "glb-many-instances",
            lambda d: d.update(nodes=[{"children": list(range(1, 20_001))}] + [{"mesh": 0}] * 20_000),
        ),
        ("glb-node-matrix", lambda d: d["nodes"][0].update(matrix=[float("nan")] * 16)),
        ("glb-node-matrix", lambda d: d["nodes"][0].update(matrix=[0.0] * 16)),
        ("glb-node-matrix", lambda d: d["nodes"][0].update(matrix=[1.0] * 15)),
        ("glb-node-matrix", lambda d: d["nodes"][0].update(scale=[1e308, 1e308, 1e308])),
        ("glb-missing-node", lambda d: d["scenes"][0].update(nodes=[5])),
        ("glb-missing-mesh", lambda d: d["nodes"][0].update(mesh=3)),
        ("glb-no-scenes", lambda d: (d.pop("scenes"), d.pop("scene"))),
        ("glb-empty-mesh", lambda d: d["meshes"][0].update(primitives=[])),
        ("glb-required-extension", lambda d: d.update(extensionsRequired=["KHR_draco_mesh_compression"])),
        ("glb-sparse", lambda d: d["accessors"][0].update(sparse={"count": 1})),
        ("glb-wrong-json-types", lambda d: d.update(meshes={"primitives": 1}, nodes="x")),
        ("glb-wrong-json-types", lambda d: d.update(nodes=[1])),
        ("glb-wrong-json-types", lambda d: d.update(accessors=[1, 2])),
        ("glb-wrong-json-types", lambda d: d.update(bufferViews=["x", "y"])),
        ("glb-wrong-json-types", lambda d: d["meshes"][0].update(primitives=[1])),
        ("glb-wrong-json-types", lambda d: d["meshes"][0]["primitives"][0].update(attributes=[0])),
        ("glb-wrong-json-types", lambda d: d["scenes"][0].update(nodes="abc")),
        ("glb-wrong-json-types", lambda d: d.update(scene="0")),
        ("glb-wrong-json-types", lambda d: d["nodes"][0].update(children="12")),
        ("glb-wrong-json-types", lambda d: d["nodes"][0].update(mesh="0")),
        ("glb-wrong-json-types", lambda d: d["nodes"][0].update(translation="abc")),
        ("glb-wrong-json-types", lambda d: d["nodes"][0].update(rotation=[0, 0, 0])),
        ("glb-wrong-json-types", lambda d: d["accessors"][0].update(min="x", max=None)),
        ("glb-wrong-json-types", lambda d: d["bufferViews"][0].update(buffer="0")),
        ("glb-wrong-json-types", lambda d: d["bufferViews"][0].update(byteOffset=1.5)),
        ("glb-wrong-json-types", lambda d: d.update(asset=None, extensionsRequired="KHR")),
    ]
    for name, change in edits:
        yield name, variant(change)
    text = json.dumps(document).encode()
    yield "glb-json-not-object", glb(b"[1, 2, 3]", binary)
    yield "glb-json-nan", glb(text.replace(b'"count": 8', b'"count": NaN'), binary)
    yield "glb-json-huge-number", glb(text.replace(b'"count": 8', b'"count": 1e400'), binary)
    yield "glb-json-deep", glb(b"[" * 100_000 + b"]" * 100_000, binary)
    yield "glb-json-bad-utf8", glb(text.replace(b"fuzz corpus", b"\xff\xfe\xfd"), binary)
    yield "glb-json-truncated", glb(text[: len(text) // 2], binary)
    good = glb(document, binary)
    yield "glb-version-1", glb(document, binary, version=1)
    yield "glb-length-longer", glb(document, binary, length_delta=1000)
    yield "glb-length-shorter", glb(document, binary, length_delta=-40)
    yield "glb-chunk-length-lie", good[:12] + struct.pack("<I", 2**31) + good[16:]
    json_length = struct.unpack_from("<I", good, 12)[0]
    yield "glb-no-json", good[:12] + good[20 + json_length :]
    yield "glb-no-bin", good[: 20 + json_length]
    yield "glb-two-json", good[:12] + good[12 : 20 + json_length] * 2 + good[20 + json_length :]


SPECIFIC = {
    "stl_binary": (".stl", binary_stl, stl_binary_cases),
    "stl_ascii": (".stl", ascii_stl, stl_ascii_cases),
    "obj": (".obj", obj, obj_cases),
    "ply_ascii": (".ply", ascii_ply, ply_cases),
    "off": (".off", off, off_cases),
    "3mf": (".3mf", threemf, threemf_cases),
    "glb": (".glb", lambda v, f: glb(*gltf_document(v, f)), glb_cases),
}
BINARY_PLY = (".ply", binary_ply)


def _mutants(base: str, extension: str, data: bytes, rng: random.Random, operators) -> Iterator[FuzzCase]:
    for number, (mutation, operator) in enumerate(operators):
        yield FuzzCase(f"{base}/{mutation}-{number}", extension, operator(data, rng), mutation)


def generated_cases(seed: int = SEED) -> list[FuzzCase]:
    """Cases built from the meshes written here: byte-level mutants of each format, and the format-specific
    header lies and odd values placed on the cube."""
    cases = []
    shapes = {"cube": cube(), "icosphere": icosphere()}
    for shape_name, (vertices, faces) in shapes.items():
        writers = {kind: (extension, writer) for kind, (extension, writer, _) in SPECIFIC.items()}
        writers["ply_binary"] = BINARY_PLY
        for kind, (extension, writer) in writers.items():
            data = writer(vertices, faces)
            base = f"{shape_name}.{kind}"
            rng = random.Random(f"{seed}/{base}")
            cases.append(FuzzCase(f"{base}/original", extension, data, "original"))
            operators = GENERIC + (TEXT if kind in ("stl_ascii", "obj", "ply_ascii", "off") else [])
            cases.extend(_mutants(base, extension, data, rng, operators))
    vertices, faces = shapes["cube"]
    for kind, (extension, _writer, specific) in SPECIFIC.items():
        for number, (mutation, data) in enumerate(specific(vertices, faces)):
            cases.append(FuzzCase(f"cube.{kind}/{mutation}-{number}", extension, data, mutation))
    return cases


def _patched_header_cases(name: str, data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Header lies placed in a real file of a known format."""
    suffix = Path(name).suffix.lower()
    if suffix == ".stl" and len(data) >= 84 and data.lstrip()[:5].lower() != b"solid":
        count = struct.unpack_from("<I", data, 80)[0]
        for declared in (count + 1, max(count - 1, 0), 2**32 - 1):
            yield "stl-count-lie", data[:80] + struct.pack("<I", declared) + data[84:]
    elif suffix == ".ply":
        match = re.search(rb"element vertex (\d+)", data)
        if match:
            count = int(match.group(1))
            for declared in (count + 1, count // 2, 10**12):
                yield "ply-count-lie", data[: match.start(1)] + str(declared).encode() + data[match.end(1) :]
    elif suffix == ".off":
        lines = data.split(b"\n", 2)
        if len(lines) == 3:
            for counts in (b"1000000000000 1 0", b"3 99999999 0"):
                yield "off-count-lie", lines[0] + b"\n" + counts + b"\n" + lines[2]
    elif suffix == ".3mf":
        yield from list(_zip_header_lies(data))[:4]
    elif suffix == ".obj":
        yield "obj-odd-index", data + b"\nf 1 2 99999999\n"
        yield "odd-numbers", replace_numbers(data, rng, 20)


def shared_cases(folder: Path | None, names: list[str], seed: int = SEED) -> list[FuzzCase]:
    """Byte-level mutants and header lies of the shared real meshes (each file's original included)."""
    if folder is None:
        return []
    cases = []
    for name in names:
        data = (folder / name).read_bytes()
        extension = Path(name).suffix.lower()
        rng = random.Random(f"{seed}/{name}")
        cases.append(FuzzCase(f"{name}/original", extension, data, "original"))
        operators = GENERIC if len(data) <= LARGE_FILE_BYTES else [GENERIC[1], GENERIC[3], GENERIC[6]]
        cases.extend(_mutants(name, extension, data, rng, operators))
        for number, (mutation, mutated) in enumerate(_patched_header_cases(name, data, rng)):
            cases.append(FuzzCase(f"{name}/{mutation}-h{number}", extension, mutated, mutation))
    return cases


def build_corpus(*, shared_folder: Path | None, shared_names: list[str], seed: int = SEED) -> list[FuzzCase]:
    cases = generated_cases(seed) + shared_cases(shared_folder, shared_names, seed)
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "corpus case names must be unique"
    return cases
