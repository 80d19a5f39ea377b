"""Where the shared real meshes live, and what independent tools say about them.

The meshes are not copied into the repository; they sit beside it in ``../shared/meshes`` (see its
MANIFEST.tsv for sources and licences). ``PLATFORM_SHARED_MESHES`` overrides the location. CI sets
``PLATFORM_REQUIRE_SHARED_MESHES=1`` so a missing folder fails there instead of skipping.
"""

import csv
import functools
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
_CANDIDATES = [
    os.environ.get("PLATFORM_SHARED_MESHES", ""),
    str(REPO_ROOT.parent / "shared" / "meshes"),
    "/work/shared/meshes",
]


@functools.cache
def shared_meshes_dir() -> Path | None:
    for candidate in _CANDIDATES:
        if candidate and (Path(candidate) / "MANIFEST.tsv").is_file():
            return Path(candidate)
    return None


def require_shared_meshes() -> Path:
    """The folder, or skip the test (fail instead when CI asks for them)."""
    folder = shared_meshes_dir()
    if folder is None:
        if os.environ.get("PLATFORM_REQUIRE_SHARED_MESHES") == "1":
            pytest.fail("shared meshes not found; set PLATFORM_SHARED_MESHES")
        pytest.skip("shared meshes (../shared/meshes) are not present on this machine")
    return folder


def shared_mesh(name: str) -> Path:
    return require_shared_meshes() / name


@functools.cache
def _read_tsv(name: str) -> tuple[dict, ...]:
    folder = shared_meshes_dir()
    if folder is None:
        return ()
    with open(folder / name, newline="") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


def groundtruth() -> dict[str, dict]:
    """Rows of groundtruth.tsv keyed by file name."""
    return {row["file"]: row for row in _read_tsv("groundtruth.tsv")}


def manifest() -> dict[str, dict]:
    return {row["file"]: row for row in _read_tsv("MANIFEST.tsv")}


def shared_mesh_names() -> list[str]:
    """Every mesh file listed in the manifest (empty when the folder is missing)."""
    return sorted(manifest())
