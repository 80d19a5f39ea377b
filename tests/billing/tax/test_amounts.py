from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.tax import LineAmounts, line_amounts, line_amounts_from_gross, sum_lines

D = Decimal


def test_a_line_from_its_net():
    assert line_amounts(D("10.00"), D("19")) == LineAmounts(net=D("10.00"), vat=D("1.90"), gross=D("11.90"))


@pytest.mark.parametrize(
    ("net", "rate", "vat"),
    [
        ("0.05", "25.5", "0.01"),  # 0.01275 -> 0.01
        ("0.10", "25", "0.03"),  # 0.025 -> 0.03: half up, not to even
        ("0.30", "25", "0.08"),  # 0.075 -> 0.08
        ("2.50", "21", "0.53"),  # 0.525 -> 0.53
        ("-2.50", "21", "-0.53"),  # a credit note's line rounds the same way
        ("12.345", "19", "2.35"),  # the net is rounded first (12.35), then its VAT 2.3465 -> 2.35
        ("100", "0", "0.00"),
    ],
)
def test_vat_is_rounded_half_up_to_cents(net, rate, vat):
    line = line_amounts(D(net), D(rate))

    assert line.vat == D(vat)
    assert line.gross == line.net + line.vat
    assert line.net.as_tuple().exponent == -2


def test_a_line_from_its_gross_keeps_the_gross():
    line = line_amounts_from_gross(D("11.90"), D("19.00"))

    assert line == LineAmounts(net=D("10.00"), vat=D("1.90"), gross=D("11.90"))
    assert line_amounts_from_gross(D("9.99"), D("25.5")) == LineAmounts(D("7.96"), D("2.03"), D("9.99"))


def test_totals_are_the_sums_of_the_rounded_lines():
    lines = [line_amounts(D("0.10"), D("25"))] * 3

    assert sum_lines(lines) == LineAmounts(net=D("0.30"), vat=D("0.09"), gross=D("0.39"))
    assert sum_lines([]) == LineAmounts(D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.parametrize("rate", ["-1", "100", "250"])
def test_a_rate_outside_0_to_100_is_refused(rate):
    with pytest.raises(ValueError, match="percentage"):
        line_amounts(D("1"), D(rate))


def test_floats_are_refused():
    with pytest.raises(TypeError, match="not float"):
        line_amounts(0.1, D("19"))
    with pytest.raises(TypeError, match="not a float"):
        line_amounts(D("0.1"), 19.0)
    with pytest.raises(ValueError, match="not an amount"):
        line_amounts(D("NaN"), D("19"))


@given(
    net=st.decimals(min_value=-100000, max_value=100000, places=2, allow_nan=False, allow_infinity=False),
    rate=st.sampled_from([D("0"), D("17"), D("19"), D("20"), D("25.5"), D("27")]),
)
def test_every_line_adds_up_and_round_trips_through_its_gross(net, rate):
    line = line_amounts(net, rate)

    assert line.gross == line.net + line.vat
    assert abs(line.vat - net * rate / 100) <= D("0.005")
    back = line_amounts_from_gross(line.gross, rate)
    assert back.gross == line.gross
    assert abs(back.net - line.net) <= D("0.01")
