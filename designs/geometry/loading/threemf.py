"""3MF: a ZIP archive whose model part lists vertices, triangles, components and build items.

trimesh's reader inflates every archive member whole (a zip bomb goes straight to memory) and does not
apply the model's ``unit``, so this reader is our own. Archive members are read through ``SafeArchive``;
declarations are refused (``safexml``). The model XML is machine-written and flat, so it is scanned with
regular expressions per attribute: about six times faster than an element-by-element lxml walk and it
never expands anything (no entity is ever resolved).
"""

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from ..units import unit_from_file_word
from .archive import SafeArchive
from .raw import RawMesh
from .safexml import parse_small_xml, reject_declarations
from .stl import too_many_faces

_MODEL_RELATIONSHIP = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_MODEL = re.compile(rb"<" + _PREFIX + rb"model\b([^>]*)>")
_OBJECT_OPEN = re.compile(rb"<" + _PREFIX + rb"object\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
_OBJECT_CLOSE = re.compile(rb"</" + _PREFIX + rb"object\s*>")
_BUILD = re.compile(rb"<" + _PREFIX + rb"build\b[^>]*>(.*?)</" + _PREFIX + rb"build\s*>", re.DOTALL)
_ITEM = re.compile(rb"<" + _PREFIX + rb"item\b([^>]*)>")
_COMPONENT = re.compile(rb"<" + _PREFIX + rb"component\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_MAX_DEPTH = 16
_SKIPPED_TYPES = {"support", "other"}


def _section(content: bytes, name: bytes) -> bytes:
    opening = re.search(rb"<" + _PREFIX + name + rb"\b[^>]*?(/?)>", content)
    if opening is None or opening.group(1):
        return b""
    closing = re.compile(rb"</" + _PREFIX + name + rb"\s*>").search(content, opening.end())
    if closing is None:
        raise MeshError("unreadable", f"The 3MF model is damaged: <{name.decode()}> is never closed.")
    return content[opening.end() : closing.start()]


def _attributes(text: bytes) -> dict[str, str]:
    result = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).decode("ascii", "replace")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        result[name] = value.decode("utf-8", "replace")
        local = name.rsplit(":", 1)[-1]
        result.setdefault(local, result[name])
    return result


def _count_tags(section: bytes, name: bytes) -> int:
    # The plain spelling has a literal prefix the regex engine finds fast; prefixed tags are rare.
    plain = len(re.findall(rb"<" + name + rb"[\s/>]", section))
    return plain or len(re.findall(rb"<" + _PREFIX + name + rb"[\s/>]", section))


def _values(section: bytes, attribute: bytes, expected: int, kind: str) -> np.ndarray:
    found = re.findall(rb" " + attribute + rb'="([^"]*)"', section)
    if len(found) != expected:
        found = re.findall(rb"\s" + attribute + rb"\s*=\s*[\"']([^\"']*)[\"']", section)
    if len(found) != expected:
        raise MeshError(
            "unreadable",
            f"The 3MF model is damaged: {expected:,} {kind} but {len(found):,} {attribute.decode()} values.",
        )
    try:
        return np.array(found).astype(np.float64 if kind == "vertices" else np.int64)
    except (ValueError, OverflowError):
        raise MeshError("unreadable", f"The 3MF model has {kind} with values that are not numbers.")


def _transform(text: str | None) -> np.ndarray:
    """3MF's 12 numbers (row-vector convention) as a 4x4 matrix; identity when absent."""
    matrix = np.eye(4)
    if not text:
        return matrix
    try:
        numbers = [float(value) for value in text.split()]
    except ValueError:
        raise MeshError("unreadable", f"The 3MF model has an unreadable transform {text[:60]!r}.")
    if len(numbers) != 12 or not np.all(np.isfinite(numbers)):
        raise MeshError("unreadable", f"The 3MF model has an unreadable transform {text[:60]!r}.")
    matrix[:, :3] = np.array(numbers).reshape(4, 3)
    return matrix


@dataclass
class _Object:
    object_type: str
    vertices: np.ndarray | None = None
    faces: np.ndarray | None = None
    components: list = field(default_factory=list)


@dataclass
class _Part:
    unit: str | None
    objects: dict
    items: list


class _Reader:
    def __init__(self, data: bytes, limits: LoadLimits) -> None:
        self.limits = limits
        self.archive = SafeArchive(data, limits=limits, label="3MF")
        self.parts: dict[str, _Part] = {}

    def start_part(self) -> str:
        relationships = self.archive.find("_rels/.rels")
        if relationships is not None:
            root = parse_small_xml(self.archive.read(relationships), label="3MF relationships")
            for element in root.iter("{*}Relationship"):
                if element.get("Type") == _MODEL_RELATIONSHIP and element.get("Target"):
                    found = self.archive.find(element.get("Target"))
                    if found:
                        return found
        found = self.archive.find("3D/3dmodel.model")
        if found is None:
            raise MeshError("unreadable", "The 3MF archive has no 3D model part (3D/3dmodel.model).")
        return found

    def part(self, name: str) -> _Part:
        if name not in self.parts:
            self.parts[name] = self._parse_part(self.archive.read(name))
        return self.parts[name]

    def _parse_part(self, data: bytes) -> _Part:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            data = data.decode("utf-16").encode("utf-8")
        reject_declarations(data, label="3MF model")
        if b"<![CDATA[" in data:
            raise MeshError("unsupported", "The 3MF model uses CDATA sections, which we do not read.")
        if b"<!--" in data:
            data = _COMMENT.sub(b"", data)
        model = _MODEL.search(data)
        if model is None:
            raise MeshError("unreadable", "The 3MF archive's model part has no <model> element.")
        unit = _attributes(model.group(1)).get("unit", "millimeter")
        objects = {}
        position = model.end()
        face_total = 0
        while True:
            opening = _OBJECT_OPEN.search(data, position)
            if opening is None:
                break
            attributes = _attributes(opening.group(1))
            if opening.group(2):
                content = b""
                position = opening.end()
            else:
                closing = _OBJECT_CLOSE.search(data, opening.end())
                if closing is None:
                    raise MeshError("unreadable", "The 3MF model is damaged: an <object> is never closed.")
                content = data[opening.end() : closing.start()]
                position = closing.end()
            entry = _Object(object_type=attributes.get("type", "model"))
            mesh = _section(content, b"mesh")
            if mesh:
                entry.vertices, entry.faces = self._mesh(mesh)
                face_total += len(entry.faces)
                if face_total > self.limits.max_faces:
                    raise too_many_faces(face_total, self.limits)
            for component in _COMPONENT.finditer(_section(content, b"components")):
                component_attributes = _attributes(component.group(1))
                entry.components.append(
                    (
                        component_attributes.get("objectid"),
                        component_attributes.get("path"),
                        _transform(component_attributes.get("transform")),
                    )
                )
            objects[attributes.get("id")] = entry
        items = []
        build = _BUILD.search(data, position if position > model.end() else model.end())
        if build is None:
            build = _BUILD.search(data)
        if build is not None:
            for item in _ITEM.finditer(build.group(1)):
                item_attributes = _attributes(item.group(1))
                items.append(
                    (
                        item_attributes.get("objectid"),
                        item_attributes.get("path"),
                        _transform(item_attributes.get("transform")),
                    )
                )
        return _Part(unit=unit, objects=objects, items=items)

    def _mesh(self, mesh: bytes) -> tuple[np.ndarray, np.ndarray]:
        vertex_section = _section(mesh, b"vertices")
        triangle_section = _section(mesh, b"triangles")
        vertex_count = _count_tags(vertex_section, b"vertex")
        triangle_count = _count_tags(triangle_section, b"triangle")
        if vertex_count > self.limits.max_vertices:
            raise MeshError(
                "too_many_vertices",
                f"The 3MF model has {vertex_count:,} vertices; we accept {self.limits.max_vertices:,}.",
            )
        if triangle_count > self.limits.max_faces:
            raise too_many_faces(triangle_count, self.limits)
        vertices = np.stack(
            [_values(vertex_section, axis, vertex_count, "vertices") for axis in (b"x", b"y", b"z")], axis=1
        )
        faces = np.stack(
            [_values(triangle_section, corner, triangle_count, "triangles") for corner in (b"v1", b"v2", b"v3")], axis=1
        )
        if faces.size and (faces.min() < 0 or faces.max() >= vertex_count):
            bad = int(np.count_nonzero(((faces < 0) | (faces >= vertex_count)).any(axis=1)))
            raise MeshError(
                "bad_indices",
                f"{bad:,} triangles of the 3MF model refer to vertices that do not exist "
                f"(the object has {vertex_count:,} vertices).",
            )
        return vertices, faces


def parse_3mf(data: bytes, *, limits: LoadLimits) -> RawMesh:
    reader = _Reader(data, limits)
    start = reader.start_part()
    root = reader.part(start)
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    counters = {"instances": 0, "faces": 0}

    def place(part_name: str, object_id: str | None, matrix: np.ndarray, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise MeshError("unreadable", "The 3MF model nests components too deeply (or in a loop).")
        part = reader.part(part_name)
        entry = part.objects.get(object_id)
        if entry is None:
            raise MeshError("unreadable", f"The 3MF model refers to an object {object_id!r} it does not define.")
        if entry.object_type in _SKIPPED_TYPES:
            return
        if entry.vertices is not None and len(entry.faces):
            counters["instances"] += 1
            counters["faces"] += len(entry.faces)
            if counters["instances"] > limits.max_instances:
                raise MeshError(
                    "too_many_faces", f"The 3MF model places more than {limits.max_instances:,} copies of objects."
                )
            if counters["faces"] > limits.max_faces:
                raise too_many_faces(counters["faces"], limits)
            # A mirroring transform turns the surface inside out unless the winding is reversed too.
            faces = entry.faces[:, ::-1] if np.linalg.det(matrix[:3, :3]) < 0 else entry.faces
            pieces.append((entry.vertices @ matrix[:3, :3] + matrix[3, :3], faces))
        for component_id, path, component_matrix in entry.components:
            target = reader.archive.find(path) if path else part_name
            if target is None:
                raise MeshError("unreadable", f"The 3MF model refers to a part {path!r} that is not in the archive.")
            place(target, component_id, component_matrix @ matrix, depth + 1)

    items = root.items or [(object_id, None, np.eye(4)) for object_id in root.objects]
    for object_id, path, matrix in items:
        target = reader.archive.find(path) if path else start
        if target is None:
            raise MeshError("unreadable", f"The 3MF build refers to a part {path!r} that is not in the archive.")
        place(target, object_id, matrix, 0)
    if not pieces:
        raise MeshError("no_faces", "The 3MF file contains no printable objects with triangles.")
    offsets = np.cumsum([0] + [len(vertices) for vertices, _faces in pieces[:-1]])
    vertices = np.concatenate([vertices for vertices, _faces in pieces])
    faces = np.concatenate([faces + offset for (_vertices, faces), offset in zip(pieces, offsets, strict=True)])
    unit_word = root.unit or "millimeter"
    declared = unit_from_file_word(unit_word)
    raw = RawMesh(vertices=vertices, faces=faces, file_format="3mf", declared_units=declared)
    if declared is None:
        raw.warn("unknown_unit", f"The 3MF file declares an unknown unit {unit_word!r}; millimetres were assumed.")
    raw.metadata["objects"] = len(pieces)
    return raw
