"""What a format parser hands back before validation, unit conversion and merging."""

from dataclasses import dataclass, field

import numpy as np

from ..mesh import Issue


@dataclass(eq=False)
class RawMesh:
    """Vertices in the file's own units and faces (None: a triangle soup, three rows per face).

    ``vertices`` may be float32 (binary STL): merging hashes the bits the file actually stores, and
    ``words`` may already hold them (see ``topology.merge_vertices``).
    """

    vertices: np.ndarray
    faces: np.ndarray | None
    file_format: str
    words: np.ndarray | None = None
    declared_units: str | None = None
    warnings: list[Issue] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    @property
    def face_count(self) -> int:
        return len(self.vertices) // 3 if self.faces is None else len(self.faces)

    def warn(self, code: str, message: str, severity: str = "warning") -> None:
        self.warnings.append(Issue(code=code, severity=severity, message=message))
