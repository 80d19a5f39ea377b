"""A stand that holds a phone or tablet leaning back at a chosen angle."""

from designs.parametric.parameters import Parameter
from designs.parametric.template import Template

TEMPLATE = Template(
    slug="phone-stand",
    name="Phone or tablet stand",
    description=(
        "A desk stand for a phone or tablet: the device stands in a slot behind a front lip and leans on a "
        "back rest at the angle you choose, braced by a rear leg."
    ),
    parameters=(
        Parameter(
            name="angle",
            type="number",
            label="Viewing angle",
            unit="deg",
            min=50,
            max=80,
            step=1,
            default=65,
            help="Angle of the back rest from the table: 90 would stand the device upright.",
        ),
        Parameter(
            name="width",
            type="number",
            label="Width",
            unit="mm",
            min=30,
            max=200,
            step=1,
            default=70,
            help="Width of the stand from side to side; about two thirds of the device's width works well.",
        ),
        Parameter(
            name="back_height",
            type="number",
            label="Back rest height",
            unit="mm",
            min=40,
            max=180,
            step=1,
            default=80,
            help="Height of the top of the back rest above the table; taller suits tablets.",
        ),
        Parameter(
            name="lip_height",
            type="number",
            label="Front lip height",
            unit="mm",
            min=4,
            max=30,
            step=0.5,
            default=10,
            help="How high the front lip rises above the slot floor to stop the device sliding off.",
        ),
        Parameter(
            name="device_thickness",
            type="number",
            label="Device thickness",
            unit="mm",
            min=6,
            max=25,
            step=0.5,
            default=12,
            help="Width of the slot the device stands in: your device's thickness with its case, and a bit.",
        ),
        Parameter(
            name="thickness",
            type="number",
            label="Thickness",
            unit="mm",
            min=2,
            max=8,
            step=0.1,
            default=4,
            role="wall",
            help="Thickness of the base, the lip and the back rest.",
        ),
    ),
    builder="designs.parametric.shapes.phone_stand:build",
)
