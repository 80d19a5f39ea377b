"""The options of the checks the core report leaves out (thickness, walls, orientation).

They live apart from the checks so that ``AnalysisOptions`` and the public API can name them without
importing (and, with no bytecode cache, compiling) the checks themselves: a process that only makes core
reports never loads ``thickness``, ``walls``, ``orientation`` or ``layers``. Each is also importable from
its check's module, as before.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ThicknessOptions:
    samples: int = 4000
    seed: int = 0
    percentile: float = 1.0


@dataclass(frozen=True)
class WallOptions:
    max_taper_degrees: float = 10.0
    min_region_samples: int = 3
    min_region_area_mm2: float = 4.0
    region_area_per_thickness_squared: float = 25.0
    # ... and spans at least this many times its thickness in its second direction (a wall is wide both
    # ways; the thin end of a pin or a spike is narrow all round).
    min_span_thicknesses: float = 5.0
    percentile: float = 1.0
    # A wall this much under a limit is still at the limit: files store float32 coordinates and rays are
    # cast in float32, so a wall modelled at 0.4 mm measures 0.4 mm give or take a few ten-thousandths.
    tolerance_mm: float = 0.001


@dataclass(frozen=True)
class OrientationOptions:
    overhang_angle_degrees: float = 45.0
    consider_hull_faces: bool = True
