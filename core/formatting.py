"""Numbers as the reader writes them: money with the currency where their language puts it (CLDR, via Babel).

``money_text(Decimal("1234.5"), "EUR")`` is "€1,234.50" in English, "1.234,50 €" in German, "1 234,50 €" in French
and "€ 1.234,50" in Dutch, in the language active for the request or e-mail (``django.utils.translation``).
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal
from django.utils.translation import get_language, to_locale


def _locale(language: str | None) -> str:
    return to_locale(language or get_language() or "en")


def money_text(amount, currency: str = "EUR", *, language: str | None = None) -> str:
    """An amount of money in the reader's locale; "-" for nothing."""
    if amount is None or amount == "":
        return "-"
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    return format_currency(value, currency or "EUR", locale=_locale(language))


def number_text(value, digits: int = 0, *, language: str | None = None) -> str:
    """A plain number with the locale's separators and exactly ``digits`` decimals; "-" for nothing."""
    if value is None or value == "":
        return "-"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=_locale(language))


def localised(value):
    """A value inside a sentence, written the reader's way: numbers with the locale's separators and the decimals
    they have ("1.869", "15,73" in German); anything else as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict) and "decimal" in value:  # an amount as kept in JSON: its decimals as written
        exact = Decimal(value["decimal"])
        return number_text(exact, max(0, -exact.as_tuple().exponent))
    if isinstance(value, int | float | Decimal):
        exact = Decimal(str(value)).normalize()
        return number_text(exact, max(0, -exact.as_tuple().exponent))
    return value


def duration_text(seconds) -> str:
    """A length of time as a person reads it on a page: "2 h 05 min", or "45 min" under an hour."""
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
