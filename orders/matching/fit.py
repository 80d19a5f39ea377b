"""Does a part's box fit a printer's build volume in some axis-aligned orientation?

A box fits another box under some axis-aligned rotation exactly when its sorted sides are each no longer
than the container's sorted sides (shortest against shortest, and so on), so six orientations reduce to one
sorted comparison.
"""

from dataclasses import dataclass

# Slack kept on every side: bed-levelling variation, brims and elephant's foot make the usable volume a
# little smaller than the nominal one.
DEFAULT_FIT_MARGIN_MM = 1.0

_AXES = ("x", "y", "z")


@dataclass(frozen=True, kw_only=True)
class FitCheck:
    fits: bool
    part_sorted_mm: tuple[float, float, float]
    build_sorted_mm: tuple[float, float, float]
    failing_axis: str | None  # the part's own axis (x, y or z) whose side does not fit
    failing_part_mm: float | None
    failing_build_mm: float | None
    reason: str | None


def format_size(sizes: tuple[float, ...]) -> str:
    """``(220.0, 40.5, 30.0)`` -> ``"220 x 40.5 x 30"``: millimetres as people write them."""
    return " x ".join(_mm(size) for size in sizes)


def _mm(value: float) -> str:
    rounded = round(float(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def fits_build_volume(
    extents: tuple[float, float, float],
    build_volume: tuple[float, float, float],
    *,
    margin_mm: float = DEFAULT_FIT_MARGIN_MM,
) -> FitCheck:
    """Compare sorted sides; when it does not fit, name the side that overshoots most.

    Each part side plus ``margin_mm`` must be at most the matching build side.
    """
    if len(extents) != 3 or len(build_volume) != 3:
        raise ValueError("extents and build volume are three sizes each (x, y, z)")
    if margin_mm < 0:
        raise ValueError(f"margin {margin_mm} mm is negative")
    order = sorted(range(3), key=lambda axis: extents[axis])
    part_sorted = tuple(float(extents[axis]) for axis in order)
    build_sorted = tuple(sorted(float(size) for size in build_volume))
    overshoots = [part_sorted[rank] + margin_mm - build_sorted[rank] for rank in range(3)]
    worst = max(range(3), key=lambda rank: (overshoots[rank], rank))
    if overshoots[worst] <= 0:
        return FitCheck(
            fits=True,
            part_sorted_mm=part_sorted,
            build_sorted_mm=build_sorted,
            failing_axis=None,
            failing_part_mm=None,
            failing_build_mm=None,
            reason=None,
        )
    side = part_sorted[worst]
    room = build_sorted[worst]
    if side > room:
        reason = f"its {_mm(side)} mm side exceeds the {_mm(room)} mm build size"
    else:
        reason = (
            f"its {_mm(side)} mm side needs {_mm(side + margin_mm)} mm with the {_mm(margin_mm)} mm margin, "
            f"more than the {_mm(room)} mm build size"
        )
    return FitCheck(
        fits=False,
        part_sorted_mm=part_sorted,
        build_sorted_mm=build_sorted,
        failing_axis=_AXES[order[worst]],
        failing_part_mm=side,
        failing_build_mm=room,
        reason=reason,
    )
