"""Recognising a format from the bytes, because a file's name is only the client's claim."""

import re

from ..errors import MeshError

SUPPORTED = "STL, OBJ, PLY, OFF, 3MF or GLB"
_TEXT_PROBE = 4096
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<!doctype\s+html)", re.IGNORECASE)
_OBJ_LINE = re.compile(rb"^[ \t]*(v|f)[ \t]+[-+.0-9]", re.MULTILINE)
_OFF_START = re.compile(rb"^\s*(ST)?C?N?4?n?OFF(\s|\d)")
_EXTENSIONS = {
    "stl": "stl",
    "obj": "obj",
    "ply": "ply",
    "off": "off",
    "3mf": "3mf",
    "glb": "glb",
    "gltf": "gltf",
}


def normalise_hint(file_format: str | None) -> str | None:
    """The client's extension hint ("STL", ".stl", "model.stl") as a format name, or None."""
    if not file_format:
        return None
    extension = file_format.strip().lower().rsplit(".", 1)[-1]
    return _EXTENSIONS.get(extension)


def binary_stl_declared_count(data: bytes) -> int | None:
    if len(data) < 84:
        return None
    return int.from_bytes(data[80:84], "little")


def is_consistent_binary_stl(data: bytes) -> bool:
    """84-byte header + 50 bytes per face as the header's count says (a few stray bytes tolerated)."""
    declared = binary_stl_declared_count(data)
    if not declared:
        return False
    return 0 <= len(data) - (84 + 50 * declared) < 50


def looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    printable = sum(1 for byte in sample if byte in (9, 10, 13) or 32 <= byte < 127 or byte >= 128)
    return printable >= 0.97 * max(len(sample), 1)


def detect_format(data: bytes, *, hint: str | None) -> str:
    """The format of ``data``: stl_binary, stl_ascii, obj, ply, off, 3mf, glb or gltf."""
    if not data:
        raise MeshError("empty_file", "The file is empty (0 bytes). Please upload the model again.")
    head = data[:_TEXT_PROBE]
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "3mf"
    if data[:4] == b"glTF":
        return "glb"
    if text_head[:3].lower() == b"ply" and text_head[3:4] in (b"\n", b"\r", b" "):
        return "ply"
    if _OFF_START.match(text_head):
        return "off"
    if is_consistent_binary_stl(data):
        return "stl_binary"
    is_text = looks_like_text(head)
    if is_text and text_head[:5].lower() == b"solid" and (b"facet" in head or b"endsolid" in data[-1024:]):
        return "stl_ascii"
    if _HTML_START.match(head):
        raise MeshError(
            "unreadable",
            "This file is a web page (HTML), not a 3D model. It was probably saved from a download page "
            f"instead of the model itself; please download the {SUPPORTED} file and upload that.",
        )
    if is_text and text_head[:1] == b"{" and b'"asset"' in data[:65536]:
        return "gltf"
    if is_text and _OBJ_LINE.search(data[:65536]):
        return "obj"
    if hint == "stl" and len(data) >= 84 and not (is_text and text_head[:5].lower() == b"solid"):
        # A binary STL whose face count does not match its size: the STL reader explains what is wrong.
        return "stl_binary"
    if hint == "stl" and is_text and text_head[:5].lower() == b"solid":
        return "stl_ascii"
    if hint == "obj" and is_text:
        return "obj"
    raise MeshError("unreadable", f"We could not recognise this file as a 3D model ({SUPPORTED}).")
