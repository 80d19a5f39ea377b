"""A vase or planter drawn by its radius at evenly spaced heights."""

import math
from collections.abc import Mapping
from typing import Any

from designs.parametric.parameters import Parameter, ParameterError, format_number
from designs.parametric.profile import RadiusProfile
from designs.parametric.template import Template

# The side may lean at most 45 degrees from vertical: steeper needs supports, and inside a vase they cannot
# be removed.
STEEPEST_SLOPE = 1.0
# The floor keeps at least this much ring around a drainage hole so it does not crack off.
DRAINAGE_RIM_MM = 3.0


def radius_profile(values: Mapping[str, Any]) -> RadiusProfile:
    return RadiusProfile(radii=tuple(values["radii"]), height=values["height"])


def wall_offset(*, wall: float, slope: float) -> float:
    """How far in from the outside, horizontally, the inside must be for a wall of ``wall`` across it.

    A leaning side measured horizontally is thicker than across the wall by 1 / cos(lean).
    """
    return wall * math.sqrt(1.0 + slope * slope)


def floor_inner_radius(values: Mapping[str, Any]) -> float:
    profile = radius_profile(values)
    bottom = values["bottom_thickness"]
    slope = float(profile.slope([bottom])[0])
    return float(profile.radius([bottom])[0]) - wall_offset(wall=values["wall"], slope=slope)


def _check_overhang(values: Mapping[str, Any]) -> None:
    profile = radius_profile(values)
    steepest, span = profile.steepest()
    if steepest > STEEPEST_SLOPE + 1e-9:
        radii = values["radii"]
        lean = round(math.degrees(math.atan(steepest)), 1)
        raise ParameterError(
            "radii",
            f"radii[{span}] to radii[{span + 1}] ({format_number(radii[span])} to "
            f"{format_number(radii[span + 1])} mm over {format_number(profile.spacing)} mm of height) "
            f"make the side lean {format_number(lean)} degrees; at most 45 prints without supports: "
            f"bring them closer or make the vase taller",
        )


def _check_bottom_below_top(values: Mapping[str, Any]) -> None:
    if values["bottom_thickness"] >= values["height"] / 2:
        raise ParameterError(
            "bottom_thickness",
            f"bottom_thickness must be less than half the height ({format_number(values['height'] / 2)} mm) "
            f"(got {format_number(values['bottom_thickness'])})",
        )


def _check_drainage_hole(values: Mapping[str, Any]) -> None:
    if values["drainage_hole_diameter"] == 0:
        return
    # Floored to the form's 0.5 mm step, so the number quoted back is one the customer can enter.
    largest = math.floor(4 * (floor_inner_radius(values) - DRAINAGE_RIM_MM)) / 2
    if values["drainage_hole_diameter"] > largest:
        raise ParameterError(
            "drainage_hole_diameter",
            f"drainage_hole_diameter must be at most {format_number(largest)} mm so the floor keeps a "
            f"{format_number(DRAINAGE_RIM_MM)} mm rim "
            f"(got {format_number(values['drainage_hole_diameter'])})",
        )


TEMPLATE = Template(
    slug="vase",
    name="Vase or planter",
    description=(
        "A vase or planter whose outline you draw with its radius at evenly spaced heights, with optional "
        "ribs that can twist around it and an optional drainage hole in its closed bottom."
    ),
    parameters=(
        Parameter(
            name="radii",
            type="number_list",
            label="Outline radii",
            unit="mm",
            min=10,
            max=120,
            step=0.5,
            min_length=2,
            max_length=12,
            default=(32, 40, 44, 40, 33, 30, 32),
            help="Radius of the outside from the bottom to the top, at evenly spaced heights.",
        ),
        Parameter(
            name="height",
            type="number",
            label="Height",
            unit="mm",
            min=20,
            max=300,
            step=1,
            default=120,
            help="Height of the vase from the table to its rim.",
        ),
        Parameter(
            name="wall",
            type="number",
            label="Wall",
            unit="mm",
            min=0.8,
            max=5,
            step=0.1,
            default=1.6,
            role="wall",
            help="Thickness of the side wall.",
        ),
        Parameter(
            name="bottom_thickness",
            type="number",
            label="Bottom thickness",
            unit="mm",
            min=0.8,
            max=10,
            step=0.1,
            default=2.4,
            role="wall",
            help="Thickness of the closed bottom.",
        ),
        Parameter(
            name="ribs",
            type="integer",
            label="Ribs",
            unit="count",
            min=0,
            max=24,
            step=1,
            default=8,
            help="Number of ribs standing out around the outside; 0 keeps the side smooth.",
        ),
        Parameter(
            name="rib_depth",
            type="number",
            label="Rib depth",
            unit="mm",
            min=0.5,
            max=5,
            step=0.5,
            default=1.5,
            help="How far each rib stands out from the side.",
        ),
        Parameter(
            name="twist",
            type="number",
            label="Twist",
            unit="deg",
            min=-360,
            max=360,
            step=5,
            default=45,
            help="How far the ribs turn around the vase from bottom to top; 0 keeps them straight.",
        ),
        Parameter(
            name="drainage_hole_diameter",
            type="number",
            label="Drainage hole",
            unit="mm",
            min=0,
            max=30,
            step=0.5,
            default=0,
            help="Diameter of a drainage hole in the bottom, for a planter; 0 keeps the bottom closed.",
        ),
    ),
    builder="designs.parametric.shapes.vase:build",
    checks=(_check_overhang, _check_bottom_below_top, _check_drainage_hole),
)
