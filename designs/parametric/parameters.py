"""The parameter schema of a template and the rules that turn a customer's raw value into a canonical one.

Canonical values matter: the same piece asked for as ``{"size": "54"}`` or ``{"size": 54.0000000001}``
must give the same dict, so that it generates the same bytes and is recognised as the same design when it is
frozen on an order item and made again. Numbers are therefore snapped to the parameter's step and rebuilt
from decimal arithmetic, so ``0.1 * 3`` comes out as the float nearest to 0.3, not 0.30000000000000004.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import Any, Literal

ParameterType = Literal["number", "integer", "choice", "boolean", "number_list"]
PARAMETER_TYPES: tuple[str, ...] = ("number", "integer", "choice", "boolean", "number_list")

# A value within a millionth of a step of a grid point is taken as that grid point: floats from a browser
# (0.30000000000000004) must not be refused for being off-step.
STEP_TOLERANCE = 1e-6

# Plain decimal notation only: Python's float() would also take "nan", "inf", "1_000" and " 0x10"-like text.
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0"})
_UNIT_WORDS = {"mm": " mm", "deg": " degrees", "count": "", "": ""}


class ParameterError(ValueError):
    """A parameter value a customer sent cannot be used; ``message`` names it and says what is allowed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Parameter:
    """One field of a template's form.

    ``role="wall"`` marks a thickness that must respect the chosen material's minimum wall; the platform
    compares it with the material, this package does not know materials.
    For ``number_list``, ``min``/``max``/``step`` apply to each element and ``min_length``/``max_length``
    to the list.
    """

    name: str
    type: ParameterType
    label: str
    help: str
    default: Any
    unit: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    role: str = ""
    min_length: int | None = None
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.type not in PARAMETER_TYPES:
            raise ValueError(f"parameter {self.name}: unknown type {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"parameter {self.name}: a choice needs choices")
        if self.type == "number_list" and (self.min_length is None or self.max_length is None):
            raise ValueError(f"parameter {self.name}: a number_list needs min_length and max_length")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the API lists for a template's form."""
        shape: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "unit": self.unit,
            "min": self.min,
            "max": self.max,
            "step": self.step,
            # The canonical default, exactly what validation fills in when the parameter is left out.
            "default": self.coerce(self.default),
            "help": self.help,
            "label": self.label,
        }
        if self.choices:
            shape["choices"] = list(self.choices)
        if self.role:
            shape["role"] = self.role
        if self.type == "number_list":
            shape["min_length"] = self.min_length
            shape["max_length"] = self.max_length
        return shape

    def coerce(self, raw: Any) -> Any:
        """The canonical value for ``raw``, or ParameterError saying in plain words what is allowed."""
        if self.type == "number":
            return _canonical_number(self, raw, name=self.name)
        if self.type == "integer":
            return _canonical_integer(self, raw)
        if self.type == "choice":
            return _canonical_choice(self, raw)
        if self.type == "boolean":
            return _canonical_boolean(self, raw)
        return _canonical_number_list(self, raw)

    def range_text(self) -> str:
        """'between 2 and 12 mm', the allowed range as a customer reads it."""
        return f"between {format_number(self.min)} and {format_number(self.max)}{unit_text(self.unit)}"


def format_number(value: float | int | None) -> str:
    """Shortest readable form: 12 not 12.0, 0.3 not 0.30000000000000004."""
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".10g")


def unit_text(unit: str) -> str:
    return _UNIT_WORDS.get(unit, f" {unit}")


def describe_raw(raw: Any) -> str:
    """How a refused value is quoted back: numbers plainly, text in quotes, other things by kind."""
    if raw is None:
        return "nothing"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Real | Decimal):
        try:
            return format_number(float(raw))
        except OverflowError:
            return "a number too large"
    if isinstance(raw, str):
        text = raw if len(raw) <= 40 else raw[:37] + "..."
        return json.dumps(text)
    if isinstance(raw, Sequence):
        return "a list"
    if isinstance(raw, dict):
        return "an object"
    return f"a {type(raw).__name__}"


def _parse_number(raw: Any) -> float | None:
    """A finite float from a JSON number or decimal text, or None; a bool is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            return None
        raw = text
    elif not isinstance(raw, Real | Decimal):
        return None
    try:
        value = float(raw)
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _canonical_number(parameter: Parameter, raw: Any, *, name: str) -> float:
    value = _parse_number(raw)
    if value is None:
        raise ParameterError(
            parameter.name, f"{name} must be a number {parameter.range_text()} (got {describe_raw(raw)})"
        )
    out_of_range = ParameterError(parameter.name, f"{name} must be {parameter.range_text()} (got {describe_raw(raw)})")
    step_slack = (parameter.step or 0.0) * STEP_TOLERANCE
    # Far outside the range is refused before any step arithmetic (1e308 / 0.1 overflows).
    if (parameter.min is not None and value < parameter.min - step_slack) or (
        parameter.max is not None and value > parameter.max + step_slack
    ):
        raise out_of_range
    canonical = value
    is_on_step = True
    if parameter.step is not None:
        base = parameter.min if parameter.min is not None else 0.0
        steps_from_base = (value - base) / parameter.step
        nearest_step = round(steps_from_base)
        is_on_step = abs(steps_from_base - nearest_step) <= STEP_TOLERANCE
        if is_on_step:
            canonical = float(Decimal(repr(float(base))) + nearest_step * Decimal(repr(float(parameter.step))))
    if (parameter.min is not None and canonical < parameter.min) or (
        parameter.max is not None and canonical > parameter.max
    ):
        raise out_of_range
    if not is_on_step:
        raise ParameterError(
            parameter.name,
            f"{name} must be in steps of {format_number(parameter.step)}{unit_text(parameter.unit)} "
            f"(got {describe_raw(raw)})",
        )
    # -0.0 and 0.0 are equal but print and hash differently in JSON; keep one of them.
    return canonical + 0.0


def _canonical_integer(parameter: Parameter, raw: Any) -> int:
    value = _parse_number(raw)
    if value is None or not value.is_integer():
        raise ParameterError(
            parameter.name,
            f"{parameter.name} must be a whole number {parameter.range_text()} (got {describe_raw(raw)})",
        )
    return int(_canonical_number(parameter, value, name=parameter.name))


def _canonical_choice(parameter: Parameter, raw: Any) -> str:
    if isinstance(raw, str):
        wanted = raw.strip().casefold()
        for choice in parameter.choices:
            if choice.casefold() == wanted:
                return choice
    raise ParameterError(
        parameter.name,
        f"{parameter.name} must be one of {', '.join(parameter.choices)} (got {describe_raw(raw)})",
    )


def _canonical_boolean(parameter: Parameter, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    # Web forms send "on"/"true"; some clients send 0/1.
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise ParameterError(parameter.name, f"{parameter.name} must be true or false (got {describe_raw(raw)})")


def _canonical_number_list(parameter: Parameter, raw: Any) -> list[float]:
    if isinstance(raw, str):
        # A text field with "30, 40, 45" is the simplest form a customer can type.
        items: Sequence[Any] = [part for part in re.split(r"[,;\s]+", raw.strip()) if part]
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise ParameterError(
            parameter.name,
            f"{parameter.name} must be a list of numbers {parameter.range_text()} (got {describe_raw(raw)})",
        )
    if not parameter.min_length <= len(items) <= parameter.max_length:
        raise ParameterError(
            parameter.name,
            f"{parameter.name} needs between {parameter.min_length} and {parameter.max_length} values "
            f"(got {len(items)})",
        )
    return [_canonical_number(parameter, item, name=f"{parameter.name}[{index}]") for index, item in enumerate(items)]
