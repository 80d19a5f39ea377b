"""A finger ring made to a ring size."""

import math
from collections.abc import Mapping
from typing import Any

from designs.parametric.parameters import Parameter, ParameterError, format_number
from designs.parametric.template import Template

# EU (ISO 8653) sizes are the inside circumference in millimetres.
EU_SIZE_RANGE = (44.0, 76.0)
US_SIZE_RANGE = (2.0, 16.0)
# US sizes grow the inside diameter by 0.8128 mm (1/31.25 inch) per size from 11.63 mm at size 0.
US_DIAMETER_AT_ZERO_MM = 11.63
US_DIAMETER_PER_SIZE_MM = 0.8128


def inner_diameter(*, size: float, size_system: str) -> float:
    """Inside diameter in millimetres for a ring size in the EU or US system."""
    if size_system == "US":
        return US_DIAMETER_AT_ZERO_MM + US_DIAMETER_PER_SIZE_MM * size
    return size / math.pi


def _check_size_in_system(values: Mapping[str, Any]) -> None:
    low, high = US_SIZE_RANGE if values["size_system"] == "US" else EU_SIZE_RANGE
    if not low <= values["size"] <= high:
        raise ParameterError(
            "size",
            f"size must be between {format_number(low)} and {format_number(high)} for "
            f"{values['size_system']} sizes (got {format_number(values['size'])})",
        )


TEMPLATE = Template(
    slug="ring",
    name="Ring",
    description=(
        "A plain band ring made to your ring size, EU or US. Choose the band's width, thickness and "
        "cross-section: flat, comfort fit (rounded inside) or D-shape (domed outside)."
    ),
    parameters=(
        Parameter(
            name="size",
            type="number",
            label="Ring size",
            unit="",
            min=US_SIZE_RANGE[0],
            max=EU_SIZE_RANGE[1],
            step=0.25,
            default=54,
            help="Your ring size: an EU size (44 to 76) is the inside circumference in mm; US is 2 to 16.",
        ),
        Parameter(
            name="size_system",
            type="choice",
            label="Size system",
            choices=("EU", "US"),
            default="EU",
            help="Whether the size is an EU size or a US size.",
        ),
        Parameter(
            name="band_width",
            type="number",
            label="Band width",
            unit="mm",
            min=2,
            max=12,
            step=0.1,
            default=4,
            help="How wide the band is along your finger.",
        ),
        Parameter(
            name="band_thickness",
            type="number",
            label="Band thickness",
            unit="mm",
            min=1.2,
            max=3.5,
            step=0.1,
            default=1.8,
            role="wall",
            help="How thick the band is from the inside to the outside, where it is thickest.",
        ),
        Parameter(
            name="profile",
            type="choice",
            label="Profile",
            choices=("flat", "comfort", "d-shape"),
            default="comfort",
            help="Cross-section: flat is a plain band, comfort is rounded inside, d-shape is domed outside.",
        ),
    ),
    builder="designs.parametric.shapes.ring:build",
    checks=(_check_size_in_system,),
)
