"""Length units: names customers and files use, and their size in millimetres."""

from .errors import MeshError

MILLIMETRES_PER_UNIT = {
    "um": 0.001,
    "mm": 1.0,
    "cm": 10.0,
    "m": 1000.0,
    "in": 25.4,
    "ft": 304.8,
}

UNIT_WORDS = {
    "um": "micrometres",
    "mm": "millimetres",
    "cm": "centimetres",
    "m": "metres",
    "in": "inches",
    "ft": "feet",
}

CUSTOMER_UNITS = ("mm", "cm", "in", "m")

# Spellings found in files (3MF ``unit`` attribute, STL headers written by CAD tools).
_ALIASES = {
    "micron": "um",
    "microns": "um",
    "micrometer": "um",
    "micrometre": "um",
    "um": "um",
    "millimeter": "mm",
    "millimetre": "mm",
    "millimeters": "mm",
    "millimetres": "mm",
    "mm": "mm",
    "centimeter": "cm",
    "centimetre": "cm",
    "centimeters": "cm",
    "cm": "cm",
    "meter": "m",
    "metre": "m",
    "meters": "m",
    "metres": "m",
    "m": "m",
    "inch": "in",
    "inches": "in",
    "in": "in",
    "foot": "ft",
    "feet": "ft",
    "ft": "ft",
}


def unit_from_file_word(word: str) -> str | None:
    """The canonical unit for a spelling found inside a file, or None when it is not a length unit."""
    return _ALIASES.get(word.strip().lower())


def customer_unit(units: str | None) -> str | None:
    """Validate the unit a customer chose (None means "use the file's own")."""
    if units is None:
        return None
    canonical = _ALIASES.get(units.strip().lower())
    if canonical not in CUSTOMER_UNITS:
        choices = ", ".join(CUSTOMER_UNITS)
        raise MeshError("bad_units", f"Unknown unit {units!r}; choose one of {choices}.")
    return canonical


def format_length(value_mm: float) -> str:
    """A length for a sentence: '220 mm', '12.5 mm', '0.6 mm', '0.044 mm'."""
    if value_mm == 0:
        return "0 mm"
    magnitude = abs(value_mm)
    if magnitude >= 100:
        text = f"{value_mm:.0f}"
    elif magnitude >= 10:
        text = f"{value_mm:.1f}".rstrip("0").rstrip(".")
    elif magnitude >= 1:
        text = f"{value_mm:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value_mm:.3g}"
    return f"{text} mm"


def format_volume(value_mm3: float) -> str:
    """A volume for a sentence: '12.3 cm³' from 1 cm³ up, else '340 mm³' (or 'under 1 mm³')."""
    if value_mm3 >= 1000:
        return f"{value_mm3 / 1000:.1f} cm³"
    if value_mm3 >= 1:
        return f"{value_mm3:.0f} mm³"
    return "under 1 mm³"
