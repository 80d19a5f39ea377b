"""Geometry of the dashboard's charts, drawn by the templates as inline SVG (no chart library, no script).

Pure functions: numbers in, rectangles and labels out, in the SVG's own coordinate units.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    title: str  # the tooltip: label and value in words


@dataclass(frozen=True)
class Tick:
    position: float  # y for a column chart's value axis, x for a bar chart's
    text: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    baseline: float
    columns: list
    value_ticks: list
    label_ticks: list  # (x, text) under the columns, not every column gets one
    is_empty: bool


@dataclass(frozen=True)
class BarRow:
    y: float
    bar_width: float
    label: str
    value_text: str
    tone: str  # "", "warn" or "bad": a colour class
    title: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: float
    plot_width: float
    row_height: float
    bar_height: float
    rows: list
    marker: float | None  # x of a reference line (100 % capacity), if any
    is_empty: bool


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at or above ``value`` (an axis maximum people read easily)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _tick_text(value: float) -> str:
    return f"{value:g}" if value < 10 else f"{value:,.0f}"


def column_chart(
    *,
    values: list[tuple[str, float]],
    width: int = 480,
    height: int = 200,
    label_every: int = 5,
    unit: str = "",
) -> ColumnChart:
    """Vertical columns, one per (label, value), left to right, with a value axis of three ticks."""
    left, right, top, bottom = 36.0, 8.0, 10.0, 24.0
    plot_width = width - left - right
    plot_height = height - top - bottom
    baseline = top + plot_height
    top_value = nice_ceiling(max((v for _, v in values), default=0))
    slot = plot_width / max(len(values), 1)
    gap = min(2.0, slot * 0.2)
    columns, label_ticks = [], []
    for index, (label, value) in enumerate(values):
        column_height = plot_height * (value / top_value) if top_value else 0.0
        x = left + index * slot + gap / 2
        columns.append(
            Column(
                x=round(x, 2),
                y=round(baseline - column_height, 2),
                width=round(slot - gap, 2),
                height=round(column_height, 2),
                label=label,
                value=value,
                title=f"{label}: {_tick_text(value)}{unit}",
            )
        )
        is_last = index == len(values) - 1
        # A regular label too close to the last one would overlap it.
        if is_last or (index % label_every == 0 and len(values) - 1 - index >= label_every):
            label_ticks.append(Tick(position=round(x + (slot - gap) / 2, 2), text=label))
    value_ticks = [
        Tick(position=round(baseline - plot_height * fraction, 2), text=_tick_text(top_value * fraction))
        for fraction in (0.0, 0.5, 1.0)
    ]
    return ColumnChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=width - right,
        baseline=baseline,
        columns=columns,
        value_ticks=value_ticks,
        label_ticks=label_ticks,
        is_empty=not any(value for _, value in values),
    )


def bar_chart(
    *,
    rows: list[tuple[str, float, str]],
    maximum: float | None = None,
    marker: float | None = None,
    tones: list[str] | None = None,
    width: int = 480,
    label_width: float = 150.0,
    row_height: float = 24.0,
) -> BarChart:
    """Horizontal bars, one per (label, value, value text), top to bottom.

    ``maximum`` fixes the scale (else the largest value, rounded up); ``marker`` draws a reference line at
    that value (for example 1.0 = full capacity).
    """
    value_room = 70.0
    plot_width = width - label_width - value_room
    largest = max([value for _, value, _ in rows] + [marker or 0.0], default=0.0)
    scale_top = maximum if maximum is not None else nice_ceiling(largest)
    scale_top = max(scale_top, largest, 1e-9)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        bars.append(
            BarRow(
                y=index * row_height,
                bar_width=round(plot_width * max(value, 0.0) / scale_top, 2),
                label=label,
                value_text=text,
                tone=(tones[index] if tones else ""),
                title=f"{label}: {text}",
            )
        )
    return BarChart(
        width=width,
        height=int(max(len(rows), 1) * row_height),
        label_width=label_width,
        plot_width=plot_width,
        row_height=row_height,
        bar_height=row_height * 0.62,
        rows=bars,
        marker=round(label_width + plot_width * marker / scale_top, 2) if marker is not None else None,
        is_empty=not rows,
    )
