"""Pure mesh geometry for the platform: loading, analysis, repair and previews. No Django here.

Public API (kept stable): ``load_mesh``, ``analyse``, ``repair_mesh``, ``write_preview_glb``,
``write_thumbnail_png`` and the dataclasses they take and return.
"""

import importlib

from .allocation import tune_allocation
from .analysis import AnalysisOptions, AnalysisResult, analyse
from .errors import MeshError
from .limits import LoadLimits
from .loading import load_mesh, load_mesh_bytes
from .materials import MaterialSpec
from .mesh import Issue, LoadedMesh
from .options import OrientationOptions, ThicknessOptions, WallOptions
from .repair import RepairOptions, RepairResult, repair_mesh

tune_allocation()

# Imported on first use (PEP 562), so a process that only analyses does not compile the preview code.
_LAZY = {"write_preview_glb": ".preview", "write_thumbnail_png": ".thumbnail"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AnalysisOptions",
    "AnalysisResult",
    "Issue",
    "LoadLimits",
    "LoadedMesh",
    "MaterialSpec",
    "MeshError",
    "OrientationOptions",
    "RepairOptions",
    "RepairResult",
    "ThicknessOptions",
    "WallOptions",
    "analyse",
    "load_mesh",
    "load_mesh_bytes",
    "repair_mesh",
    "write_preview_glb",
    "write_thumbnail_png",
]
