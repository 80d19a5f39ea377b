"""VAT for the platform's sales of goods (pure: no Django, no app code).

- ``rates``: the EU member states and the seed table of their standard rates (``eu_vat_rates.json``).
- ``vat_numbers``: an offline check of an EU VAT number (format and check digits, python-stdnum; no VIES call).
- ``treatment``: which rate applies to a sale, and whether it is a reverse charge or an export.
- ``amounts``: net / VAT / gross of an invoice line, in Decimal, rounded half up to cents.
"""

from billing.tax.amounts import LineAmounts, line_amounts, line_amounts_from_gross, sum_lines
from billing.tax.rates import EU_MEMBER_STATES, UnknownCountryError, country_name, load_eu_rates
from billing.tax.treatment import VatTreatment, vat_treatment
from billing.tax.vat_numbers import VatNumberCheck, vat_number_check

__all__ = [
    "EU_MEMBER_STATES",
    "LineAmounts",
    "UnknownCountryError",
    "VatNumberCheck",
    "VatTreatment",
    "country_name",
    "line_amounts",
    "line_amounts_from_gross",
    "load_eu_rates",
    "sum_lines",
    "vat_number_check",
    "vat_treatment",
]
