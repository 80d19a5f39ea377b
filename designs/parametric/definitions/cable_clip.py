"""A one-screw clip that holds a cable or a bundle of cables against a wall or under a desk."""

from collections.abc import Mapping
from typing import Any

from designs.parametric.parameters import Parameter, ParameterError, format_number
from designs.parametric.template import Template

# Material left on each side of the screw hole across the clip's width.
SCREW_HOLE_SIDE_MARGIN_MM = 1.5


def screw_tab_layout(*, cable_diameter: float, screw_hole_diameter: float, thickness: float) -> tuple[float, float]:
    """(hole centre, tab end) as distances from the cable's axis, on the tab side.

    The hole sits one hole-diameter clear of the strap, because a screw head is about twice the hole's
    diameter and must not press on the strap.
    """
    strap_outside = cable_diameter / 2 + thickness
    hole_centre = strap_outside + screw_hole_diameter + 0.5
    tab_end = hole_centre + screw_hole_diameter / 2 + max(thickness, 2.0)
    return hole_centre, tab_end


def _check_screw_hole_fits(values: Mapping[str, Any]) -> None:
    largest = values["width"] - 2 * SCREW_HOLE_SIDE_MARGIN_MM
    if values["screw_hole_diameter"] > largest:
        raise ParameterError(
            "screw_hole_diameter",
            f"screw_hole_diameter must be at most {format_number(largest)} mm when the clip is "
            f"{format_number(values['width'])} mm wide "
            f"(got {format_number(values['screw_hole_diameter'])})",
        )


TEMPLATE = Template(
    slug="cable-clip",
    name="Cable clip",
    description=(
        "A strap that holds a cable or a bundle of cables flat against a wall or under a desk, fixed with "
        "one screw through its tab."
    ),
    parameters=(
        Parameter(
            name="cable_diameter",
            type="number",
            label="Cable diameter",
            unit="mm",
            min=2,
            max=30,
            step=0.5,
            default=6,
            help="Diameter of the cable, or of the bundle of cables, the clip holds.",
        ),
        Parameter(
            name="screw_hole_diameter",
            type="number",
            label="Screw hole",
            unit="mm",
            min=2,
            max=6,
            step=0.1,
            default=3.5,
            help="Diameter of the hole for the screw; 3.5 mm suits a 3 mm screw.",
        ),
        Parameter(
            name="thickness",
            type="number",
            label="Thickness",
            unit="mm",
            min=1.2,
            max=5,
            step=0.1,
            default=2,
            role="wall",
            help="Thickness of the strap and of the screw tab.",
        ),
        Parameter(
            name="width",
            type="number",
            label="Width",
            unit="mm",
            min=6,
            max=30,
            step=0.5,
            default=10,
            help="Width of the clip along the cable.",
        ),
    ),
    builder="designs.parametric.shapes.cable_clip:build",
    checks=(_check_screw_hole_fits,),
)
