"""Pure mesh geometry for the platform: loading, analysis, repair and previews. No Django here.

Public API (kept stable): ``load_mesh``, ``analyse``, ``repair_mesh``, ``write_preview_glb``,
``write_thumbnail_png`` and the dataclasses they take and return.
"""

from .analysis import AnalysisOptions, AnalysisResult, analyse
from .errors import MeshError
from .limits import LoadLimits
from .loading import load_mesh, load_mesh_bytes
from .materials import MaterialSpec
from .mesh import Issue, LoadedMesh
from .orientation import OrientationOptions
from .preview import write_preview_glb
from .repair import RepairOptions, RepairResult, repair_mesh
from .thickness import ThicknessOptions
from .thumbnail import write_thumbnail_png

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
    "analyse",
    "load_mesh",
    "load_mesh_bytes",
    "repair_mesh",
    "write_preview_glb",
    "write_thumbnail_png",
]
