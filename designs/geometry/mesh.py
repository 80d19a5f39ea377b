"""The mesh every loader returns and every analysis step reads: plain arrays in millimetres."""

from dataclasses import dataclass, field, replace

import numpy as np

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Issue:
    """One finding for the report: ``code`` is stable, ``message`` is for the customer."""

    code: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message}


def _read_only(array: np.ndarray, dtype) -> np.ndarray:
    result = np.ascontiguousarray(array, dtype=dtype)
    if result is array:
        result = result.view()
    result.flags.writeable = False
    return result


@dataclass(frozen=True, eq=False)
class LoadedMesh:
    """Triangles in millimetres.

    ``vertices`` (n, 3) float64 and ``faces`` (m, 3) int64 are read-only, so no step can change the
    customer's original by accident; repair returns a new ``LoadedMesh``. ``is_merged`` says that
    vertices at the same position have already been merged into one (every loader does this, because
    STL repeats each corner and OBJ/3MF split corners at texture and normal seams).
    """

    vertices: np.ndarray
    faces: np.ndarray
    file_format: str = "unknown"
    declared_units: str | None = None
    applied_units: str = "mm"
    units_source: str = "default"
    scale_to_mm: float = 1.0
    warnings: tuple[Issue, ...] = ()
    is_merged: bool = False
    source_vertex_count: int = 0
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vertices", _read_only(self.vertices, np.float64).reshape(-1, 3))
        object.__setattr__(self, "faces", _read_only(self.faces, np.int64).reshape(-1, 3))
        if not self.source_vertex_count:
            object.__setattr__(self, "source_vertex_count", len(self.vertices))

    @property
    def face_count(self) -> int:
        return len(self.faces)

    @property
    def vertex_count(self) -> int:
        return len(self.vertices)

    def with_geometry(self, *, vertices: np.ndarray, faces: np.ndarray, is_merged: bool = True) -> "LoadedMesh":
        """A copy with other arrays and the same provenance (format, units)."""
        return replace(self, vertices=vertices, faces=faces, is_merged=is_merged)

    def units_description(self) -> dict:
        return {
            "declared": self.declared_units,
            "applied": self.applied_units,
            "source": self.units_source,
            "scale_to_mm": self.scale_to_mm,
        }
