"""Net, VAT and gross of an invoice line, in Decimal, each rounded half up to cents.

VAT is computed per line from the rounded net, and gross = net + VAT, so a line always adds up; an invoice's
totals are the sums of its lines (``sum_lines``). Negative amounts (a credit note's lines) round symmetrically.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal
    gross: Decimal


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _checked_rate(rate: Decimal) -> Decimal:
    if isinstance(rate, float):
        raise TypeError("Pass the VAT rate as a Decimal (or str), not a float.")
    rate = Decimal(rate)
    if not Decimal(0) <= rate < HUNDRED:
        raise ValueError(f"A VAT rate is a percentage from 0 to below 100, not {rate}.")
    return rate


def _checked_amount(amount: Decimal) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("Pass amounts as Decimal (or str), not float.")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount.")
    return amount


def line_amounts(net: Decimal, rate: Decimal) -> LineAmounts:
    """From a net amount and a rate in percent: ``line_amounts(Decimal("10"), Decimal("19"))`` -> 10.00 1.90 11.90."""
    net = cents(_checked_amount(net))
    vat = cents(net * _checked_rate(rate) / HUNDRED)
    return LineAmounts(net=net, vat=vat, gross=net + vat)


def line_amounts_from_gross(gross: Decimal, rate: Decimal) -> LineAmounts:
    """From a gross (VAT-inclusive) amount: the net is rounded, the VAT is the rest, so the gross is kept exactly."""
    gross = cents(_checked_amount(gross))
    net = cents(gross * HUNDRED / (HUNDRED + _checked_rate(rate)))
    return LineAmounts(net=net, vat=gross - net, gross=gross)


def sum_lines(lines: Iterable[LineAmounts]) -> LineAmounts:
    """The totals of an invoice: the sum of its lines' rounded amounts."""
    net = vat = Decimal("0.00")
    for line in lines:
        net += line.net
        vat += line.vat
    return LineAmounts(net=net, vat=vat, gross=net + vat)
