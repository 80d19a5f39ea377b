"""The pure pieces behind the pages: chart geometry, plate drawings, the report arranged for reading."""

import pytest

from designs.pages.report import number, report_view, units_text
from orders.pages.plates import plate_drawings
from web.charts import bar_chart, column_chart, nice_ceiling


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1.0), (0.7, 1.0), (3, 5.0), (7, 10.0), (12, 20.0), (21, 25.0), (260, 500.0)]
)
def test_axis_maxima_are_round_numbers(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_columns_scale_to_the_rounded_maximum_and_label_every_fifth_day():
    chart = column_chart(values=[(f"d{i}", float(i % 4)) for i in range(12)], width=480, height=200)
    plot_height = 200 - 10 - 24
    assert [column.height for column in chart.columns[:4]] == [
        0.0,
        round(plot_height / 5, 2),
        round(plot_height * 2 / 5, 2),
        round(plot_height * 3 / 5, 2),
    ]
    assert all(column.y + column.height == pytest.approx(chart.baseline) for column in chart.columns)
    assert [tick.text for tick in chart.label_ticks] == ["d0", "d5", "d11"]  # d10 would crowd the last label
    assert [tick.text for tick in chart.value_ticks] == ["0", "2.5", "5"]
    assert chart.columns[3].title == "d3: 3"
    assert not chart.is_empty
    assert column_chart(values=[("a", 0)]).is_empty


def test_bars_share_one_scale_and_mark_full_capacity():
    chart = bar_chart(
        rows=[("a", 0.5, "1/2"), ("b", 1.5, "3/2")], marker=1.0, tones=["", "bad"], width=480, label_width=150
    )
    plot_width = 480 - 150 - 70
    assert [row.bar_width for row in chart.rows] == [round(plot_width * 0.5 / 2.0, 2), round(plot_width * 1.5 / 2.0, 2)]
    assert chart.marker == round(150 + plot_width / 2.0, 2)
    assert [row.tone for row in chart.rows] == ["", "bad"]
    assert [row.y for row in chart.rows] == [0, chart.row_height]
    assert bar_chart(rows=[]).is_empty


def test_plates_flip_y_so_the_front_edge_is_at_the_bottom_and_mark_this_jobs_parts():
    packing = {
        "build_volume_mm": [200, 100, 150],
        "plates": [
            {
                "height_mm": 20,
                "fill_ratio": 0.3,
                "hours": 2.5,
                "placements": [
                    {"item": 7, "copy": 1, "x": 0, "y": 0, "z": 0, "size_mm": [20, 30, 20], "rotated": False},
                    {"item": 9, "copy": 1, "x": 25, "y": 0, "z": 0, "size_mm": [10, 10, 5], "rotated": True},
                ],
            }
        ],
    }
    (plate,) = plate_drawings(packing, job_item_labels={7: "Cube v1"})
    assert (plate.width, plate.depth, plate.hours) == (200.0, 100.0, 2.5)
    ours, theirs = plate.parts
    assert (ours.x, ours.y, ours.width, ours.depth, ours.is_this_job, ours.label) == (0, 70.0, 20, 30, True, "#1")
    assert (theirs.y, theirs.is_this_job, theirs.label) == (90.0, False, "")
    assert theirs.title == "other order, copy 1: 10 x 10 x 5 mm (turned)"
    assert plate_drawings({"error": "too big"}, job_item_labels={}) == []


def test_the_report_view_puts_errors_first_and_printable_materials_first():
    report = {
        "faces": 12,
        "volume_mm3": 8000.0,
        "bounding_box_mm": [20, 20, 20.5],
        "watertight": False,
        "open_edges": 3,
        "units": {"applied": "mm", "source": "default"},
        "issues": [
            {"code": "a", "severity": "info", "message": "fyi"},
            {"code": "b", "severity": "error", "message": "bad"},
            {"code": "c", "severity": "warning", "message": "hmm"},
        ],
        "materials": {"petg": {"printable": False, "reasons": ["no"]}, "pla": {"printable": True, "reasons": []}},
        "thin_wall": {"fraction_below_minimum": {"pla": 0.02}},
    }
    view = report_view(report, material_names={"pla": "PLA", "petg": "PETG"})
    assert [issue["severity"] for issue in view.issues] == ["error", "warning", "info"]
    assert [(v.name, v.printable, v.thin_fraction) for v in view.verdicts] == [
        ("PLA", True, 0.02),
        ("PETG", False, None),
    ]
    facts = {fact.label: (fact.value, fact.tone) for fact in view.facts}
    assert facts["Size"] == ("20 x 20 x 20.5 mm", "")
    assert facts["Volume"] == ("8 cm³", "")
    assert facts["Watertight"] == ("no", "bad")
    assert facts["Open edges"] == ("3", "bad")
    assert facts["Units"] == ("mm (assumed)", "")
    assert view.highlights is None
    assert report_view(None, material_names={}) is None


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (12.0, "12"), (1234.5, "1,234.5"), (None, "-"), ("x", "x")])
def test_numbers_read_plainly(value, text):
    assert number(value) == text


def test_units_text_accepts_old_plain_strings():
    assert units_text("mm") == "mm"
    assert units_text({"applied": "in", "source": "customer"}) == "in (as you chose)"
