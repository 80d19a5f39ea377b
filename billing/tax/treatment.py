"""Which VAT applies to a sale of goods shipped from the seller's EU country to the buyer.

The rules (EU VAT Directive 2006/112/EC, distance selling of goods since 2021, declared through the OSS):

- a consumer in an EU country pays that country's rate (Art. 33: the place of supply is where the goods arrive),
  the seller's own country included;
- a business with a valid VAT number of another EU country than the seller's, whose goods leave the seller's
  country, pays 0 %: an exempt intra-Community supply, the buyer accounts for the VAT (reverse charge; Art. 138);
- a business with a VAT number of the seller's own country pays the seller's rate, no reverse charge;
- a buyer outside the EU pays 0 %: an export (Art. 146), the buyer's country's import VAT is not ours;
- a business whose VAT number is not valid is taxed as a consumer.

Not modelled: the EUR 10,000 threshold under which a small seller may charge its home rate (Art. 59c), reduced
rates, and territories outside the EU VAT area (Canary Islands, Åland, ...), which the caller must treat as exports.
"""

from dataclasses import dataclass
from decimal import Decimal

from billing.tax.rates import EU_MEMBER_STATES, UnknownCountryError, known_country
from billing.tax.vat_numbers import VatNumberCheck

ZERO = Decimal("0.00")

DOMESTIC = "domestic"  # the seller's own country, consumer or business
DISTANCE_SALE = "distance_sale"  # consumer in another EU country: that country's rate (declared through the OSS)
REVERSE_CHARGE = "reverse_charge"  # business in another EU country with a valid VAT number
EXPORT = "export"  # outside the EU

# The Directive's Art. 196 is the reverse charge of services; for goods the recipient owes the VAT on its
# intra-Community acquisition (Art. 200), and the supply is exempt (Art. 138).
REVERSE_CHARGE_NOTE = "Reverse charge: VAT to be accounted for by the recipient (Art. 200 Directive 2006/112/EC)."
INTRA_COMMUNITY_NOTE = "Exempt intra-Community supply of goods (Art. 138 Directive 2006/112/EC)."
EXPORT_NOTE = "Export outside the EU: exempt from VAT (Art. 146 Directive 2006/112/EC)."


@dataclass(frozen=True)
class VatTreatment:
    rate: Decimal  # percent, e.g. Decimal("19.00"); Decimal("0.00") for a reverse charge or an export
    reverse_charge: bool
    country: str  # ISO code of the country whose rate applies (the buyer's for a reverse charge or an export)
    note: str  # the sentence printed on the invoice
    kind: str  # DOMESTIC, DISTANCE_SALE, REVERSE_CHARGE or EXPORT


def _rate_of(rates: dict[str, Decimal], country: str) -> Decimal:
    try:
        return Decimal(rates[country])
    except KeyError:
        raise UnknownCountryError(country, f"There is no VAT rate for the EU member state {country}.") from None


def vat_treatment(
    *,
    seller_country: str,
    buyer_country: str,
    rates: dict[str, Decimal],
    business_vat: VatNumberCheck | None,
) -> VatTreatment:
    """The VAT of a sale; ``business_vat`` is the buyer's checked VAT number, or None for a consumer.

    Raises ``UnknownCountryError`` (a ``ValueError``) for a code that is no ISO country, for a seller outside the
    EU, and for an EU country missing from ``rates``.
    """
    known_country(seller_country)
    known_country(buyer_country)
    if seller_country not in EU_MEMBER_STATES:
        raise UnknownCountryError(seller_country, f"The seller's country {seller_country} is not in the EU.")
    seller_rate = _rate_of(rates, seller_country)

    if buyer_country not in EU_MEMBER_STATES:
        return VatTreatment(rate=ZERO, reverse_charge=False, country=buyer_country, note=EXPORT_NOTE, kind=EXPORT)

    buyer_rate = _rate_of(rates, buyer_country)
    is_business = business_vat is not None and business_vat.valid
    if buyer_country == seller_country:
        return VatTreatment(
            rate=seller_rate, reverse_charge=False, country=seller_country, note=_charged(seller_rate, seller_country),
            kind=DOMESTIC,
        )  # fmt: skip
    if is_business and business_vat.country != seller_country:
        return VatTreatment(
            rate=ZERO,
            reverse_charge=True,
            country=buyer_country,
            note=f"{INTRA_COMMUNITY_NOTE} {REVERSE_CHARGE_NOTE}",
            kind=REVERSE_CHARGE,
        )
    if is_business:
        # A VAT number of the seller's own country: no exempt supply, the seller's VAT (not the destination's).
        return VatTreatment(
            rate=seller_rate, reverse_charge=False, country=seller_country, note=_charged(seller_rate, seller_country),
            kind=DOMESTIC,
        )  # fmt: skip
    return VatTreatment(
        rate=buyer_rate,
        reverse_charge=False,
        country=buyer_country,
        note=f"{_charged(buyer_rate, buyer_country)} Distance sale of goods, declared through the EU One-Stop Shop.",
        kind=DISTANCE_SALE,
    )


def _charged(rate: Decimal, country: str) -> str:
    return f"VAT {rate.normalize():f} % ({country})."
