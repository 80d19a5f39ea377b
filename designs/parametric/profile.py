"""A smooth outline through a vase's radii, shared by its validation (overhang) and its geometry.

Monotone cubic (PCHIP, Fritsch-Butland slopes) rather than a natural spline: it never swings beyond its
neighbouring radii, so a vase never gets a bulge or a waist the customer did not draw, and it never dips below
the smallest radius allowed.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RadiusProfile:
    """Radius as a smooth function of height, through ``radii`` spaced evenly from z = 0 to ``height``."""

    radii: tuple[float, ...]
    height: float

    @property
    def spacing(self) -> float:
        return self.height / (len(self.radii) - 1)

    def _knot_slopes(self) -> np.ndarray:
        radii = np.asarray(self.radii, dtype=np.float64)
        secants = np.diff(radii) / self.spacing
        slopes = np.empty(len(radii))
        slopes[0], slopes[-1] = secants[0], secants[-1]
        before, after = secants[:-1], secants[1:]
        same_direction = before * after > 0
        harmonic = np.zeros_like(before)
        harmonic[same_direction] = (
            2 * before[same_direction] * after[same_direction] / (before[same_direction] + after[same_direction])
        )
        slopes[1:-1] = harmonic
        return slopes

    def _segment(self, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the span each height falls in, and its position 0..1 along that span."""
        position = np.clip(np.asarray(heights, dtype=np.float64) / self.spacing, 0.0, len(self.radii) - 1)
        index = np.minimum(position.astype(np.int64), len(self.radii) - 2)
        return index, position - index

    def radius(self, heights: np.ndarray) -> np.ndarray:
        index, t = self._segment(heights)
        radii = np.asarray(self.radii, dtype=np.float64)
        slopes = self._knot_slopes() * self.spacing
        start, end = radii[index], radii[index + 1]
        return (
            (2 * t**3 - 3 * t**2 + 1) * start
            + (t**3 - 2 * t**2 + t) * slopes[index]
            + (-2 * t**3 + 3 * t**2) * end
            + (t**3 - t**2) * slopes[index + 1]
        )

    def slope(self, heights: np.ndarray) -> np.ndarray:
        """d(radius)/d(height): 1 means the side leans 45 degrees."""
        index, t = self._segment(heights)
        radii = np.asarray(self.radii, dtype=np.float64)
        slopes = self._knot_slopes() * self.spacing
        start, end = radii[index], radii[index + 1]
        per_span = (
            (6 * t**2 - 6 * t) * start
            + (3 * t**2 - 4 * t + 1) * slopes[index]
            + (-6 * t**2 + 6 * t) * end
            + (3 * t**2 - 2 * t) * slopes[index + 1]
        )
        return per_span / self.spacing

    def steepest(self, *, samples_per_span: int = 64) -> tuple[float, int]:
        """The largest |slope| anywhere on the side, and the span (radii[i] to radii[i + 1]) it lies in."""
        spans = len(self.radii) - 1
        heights = np.linspace(0.0, self.height, spans * samples_per_span + 1)
        slopes = np.abs(self.slope(heights))
        worst = int(np.argmax(slopes))
        span, _ = self._segment(heights[worst : worst + 1])
        return float(slopes[worst]), int(span[0])
