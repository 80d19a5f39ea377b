"""``load_mesh``: from an uploaded file to a validated ``LoadedMesh`` in millimetres.

The format is recognised from the bytes (the extension is only a hint), every count the file claims is
checked against ``LoadLimits`` before it is used to allocate, and every failure that is the file's fault
ends as a ``MeshError`` with a sentence for the customer.
"""

import contextlib
import importlib
import mmap
import struct
import sys
import zlib
from os import PathLike
from pathlib import Path

import numpy as np

from ..errors import MeshError
from ..limits import LoadLimits
from ..mesh import Issue, LoadedMesh
from ..topology import collapsed_face_mask, merge_vertices
from ..units import MILLIMETRES_PER_UNIT, UNIT_WORDS, customer_unit, format_length
from .raw import RawMesh
from .sniff import detect_format, normalise_hint

# Module and function of each parser. They are imported on first use: a process that only ever reads STL
# (the commonest upload) does not pay for compiling the 3MF, glTF, PLY, OBJ and OFF readers and importing
# zipfile and json.
_PARSERS = {
    "stl_binary": ("stl", "parse_binary_stl"),
    "stl_ascii": ("stl", "parse_ascii_stl"),
    "obj": ("obj", "parse_obj"),
    "ply": ("ply", "parse_ply"),
    "off": ("off", "parse_off"),
    "3mf": ("threemf", "parse_3mf"),
    "glb": ("gltf", "parse_glb"),
    "gltf": ("gltf", "parse_gltf"),
}
_FAMILY = {"stl_binary": "stl", "stl_ascii": "stl"}
_LABELS = {"stl_binary": "STL", "stl_ascii": "STL", "3mf": "3MF", "glb": "GLB", "gltf": "glTF"}

__all__ = ["load_mesh", "load_mesh_bytes"]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def load_mesh(
    path: str | PathLike, *, units: str | None, limits: LoadLimits, file_format: str | None = None
) -> LoadedMesh:
    """Read a mesh file. ``units`` is the customer's choice (None: the file's own, else millimetres);
    ``file_format`` is the client's extension hint."""
    customer_unit(units)
    location = Path(path)
    try:
        size = location.stat().st_size
    except OSError:
        raise MeshError("unreadable", "The uploaded file could not be opened.")
    if size == 0:
        raise MeshError("empty_file", "The file is empty (0 bytes). Please upload the model again.")
    if size > limits.max_bytes:
        raise MeshError("too_large", f"The file is {_megabytes(size)}; the limit is {_megabytes(limits.max_bytes)}.")
    if file_format is None:
        file_format = location.suffix or None
    with open(location, "rb") as handle:
        # Mapping the file lets a binary STL be parsed straight from the page cache (no copy of the file);
        # populating the map up front costs one call instead of a page fault per 4 kB while parsing.
        try:
            mapped = _map_read_only(handle.fileno())
        except (OSError, ValueError):
            mapped = None
        if mapped is None:
            data = handle.read(limits.max_bytes + 1)
            return load_mesh_bytes(data, units=units, limits=limits, file_format=file_format)
        try:
            if len(mapped) > limits.max_bytes:
                raise MeshError("too_large", f"The file is larger than the {_megabytes(limits.max_bytes)} limit.")
            return load_mesh_bytes(mapped, units=units, limits=limits, file_format=file_format)
        finally:
            # If an array still views the map, it is closed when that array is freed.
            with contextlib.suppress(BufferError):
                mapped.close()


def _map_read_only(descriptor: int) -> mmap.mmap:
    if _POPULATE:
        return mmap.mmap(descriptor, 0, flags=mmap.MAP_SHARED | _POPULATE, prot=mmap.PROT_READ)
    return mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)


_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def load_mesh_bytes(
    data: bytes | mmap.mmap, *, units: str | None, limits: LoadLimits, file_format: str | None = None
) -> LoadedMesh:
    """``load_mesh`` for bytes already in memory (or a read-only memory map)."""
    chosen = customer_unit(units)
    if len(data) > limits.max_bytes:
        raise MeshError("too_large", f"The file is larger than the {_megabytes(limits.max_bytes)} limit.")
    hint = normalise_hint(file_format)
    detected = detect_format(data, hint=hint)
    label = _LABELS.get(detected, detected.upper())
    if detected != "stl_binary" and not isinstance(data, bytes):
        data = bytes(data)
    module, function = _PARSERS[detected]
    parse = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    try:
        raw = parse(data, limits=limits)
    except MeshError:
        raise
    except MemoryError:
        raise MeshError("too_large", "The model needs more memory than one analysis may use.")
    except _parser_faults():
        # A parser tripping over malformed content (a JSON value of the wrong type, an odd zip flag): the
        # file's fault, told plainly, never an unexpected crash.
        raise MeshError("unreadable", f"The {label} file could not be read; it is damaged or not a valid {label} file.")
    family = _FAMILY.get(detected, detected)
    if hint and hint != family and not (hint == "gltf" and family == "glb"):
        raw.warn(
            "format_mismatch",
            f"The file is named .{hint} but its content is {label}; it was read as {label}.",
            "info",
        )
    return _finalise(raw, chosen=chosen, limits=limits)


def _parser_faults() -> tuple[type[Exception], ...]:
    """Exceptions that mean "the file is malformed" when a parser raises them."""
    faults = (
        ValueError,
        IndexError,
        KeyError,
        TypeError,
        AttributeError,
        OverflowError,
        struct.error,
        UnicodeError,
        RecursionError,
        NotImplementedError,
        EOFError,
        zlib.error,
    )
    # Only the 3MF reader imports zipfile; until it has, nothing can raise BadZipFile.
    zipfile = sys.modules.get("zipfile")
    return (*faults, zipfile.BadZipFile) if zipfile is not None else faults


def _refuse_non_finite(vertices: np.ndarray) -> None:
    # One sum finds any NaN or infinity cheaply (it may also overflow on huge values); only then count rows.
    with np.errstate(over="ignore", invalid="ignore"):
        total = vertices.sum(dtype=np.float64)
    if np.isfinite(total):
        return
    finite_rows = np.isfinite(vertices).all(axis=1)
    if not finite_rows.all():
        bad = int(np.count_nonzero(~finite_rows))
        raise MeshError(
            "non_finite",
            f"{bad:,} of the {len(vertices):,} vertices have coordinates that are not numbers (NaN) or are "
            "infinite. The file is damaged; please export it again.",
        )


def _finalise(raw: RawMesh, *, chosen: str | None, limits: LoadLimits) -> LoadedMesh:
    if raw.face_count == 0:
        raise MeshError("no_faces", "The file contains no triangles.")
    if raw.face_count > limits.max_faces:
        raise MeshError(
            "too_many_faces", f"The model has {raw.face_count:,} triangles; we accept {limits.max_faces:,}."
        )
    vertices = raw.vertices
    if raw.faces is not None:
        # An index may leave vertices unused; a damaged one still means a damaged file.
        _refuse_non_finite(vertices)
    if raw.faces is not None and raw.faces.size and (raw.faces.min() < 0 or raw.faces.max() >= len(vertices)):
        bad = int(np.count_nonzero(((raw.faces < 0) | (raw.faces >= len(vertices))).any(axis=1)))
        raise MeshError(
            "bad_indices",
            f"{bad:,} faces refer to vertices that do not exist (the file has {len(vertices):,} vertices).",
        )
    warnings = list(raw.warnings)
    if chosen is not None:
        applied, source = chosen, "customer"
        if raw.declared_units and raw.declared_units != chosen:
            warnings.append(
                Issue(
                    "units_override",
                    "info",
                    f"You chose {UNIT_WORDS[chosen]}; the file itself says {UNIT_WORDS[raw.declared_units]}. "
                    f"We used {UNIT_WORDS[chosen]} as you asked.",
                )
            )
    elif raw.declared_units is not None:
        applied, source = raw.declared_units, "file"
    else:
        applied, source = "mm", "default"
    scale = MILLIMETRES_PER_UNIT[applied]
    merged = merge_vertices(vertices, raw.faces, words=raw.words)
    if raw.faces is None and not np.isfinite(merged.vertices).all():
        # A triangle soup uses every corner, so the merged vertices (several times fewer) tell whether any
        # is damaged; the message counts the file's own corners.
        _refuse_non_finite(vertices)
    # Any face with area settles it; only when the first has none are all of them checked.
    if collapsed_face_mask(merged.faces[:1]).all() and collapsed_face_mask(merged.faces).all():
        raise MeshError(
            "no_faces",
            f"All {len(merged.faces):,} triangles in the file have no area (their corners coincide); "
            "there is nothing to print.",
        )
    millimetres = merged.vertices * scale if scale != 1.0 else merged.vertices
    largest = float(np.abs(millimetres).max()) if len(millimetres) else 0.0
    if largest > limits.max_coordinate_mm:
        raise MeshError(
            "out_of_range",
            f"The model's coordinates reach {format_length(largest)} from the origin, far beyond any printable "
            "part; the file is damaged or not a 3D model.",
        )
    return LoadedMesh(
        vertices=millimetres,
        faces=merged.faces,
        file_format=raw.file_format,
        declared_units=raw.declared_units,
        applied_units=applied,
        units_source=source,
        scale_to_mm=scale,
        warnings=tuple(warnings),
        is_merged=True,
        source_vertex_count=merged.source_vertex_count,
        metadata=dict(raw.metadata),
    )
