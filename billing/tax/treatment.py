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

from dataclasses import dataclass, field
from decimal import Decimal

from billing.tax.rates import EU_MEMBER_STATES, UnknownCountryError, gettext_noop, known_country
from billing.tax.vat_numbers import VatNumberCheck

ZERO = Decimal("0.00")

DOMESTIC = "domestic"  # the seller's own country, consumer or business
DISTANCE_SALE = "distance_sale"  # consumer in another EU country: that country's rate (declared through the OSS)
REVERSE_CHARGE = "reverse_charge"  # business in another EU country with a valid VAT number
EXPORT = "export"  # outside the EU

# The Directive's Art. 196 is the reverse charge of services; for goods the recipient owes the VAT on its
# intra-Community acquisition (Art. 200), and the supply is exempt (Art. 138).
REVERSE_CHARGE_NOTE = gettext_noop(
    "Reverse charge: VAT to be accounted for by the recipient (Art. 200 Directive 2006/112/EC)."
)
INTRA_COMMUNITY_NOTE = gettext_noop("Exempt intra-Community supply of goods (Art. 138 Directive 2006/112/EC).")
EXPORT_NOTE = gettext_noop("Export outside the EU: exempt from VAT (Art. 146 Directive 2006/112/EC).")
CHARGED_NOTE = gettext_noop("VAT %(rate)s %% (%(country)s).")
DISTANCE_SALE_NOTE = gettext_noop("Distance sale of goods, declared through the EU One-Stop Shop.")


@dataclass(frozen=True)
class VatTreatment:
    rate: Decimal  # percent, e.g. Decimal("19.00"); Decimal("0.00") for a reverse charge or an export
    reverse_charge: bool
    country: str  # ISO code of the country whose rate applies (the buyer's for a reverse charge or an export)
    note: str  # the sentence printed on the invoice (English)
    kind: str  # DOMESTIC, DISTANCE_SALE, REVERSE_CHARGE or EXPORT
    # The note's sentences as templates (``note == " ".join(t % note_params for t in note_templates)``), for the
    # Django side to write it in the reader's language; ``note_params``: rate (a Decimal) and country (ISO code).
    note_templates: tuple[str, ...] = ()
    note_params: dict = field(default_factory=dict, compare=False)


def _rate_of(rates: dict[str, Decimal], country: str) -> Decimal:
    try:
        return Decimal(rates[country])
    except KeyError:
        raise UnknownCountryError(
            country, gettext_noop("There is no VAT rate for the EU member state %(country)s."), country=country
        ) from None


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
        raise UnknownCountryError(
            seller_country, gettext_noop("The seller's country %(country)s is not in the EU."), country=seller_country
        )
    seller_rate = _rate_of(rates, seller_country)

    if buyer_country not in EU_MEMBER_STATES:
        return _treatment(rate=ZERO, reverse_charge=False, country=buyer_country, kind=EXPORT, notes=(EXPORT_NOTE,))

    buyer_rate = _rate_of(rates, buyer_country)
    is_business = business_vat is not None and business_vat.valid
    if buyer_country == seller_country:
        return _treatment(
            rate=seller_rate, reverse_charge=False, country=seller_country, kind=DOMESTIC, notes=(CHARGED_NOTE,)
        )
    if is_business and business_vat.country != seller_country:
        return _treatment(
            rate=ZERO,
            reverse_charge=True,
            country=buyer_country,
            kind=REVERSE_CHARGE,
            notes=(INTRA_COMMUNITY_NOTE, REVERSE_CHARGE_NOTE),
        )
    if is_business:
        # A VAT number of the seller's own country: no exempt supply, the seller's VAT (not the destination's).
        return _treatment(
            rate=seller_rate, reverse_charge=False, country=seller_country, kind=DOMESTIC, notes=(CHARGED_NOTE,)
        )
    return _treatment(
        rate=buyer_rate,
        reverse_charge=False,
        country=buyer_country,
        kind=DISTANCE_SALE,
        notes=(CHARGED_NOTE, DISTANCE_SALE_NOTE),
    )


def _treatment(*, rate: Decimal, reverse_charge: bool, country: str, kind: str, notes: tuple[str, ...]) -> VatTreatment:
    params = {"rate": rate, "country": country}
    english = {"rate": f"{rate.normalize():f}", "country": country}
    return VatTreatment(
        rate=rate,
        reverse_charge=reverse_charge,
        country=country,
        note=" ".join(template % english for template in notes),
        kind=kind,
        note_templates=notes,
        note_params=params,
    )
