"""A box and its lid printed side by side."""

from collections.abc import Mapping
from typing import Any

from designs.parametric.parameters import Parameter, ParameterError, format_number
from designs.parametric.template import Template

# Plan-view gap between the box and the lid on the plate.
PLATE_GAP_MM = 6.0


def lip_height(inner_height: float) -> float:
    """How far the lid's lip reaches into the box: a quarter of the depth, 3 to 8 mm, enough to hold."""
    return min(8.0, max(3.0, round(inner_height / 4.0, 1)))


def _check_lid_clearance(values: Mapping[str, Any]) -> None:
    if values["lid_clearance"] >= values["wall"]:
        raise ParameterError(
            "lid_clearance",
            f"lid_clearance must be less than the wall ({format_number(values['wall'])} mm) "
            f"(got {format_number(values['lid_clearance'])})",
        )


def _check_corner_radius(values: Mapping[str, Any]) -> None:
    narrowest_outside = min(values["inner_width"], values["inner_depth"]) + 2 * values["wall"]
    if values["corner_radius"] >= narrowest_outside / 2:
        raise ParameterError(
            "corner_radius",
            f"corner_radius must be less than half the box's narrowest outside side "
            f"({format_number(narrowest_outside / 2)} mm) (got {format_number(values['corner_radius'])})",
        )


TEMPLATE = Template(
    slug="box-with-lid",
    name="Box with lid",
    description=(
        "A box with a push-on lid, printed side by side. You choose the space inside; the lid has a lip "
        "that sits inside the rim with the clearance you choose."
    ),
    parameters=(
        Parameter(
            name="inner_width",
            type="number",
            label="Inside width",
            unit="mm",
            min=10,
            max=150,
            step=0.5,
            default=60,
            help="Usable space inside the box from left to right.",
        ),
        Parameter(
            name="inner_depth",
            type="number",
            label="Inside depth",
            unit="mm",
            min=10,
            max=150,
            step=0.5,
            default=40,
            help="Usable space inside the box from front to back.",
        ),
        Parameter(
            name="inner_height",
            type="number",
            label="Inside height",
            unit="mm",
            min=5,
            max=120,
            step=0.5,
            default=30,
            help="Usable height inside the box, from its floor to its rim.",
        ),
        Parameter(
            name="wall",
            type="number",
            label="Wall",
            unit="mm",
            min=0.8,
            max=5,
            step=0.1,
            default=2,
            role="wall",
            help="Thickness of the sides, the floor, the lid and its lip.",
        ),
        Parameter(
            name="lid_clearance",
            type="number",
            label="Lid clearance",
            unit="mm",
            min=0,
            max=1,
            step=0.05,
            default=0.2,
            help="Gap on each side between the lid's lip and the box, so the lid slides on; 0.2 mm is snug.",
        ),
        Parameter(
            name="corner_radius",
            type="number",
            label="Corner rounding",
            unit="mm",
            min=0,
            max=10,
            step=0.5,
            default=3,
            help="Rounding of the outside vertical corners; 0 gives square corners.",
        ),
    ),
    builder="designs.parametric.shapes.box_with_lid:build",
    checks=(_check_lid_clearance, _check_corner_radius),
)
