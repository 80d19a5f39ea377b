"""A batch's packing (``Batch.packing``: plates with placements) as rectangles for an SVG of each build plate.

The SVG uses millimetres as its units with y flipped, so the plate reads as seen from above with its origin
at the front left. Parts of the job being looked at are marked; other jobs' parts in the batch are grey.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlacedPart:
    x: float
    y: float  # SVG y (top edge), already flipped
    width: float
    depth: float
    label: str
    title: str
    is_this_job: bool
    colour_index: int


@dataclass(frozen=True)
class PlateDrawing:
    number: int
    width: float
    depth: float
    height_mm: float | None
    fill_ratio: float | None
    hours: float | None
    parts: list
    font_size: float


def plate_drawings(packing: dict | None, *, job_item_labels: dict[int, str]) -> list[PlateDrawing]:
    """``job_item_labels`` maps the order-item ids of this job to a short name; other items are "other order"."""
    if not packing or not isinstance(packing.get("plates"), list):
        return []
    build = packing.get("build_volume_mm") or [200, 200, 200]
    width, depth = float(build[0]), float(build[1])
    colours = {item_id: index % 6 for index, item_id in enumerate(sorted(job_item_labels))}
    drawings = []
    for number, plate in enumerate(packing["plates"], start=1):
        parts = []
        for placement in plate.get("placements") or []:
            size = placement.get("size_mm") or [0, 0, 0]
            item_id = placement.get("item")
            is_this_job = item_id in job_item_labels
            name = job_item_labels.get(item_id, "other order")
            part_width, part_depth = float(size[0]), float(size[1])
            x, y = float(placement.get("x", 0)), float(placement.get("y", 0))
            parts.append(
                PlacedPart(
                    x=round(x, 2),
                    y=round(depth - y - part_depth, 2),
                    width=round(part_width, 2),
                    depth=round(part_depth, 2),
                    label=f"#{placement.get('copy', 1)}" if is_this_job else "",
                    title=f"{name}, copy {placement.get('copy', 1)}: {part_width:g} x {part_depth:g} x {size[2]:g} mm"
                    + (" (turned)" if placement.get("rotated") else ""),
                    is_this_job=is_this_job,
                    colour_index=colours.get(item_id, 0),
                )
            )
        drawings.append(
            PlateDrawing(
                number=number,
                width=width,
                depth=depth,
                height_mm=plate.get("height_mm"),
                fill_ratio=plate.get("fill_ratio"),
                hours=plate.get("hours"),
                parts=parts,
                font_size=round(max(width, depth) / 28, 2),
            )
        )
    return drawings
