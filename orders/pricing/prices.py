"""Instant quotes: an itemised price for printing a part in a material, and machine time for batches.

Money is ``Decimal`` rounded to cents with ROUND_HALF_UP at each line's unit amount, so every line is exactly
``quantity x unit_amount`` and the total is exactly the sum of the lines: what the customer reads adds up.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from orders.packing.plates import PackingResult
from orders.pricing.machine_time import (
    PROCESS_TIME_MODELS,
    PROCESSES,
    BatchTimeEstimate,
    MachineTime,
    PartMetrics,
    ProcessTimeModel,
    batch_machine_hours,
    fdm_print,
    machine_time_for_part,
)

__all__ = [
    "CENT",
    "DEFAULT_TIERS",
    "PROCESSES",
    "PROCESS_TIME_MODELS",
    "BatchTimeEstimate",
    "DiscountTier",
    "MachineTime",
    "MaterialPricing",
    "PartMetrics",
    "ProcessTimeModel",
    "QuoteBreakdown",
    "QuoteLine",
    "estimate_batch_hours",
    "machine_time_for_part",
    "quote_part",
    "to_cents",
]

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: float) -> Decimal:
    # repr() gives the shortest string that round-trips, so 0.5 stays 0.5 and not 0.5000000000000000277.
    return Decimal(repr(float(value)))


@dataclass(frozen=True, kw_only=True)
class MaterialPricing:
    code: str
    name: str
    process: str  # one of PROCESSES
    density_g_cm3: float
    price_per_cm3: Decimal
    machine_rate_per_hour: Decimal
    setup_fee: Decimal
    handling_per_part: Decimal
    needs_support: bool
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.process not in PROCESSES:
            raise ValueError(f"material {self.code}: unknown process {self.process!r}")
        if self.density_g_cm3 <= 0:
            raise ValueError(f"material {self.code}: density must be positive")
        for label, amount in (
            ("price per cm3", self.price_per_cm3),
            ("machine rate", self.machine_rate_per_hour),
            ("set-up fee", self.setup_fee),
            ("handling per part", self.handling_per_part),
        ):
            if not isinstance(amount, Decimal) or amount < 0:
                raise ValueError(f"material {self.code}: {label} must be a Decimal of at least 0, not {amount!r}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"material {self.code}: currency {self.currency!r} is not an ISO 4217 code")


@dataclass(frozen=True, kw_only=True)
class DiscountTier:
    """From the ``min_quantity``-th unit on, each further unit's variable cost is ``rate`` cheaper."""

    min_quantity: int
    rate: Decimal


DEFAULT_TIERS: tuple[DiscountTier, ...] = (
    DiscountTier(min_quantity=1, rate=Decimal("0")),
    DiscountTier(min_quantity=5, rate=Decimal("0.05")),
    DiscountTier(min_quantity=10, rate=Decimal("0.10")),
    DiscountTier(min_quantity=25, rate=Decimal("0.15")),
    DiscountTier(min_quantity=50, rate=Decimal("0.20")),
)


@dataclass(frozen=True, kw_only=True)
class SlicedFigures:
    """What the slicer says one part takes on a given printer (its G-code's estimate and material, supports
    included): when known, these replace the instant estimate's machine hours and material."""

    print_hours: float
    material_cm3: float
    mass_g: float


@dataclass(frozen=True, kw_only=True)
class QuoteLine:
    code: str
    label: str
    quantity: int
    unit_amount: Decimal
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class QuoteBreakdown:
    material_code: str
    process: str
    quantity: int
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal  # sum of the positive lines
    discount: Decimal  # the quantity discount as a positive amount (its line is negative)
    total: Decimal  # subtotal - discount == sum of all lines
    unit_price: Decimal  # total / quantity, rounded to cents
    currency: str
    machine_hours: float
    mass_g: float  # one part, without support material (FDM: the plastic extruded for it)
    total_mass_g: float
    lead_time_days: int  # working days to ship, before transit
    valid_until: datetime
    basis: str = "estimate"  # "sliced" when the slicer's figures priced it

    def line(self, code: str) -> QuoteLine | None:
        return next((line for line in self.lines if line.code == code), None)

    def as_dict(self) -> dict:
        """JSON-ready: amounts as strings ("12.30") so no float ever touches money."""
        return {
            "material": self.material_code,
            "process": self.process,
            "quantity": self.quantity,
            "currency": self.currency,
            "lines": [
                {
                    "code": line.code,
                    "label": line.label,
                    "quantity": line.quantity,
                    "unit_amount": str(line.unit_amount),
                    "amount": str(line.amount),
                }
                for line in self.lines
            ],
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "total": str(self.total),
            "unit_price": str(self.unit_price),
            "machine_hours": self.machine_hours,
            "mass_g": self.mass_g,
            "total_mass_g": self.total_mass_g,
            "lead_time_days": self.lead_time_days,
            "valid_until": self.valid_until.isoformat(),
            "basis": self.basis,
        }


# Printers run unattended overnight, but plates are changed and parts checked: about 20 useful hours a day.
PRODUCTIVE_HOURS_PER_DAY = 20.0
# One working day to check the files, slice and schedule before printing starts.
PREPARATION_DAYS = 1


def quote_part(
    *,
    part: PartMetrics,
    material: MaterialPricing,
    quantity: int,
    price_factor: Decimal = Decimal(1),
    discount_tiers: Sequence[DiscountTier] = DEFAULT_TIERS,
    now: datetime | None = None,
    validity_days: int = 14,
    sliced: SlicedFigures | None = None,
    time_factor: float = 1.0,
) -> QuoteBreakdown:
    """Price ``quantity`` copies of ``part`` in ``material``, line by line.

    ``sliced``: the slicer's own figures for one part on the maker's printer; the material and machine-time
    lines then use them (``basis`` "sliced") instead of the instant estimate (``basis`` "estimate").

    Lines (every unit amount is multiplied by ``price_factor``, the maker's own level, then rounded):
    - ``material``: (part volume + support volume when the material needs support) in cm3 x price per cm3,
      per part. For FDM the volumes are what the slicer extrudes (``machine_time.fdm_print``: perimeters,
      solid layers and sparse infill, and support lines), not the solid volumes.
    - ``machine_time``: the part's own machine hours (see ``machine_time.PROCESS_TIME_MODELS``) x machine
      rate, per part.
    - ``machine_time_shared``: layer time that one build spends once for all its parts (SLA, SLS, MJF, metal
      recoat and exposure per layer), charged once: this is why small batches get cheaper per part.
    - ``handling``: removing supports, cleaning, checking and packing, per part.
    - ``setup``: preparing the job and the machine, once per batch.
    - ``quantity_discount`` (negative): a graduated discount on the per-part amounts (material + machine
      time + handling), like tax brackets: units 1-4 pay full price, units 5-9 get 5 % off, 10-24 10 %,
      25-49 15 %, 50 and more 20 % (``DEFAULT_TIERS``). Graduating it, rather than discounting every unit
      once a threshold is crossed, keeps two promises: ordering one more never lowers the total (no
      "buy 25 to pay less than for 24" cliff), and the unit price never rises with the quantity.

    ``time_factor``: the printer's correction factor (``corrections.correction``: how much longer or shorter its
    prints really take than estimated); the machine hours, their lines and the lead time use the corrected hours.

    Lead time is preparation (1 day) + machine hours at 20 productive hours a day (rounded up) +
    post-processing days of the process; transit to the customer is added by matching, per maker.
    """
    if quantity < 1:
        raise ValueError(f"quantity {quantity} must be at least 1")
    if not isinstance(price_factor, Decimal) or price_factor <= 0:
        raise ValueError(f"price factor {price_factor!r} must be a positive Decimal")
    if validity_days < 1:
        raise ValueError("a quote is valid for at least one day")
    if not time_factor > 0:
        raise ValueError(f"time factor {time_factor!r} must be above 0")
    tiers = _checked_tiers(discount_tiers)
    model = PROCESS_TIME_MODELS[material.process]
    time = machine_time_for_part(part=part, process=material.process, with_support=material.needs_support)

    if sliced is not None:
        time = replace(time, per_part_hours=sliced.print_hours)
        part_cm3, support_cm3 = sliced.material_cm3, 0.0
    elif material.process == "fdm":
        extruded = fdm_print(part, with_support=material.needs_support)
        part_cm3, support_cm3 = extruded.part_mm3 / 1000.0, extruded.support_mm3 / 1000.0
    else:
        part_cm3 = part.volume_mm3 / 1000.0
        support_cm3 = part.support_volume_mm3 / 1000.0 if material.needs_support else 0.0
    if time_factor != 1.0:
        time = replace(
            time, per_part_hours=time.per_part_hours * time_factor, per_batch_hours=time.per_batch_hours * time_factor
        )
    printed_cm3 = part_cm3 + support_cm3
    material_unit = to_cents(_decimal(printed_cm3) * material.price_per_cm3 * price_factor)
    machine_unit = to_cents(_decimal(time.per_part_hours) * material.machine_rate_per_hour * price_factor)
    handling_unit = to_cents(material.handling_per_part * price_factor)
    setup_amount = to_cents(material.setup_fee * price_factor)

    support_note = " incl. support" if material.needs_support and (sliced or part.support_volume_mm3 > 0) else ""
    lines = [
        _line("material", f"{material.name}: {printed_cm3:.2f} cm3{support_note}", quantity, material_unit),
        _line("machine_time", f"Machine time: {time.per_part_hours:.2f} h per part", quantity, machine_unit),
    ]
    if time.per_batch_hours > 0:
        shared_amount = to_cents(_decimal(time.per_batch_hours) * material.machine_rate_per_hour * price_factor)
        label = (
            f"Machine time shared by the batch: {time.layers} layers of {model.layer_height_mm:g} mm "
            f"({time.per_batch_hours:.2f} h)"
        )
        lines.append(_line("machine_time_shared", label, 1, shared_amount))
    lines.append(_line("handling", "Handling, finishing and packing", quantity, handling_unit))
    lines.append(_line("setup", "Job set-up", 1, setup_amount))

    subtotal = sum((line.amount for line in lines), Decimal(0))
    discount, discount_label = _graduated_discount(
        unit_variable=material_unit + machine_unit + handling_unit, quantity=quantity, tiers=tiers
    )
    if discount > 0:
        lines.append(
            QuoteLine(
                code="quantity_discount",
                label=discount_label,
                quantity=1,
                unit_amount=-discount,
                amount=-discount,
            )
        )
    total = subtotal - discount

    machine_hours = time.per_part_hours * quantity + time.per_batch_hours
    mass_g = sliced.mass_g if sliced is not None else part_cm3 * material.density_g_cm3
    lead_time_days = PREPARATION_DAYS + math.ceil(machine_hours / PRODUCTIVE_HOURS_PER_DAY) + model.post_processing_days
    issued = now if now is not None else datetime.now(UTC)
    return QuoteBreakdown(
        material_code=material.code,
        process=material.process,
        quantity=quantity,
        lines=tuple(lines),
        subtotal=subtotal,
        discount=discount,
        total=total,
        unit_price=to_cents(total / quantity),
        currency=material.currency,
        machine_hours=round(machine_hours, 3),
        mass_g=round(mass_g, 2),
        total_mass_g=round(mass_g * quantity, 2),
        lead_time_days=lead_time_days,
        valid_until=issued + timedelta(days=validity_days),
        basis="sliced" if sliced is not None else "estimate",
    )


def _line(code: str, label: str, quantity: int, unit_amount: Decimal) -> QuoteLine:
    return QuoteLine(code=code, label=label, quantity=quantity, unit_amount=unit_amount, amount=unit_amount * quantity)


def _checked_tiers(tiers: Sequence[DiscountTier]) -> tuple[DiscountTier, ...]:
    ordered = tuple(sorted(tiers, key=lambda tier: tier.min_quantity))
    if not ordered or ordered[0].min_quantity != 1:
        raise ValueError("discount tiers must start at quantity 1")
    previous_rate = Decimal(0)
    for tier in ordered:
        if not Decimal(0) <= tier.rate < Decimal(1):
            raise ValueError(f"discount rate {tier.rate} must be at least 0 and below 1")
        if tier.rate < previous_rate:
            # A smaller discount for more units would make the unit price rise with the quantity.
            raise ValueError("discount rates must not fall as the quantity grows")
        previous_rate = tier.rate
    if len({tier.min_quantity for tier in ordered}) != len(ordered):
        raise ValueError("two discount tiers start at the same quantity")
    return ordered


def _graduated_discount(
    *, unit_variable: Decimal, quantity: int, tiers: tuple[DiscountTier, ...]
) -> tuple[Decimal, str]:
    """Sum over tiers of (units in the tier) x (unit variable amount x rate, in cents)."""
    discount = Decimal("0.00")
    parts = []
    for index, tier in enumerate(tiers):
        if tier.min_quantity > quantity or tier.rate == 0:
            continue
        next_start = tiers[index + 1].min_quantity if index + 1 < len(tiers) else quantity + 1
        last_unit = min(quantity, next_start - 1)
        units = last_unit - tier.min_quantity + 1
        discount += units * to_cents(unit_variable * tier.rate)
        span = f"unit {last_unit}" if units == 1 else f"units {tier.min_quantity}-{last_unit}"
        parts.append(f"{(tier.rate * 100).normalize():f}% off {span}")
    return discount, "Quantity discount: " + ", ".join(parts)


def estimate_batch_hours(
    *, material: MaterialPricing, parts: Mapping[str | int, PartMetrics], packing: PackingResult
) -> BatchTimeEstimate:
    """Machine hours of a packed batch in ``material`` (see ``machine_time.batch_machine_hours``).

    ``parts`` maps every ``item_id`` of the packing to its metrics. Unlike a quote, this knows the real
    plates: layer time is spent once per plate at the height of its tallest part, and every plate adds a
    plate change (loading it, taking the parts off).
    """
    if packing.process != material.process:
        raise ValueError(f"packing for {packing.process} cannot be timed in {material.process} material")
    return batch_machine_hours(
        process=material.process, with_support=material.needs_support, parts=parts, packing=packing
    )
