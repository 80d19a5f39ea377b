"""A spur gear with a true involute tooth profile."""

import math
from collections.abc import Mapping
from typing import Any

from designs.parametric.parameters import Parameter, ParameterError, format_number
from designs.parametric.template import Template

# Standard full-depth teeth (ISO 53): the tip is one module above the pitch circle, the root 1.25 below.
ADDENDUM_MODULES = 1.0
DEDENDUM_MODULES = 1.25
SMALLEST_KEYED_BORE_MM = 6.0


def pitch_diameter(*, module: float, teeth: int) -> float:
    return module * teeth


def outside_diameter(*, module: float, teeth: int) -> float:
    return module * (teeth + 2 * ADDENDUM_MODULES)


def root_diameter(*, module: float, teeth: int) -> float:
    return module * (teeth - 2 * DEDENDUM_MODULES)


def hub_rim(*, module: float) -> float:
    """Material kept between the bore (or its keyway) and the root circle: a module, at least 1.5 mm."""
    return max(1.5, module)


def keyway_size(*, bore_diameter: float) -> tuple[float, float]:
    """(width, depth beyond the bore) of the keyway slot, roughly DIN 6885 proportions."""
    return bore_diameter / 4, bore_diameter / 8


def _check_keyway_needs_bore(values: Mapping[str, Any]) -> None:
    if values["keyway"] and values["bore_diameter"] < SMALLEST_KEYED_BORE_MM:
        raise ParameterError(
            "keyway",
            f"keyway needs a bore_diameter of at least {format_number(SMALLEST_KEYED_BORE_MM)} mm "
            f"(got {format_number(values['bore_diameter'])})",
        )


def largest_bore(*, module: float, teeth: int, keyway: bool) -> float:
    """The widest bore that keeps the hub rim inside the root circle, to the 0.1 mm step of the form."""
    room = root_diameter(module=module, teeth=teeth) - 2 * hub_rim(module=module)
    # A keyway reaches an eighth of the bore beyond it, so bore + 2 x depth = 1.25 x bore must fit.
    if keyway:
        room /= 1.25
    return math.floor(room * 10 + 1e-9) / 10


def _check_bore_inside_root(values: Mapping[str, Any]) -> None:
    module, teeth, bore, keyway = values["module"], values["teeth"], values["bore_diameter"], values["keyway"]
    largest = largest_bore(module=module, teeth=teeth, keyway=keyway)
    # No bore (0) always fits: the gear is then solid.
    if bore > 0 and bore > largest:
        root = root_diameter(module=module, teeth=teeth)
        raise ParameterError(
            "bore_diameter",
            f"bore_diameter must be at most {format_number(largest)} mm{' with a keyway' if keyway else ''}, "
            f"which keeps a {format_number(hub_rim(module=module))} mm rim inside the "
            f"{format_number(round(root, 3))} mm root circle (got {format_number(bore)})",
        )


TEMPLATE = Template(
    slug="spur-gear",
    name="Spur gear",
    description=(
        "A straight-cut gear with true involute teeth. Gears mesh when they share the module and pressure "
        "angle; the pitch diameter is module times teeth, the outside diameter module times (teeth + 2)."
    ),
    parameters=(
        Parameter(
            name="module",
            type="number",
            label="Module",
            unit="mm",
            min=0.5,
            max=5,
            step=0.05,
            default=1.5,
            help="Tooth size: only gears with the same module mesh; 1 to 2 mm suits most printed gears.",
        ),
        Parameter(
            name="teeth",
            type="integer",
            label="Teeth",
            unit="count",
            min=8,
            max=120,
            step=1,
            default=24,
            help="Number of teeth; with the module it sets the size.",
        ),
        Parameter(
            name="pressure_angle",
            type="number",
            label="Pressure angle",
            unit="deg",
            min=14.5,
            max=30,
            step=0.5,
            default=20,
            help="Slope of the tooth flanks; 20 degrees is the usual standard and both gears must match.",
        ),
        Parameter(
            name="thickness",
            type="number",
            label="Thickness",
            unit="mm",
            min=2,
            max=50,
            step=0.5,
            default=8,
            help="Face width of the gear, its height on the print bed.",
        ),
        Parameter(
            name="bore_diameter",
            type="number",
            label="Bore",
            unit="mm",
            min=0,
            max=100,
            step=0.1,
            default=5,
            help="Diameter of the hole for the shaft; 0 leaves the gear solid.",
        ),
        Parameter(
            name="keyway",
            type="boolean",
            label="Keyway",
            default=False,
            help="Cut a slot into the bore for a shaft with a key.",
        ),
    ),
    builder="designs.parametric.shapes.spur_gear:build",
    checks=(_check_keyway_needs_bore, _check_bore_inside_root),
)
