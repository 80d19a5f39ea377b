"""Which local makers can make a part, ranked by an explainable score, and why the others cannot.

Eligible: within the distance limit, some printer of the right process that is loaded with the material
(and the colour, if one is asked), online, and whose build volume holds the part in some axis-aligned
orientation, and a free job slot. Every excluded maker gets one reason in plain words: the first check it
fails, in that order (distance, material, colour, online, size, slot).

The score is a weighted sum of five "goodness" values, each in [0, 1] where 1 is best, so a part reads
directly as "points out of its weight" (``score_parts`` sum to ``score``; weights are normalised to sum 1,
so the score is in [0, 1]):

- ``distance``: 1 - distance / max_distance_km (1 at the door, 0 at the limit).
- ``co2``: 1 - shipping CO2 / shipping CO2 at the limit distance (van parcel, same mass).
- ``lead_time``: 1 - lead time / 21 days, floored at 0. Lead time = response time + half a day per job
  already running + the part's production days + transit (1 day, +1 per 800 km), rounded up to days.
- ``reliability``: the maker's reliability as kept from its history, 0..1.
- ``price``: 1 at half the list price down to 0 at twice the list price (price factor 0.5 -> 1, 1.0 ->
  0.667, 2.0 -> 0).

Ties in score are broken by maker id, ascending, so results are deterministic.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from orders.matching.fit import DEFAULT_FIT_MARGIN_MM, FitCheck, fits_build_volume, format_size
from orders.matching.geo import haversine_km_array, shipping_co2_kg, shipping_co2_saved_kg

__all__ = [
    "DEFAULT_FIT_MARGIN_MM",
    "DEFAULT_WEIGHTS",
    "ExcludedMaker",
    "FitCheck",
    "MakerInfo",
    "MatchResult",
    "PartRequirement",
    "PrinterInfo",
    "RankedMaker",
    "ScoreWeights",
    "fits_build_volume",
    "match_makers",
]

_CENT = Decimal("0.01")
LEAD_TIME_HORIZON_DAYS = 21.0
DAYS_PER_RUNNING_JOB = 0.5
TRANSIT_KM_PER_EXTRA_DAY = 800.0
PRICE_FACTOR_BEST = 0.5
PRICE_FACTOR_WORST = 2.0


@dataclass(frozen=True, kw_only=True)
class PrinterInfo:
    id: int | str
    process: str
    build_volume_mm: tuple[float, float, float]
    materials: frozenset[str]
    colours: frozenset[str]
    online: bool
    # Sorted once here so that matching thousands of printers compares three floats each.
    sorted_build_volume_mm: tuple[float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sorted_build_volume_mm", tuple(sorted(self.build_volume_mm)))


@dataclass(frozen=True, kw_only=True)
class MakerInfo:
    id: int | str
    name: str
    lat: float
    lon: float
    capacity: int  # concurrent jobs
    active_jobs: int
    reliability: float  # 0..1
    hours_to_respond: float
    price_factor: Decimal
    printers: tuple[PrinterInfo, ...]
    # A maker on probation may hold at most this many jobs (not yet shipped), whatever its capacity; None: not on
    # probation.
    probation_max_jobs: int | None = None


@dataclass(frozen=True, kw_only=True)
class PartRequirement:
    material_code: str
    process: str
    colour: str | None
    oriented_extents_mm: tuple[float, float, float]
    quantity: int
    shipment_mass_kg: float  # all copies, for the shipping CO2 estimate
    production_days: int = 2  # the quote's lead time without transit


@dataclass(frozen=True, kw_only=True)
class ScoreWeights:
    distance: float = 0.25
    co2: float = 0.15
    lead_time: float = 0.2
    reliability: float = 0.2
    price: float = 0.2

    def normalised(self) -> dict[str, float]:
        weights = {
            "distance": self.distance,
            "co2": self.co2,
            "lead_time": self.lead_time,
            "reliability": self.reliability,
            "price": self.price,
        }
        if any(weight < 0 for weight in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("score weights must be at least 0 and not all 0")
        total = sum(weights.values())
        return {name: weight / total for name, weight in weights.items()}


DEFAULT_WEIGHTS = ScoreWeights()


@dataclass(frozen=True, kw_only=True)
class RankedMaker:
    maker_id: int | str
    name: str
    distance_km: float
    co2_kg: float
    co2_saved_kg: float | None  # against the central factory, when one was given
    lead_time_days: int
    ready_by: date
    price: Decimal
    score: float
    score_parts: dict[str, float]
    printer_ids: tuple[int | str, ...]  # the printers that can take the part


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogues (makemessages); the Django side translates ``template``."""
    return message


@dataclass(frozen=True, kw_only=True)
class ExcludedMaker:
    maker_id: int | str
    name: str
    code: str  # too_far, no_material, no_colour, offline, too_large, no_slot
    reason: str  # for a person, in English
    # ``reason`` as a template and its values (numbers as numbers, sizes as tuples of millimetres), for the Django
    # side to write it in the reader's language.
    template: str = ""
    params: dict = field(default_factory=dict, compare=False)


def _excluded(maker, code: str, reason: str, template: str, **params) -> ExcludedMaker:
    return ExcludedMaker(maker_id=maker.id, name=maker.name, code=code, reason=reason, template=template, params=params)


@dataclass(frozen=True, kw_only=True)
class MatchResult:
    ranked: tuple[RankedMaker, ...]
    excluded: tuple[ExcludedMaker, ...]


def match_makers(
    *,
    part: PartRequirement,
    makers: Sequence[MakerInfo],
    ship_to: tuple[float, float],
    base_price: Decimal,
    max_distance_km: float,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    now: datetime | None = None,
    fit_margin_mm: float = DEFAULT_FIT_MARGIN_MM,
    central_factory: tuple[float, float] | None = None,
) -> MatchResult:
    """Rank the makers who can make ``part`` for delivery at ``ship_to`` (lat, lon); explain the others.

    ``base_price`` is the quote's total at list price; a maker's price is ``base_price x price_factor``.
    ``central_factory`` (lat, lon), when given, adds ``co2_saved_kg``: lorry from there against a van from
    the maker (see ``geo.shipping_co2_saved_kg``). ``excluded`` keeps the order of ``makers``.
    """
    if max_distance_km <= 0:
        raise ValueError(f"distance limit {max_distance_km} km must be positive")
    normalised_weights = weights.normalised()
    ship_lat, ship_lon = ship_to
    count = len(makers)
    latitudes = np.fromiter((maker.lat for maker in makers), dtype=np.float64, count=count)
    longitudes = np.fromiter((maker.lon for maker in makers), dtype=np.float64, count=count)
    distances = haversine_km_array(ship_lat, ship_lon, latitudes, longitudes).tolist()

    part_sorted = sorted(part.oriented_extents_mm)
    small = part_sorted[0] + fit_margin_mm
    middle = part_sorted[1] + fit_margin_mm
    large = part_sorted[2] + fit_margin_mm
    process = part.process
    material = part.material_code
    colour = part.colour
    excluded: list[ExcludedMaker] = []
    eligible: list[tuple[MakerInfo, float, tuple[int | str, ...]]] = []

    # The loop below is the hot path (tens of thousands of printers): plain comparisons, no helper calls.
    for maker, distance in zip(makers, distances, strict=True):
        if distance > max_distance_km:
            excluded.append(
                _excluded(
                    maker,
                    "too_far",
                    f"{distance:,.0f} km away (limit {max_distance_km:,.0f} km)",
                    gettext_noop("%(distance)s km away (limit %(limit)s km)"),
                    distance=round(distance),
                    limit=round(max_distance_km),
                )
            )
            continue
        # The furthest stage any printer reaches: 0 no material, 1 wrong colour, 2 offline, 3 too small.
        furthest_stage = -1
        usable: list[int | str] = []
        for printer in maker.printers:
            if printer.process != process or material not in printer.materials:
                continue
            if colour is not None and colour not in printer.colours:
                furthest_stage = max(furthest_stage, 1)
                continue
            if not printer.online:
                furthest_stage = max(furthest_stage, 2)
                continue
            low, mid, high = printer.sorted_build_volume_mm
            if small <= low and middle <= mid and large <= high:
                usable.append(printer.id)
            else:
                furthest_stage = 3
        if not usable:
            excluded.append(_exclusion(maker=maker, part=part, stage=furthest_stage, margin_mm=fit_margin_mm))
            continue
        if maker.probation_max_jobs is not None and maker.active_jobs >= maker.probation_max_jobs:
            excluded.append(
                ExcludedMaker(
                    maker_id=maker.id,
                    name=maker.name,
                    code="probation",
                    reason=f"on probation: {maker.active_jobs} of {maker.probation_max_jobs} jobs in hand",
                )
            )
            continue
        if maker.active_jobs >= maker.capacity:
            excluded.append(
                _excluded(
                    maker,
                    "no_slot",
                    f"no free slot: {maker.active_jobs} of {maker.capacity} jobs running",
                    gettext_noop("no free slot: %(running)s of %(capacity)s jobs running"),
                    running=maker.active_jobs,
                    capacity=maker.capacity,
                )
            )
            continue
        eligible.append((maker, distance, tuple(usable)))

    ranked = _rank(
        eligible=eligible,
        part=part,
        base_price=base_price,
        max_distance_km=max_distance_km,
        weights=normalised_weights,
        today=(now if now is not None else datetime.now(UTC)).date(),
        central_factory=central_factory,
        ship_to=ship_to,
    )
    return MatchResult(ranked=ranked, excluded=tuple(excluded))


def _exclusion(*, maker: MakerInfo, part: PartRequirement, stage: int, margin_mm: float) -> ExcludedMaker:
    material = part.material_code
    if stage < 0:
        if not maker.printers:
            return _excluded(maker, "no_material", "has no printers", gettext_noop("has no printers"))
        return _excluded(
            maker,
            "no_material",
            f"no printer loaded with {material}",
            gettext_noop("no printer loaded with %(material)s"),
            material=material,
        )
    if stage == 1:
        return _excluded(
            maker,
            "no_colour",
            f"no printer loaded with {material} in {part.colour}",
            gettext_noop("no printer loaded with %(material)s in %(colour)s"),
            material=material,
            colour=part.colour,
        )
    if stage == 2:
        if part.colour is not None:
            return _excluded(
                maker,
                "offline",
                f"all printers with {material} in {part.colour} are offline",
                gettext_noop("all printers with %(material)s in %(colour)s are offline"),
                material=material,
                colour=part.colour,
            )
        return _excluded(
            maker,
            "offline",
            f"all printers with {material} are offline",
            gettext_noop("all printers with %(material)s are offline"),
            material=material,
        )
    # Stage 3: tell the customer against the largest machine that could otherwise take the job.
    candidates = [
        printer
        for printer in maker.printers
        if printer.process == part.process
        and material in printer.materials
        and (part.colour is None or part.colour in printer.colours)
        and printer.online
    ]
    largest = max(candidates, key=lambda printer: (math.prod(printer.build_volume_mm), printer.sorted_build_volume_mm))
    check = fits_build_volume(part.oriented_extents_mm, largest.build_volume_mm, margin_mm=margin_mm)
    reason = (
        f"part {format_size(part.oriented_extents_mm)} mm does not fit the largest build volume "
        f"{format_size(largest.build_volume_mm)} mm: {check.reason}"
    )
    sizes = {
        "part": tuple(round(float(size), 1) for size in part.oriented_extents_mm),
        "volume": tuple(round(float(size), 1) for size in largest.build_volume_mm),
        "side": round(float(check.failing_part_mm), 1),
        "room": round(float(check.failing_build_mm), 1),
    }
    if check.failing_part_mm > check.failing_build_mm:
        template = gettext_noop(
            "part %(part)s mm does not fit the largest build volume %(volume)s mm: its %(side)s mm side exceeds the "
            "%(room)s mm build size"
        )
        return _excluded(maker, "too_large", reason, template, **sizes)
    template = gettext_noop(
        "part %(part)s mm does not fit the largest build volume %(volume)s mm: its %(side)s mm side needs "
        "%(needed)s mm with the %(margin)s mm margin, more than the %(room)s mm build size"
    )
    margin = {"needed": round(float(check.failing_part_mm) + margin_mm, 1), "margin": round(float(margin_mm), 1)}
    return _excluded(maker, "too_large", reason, template, **sizes, **margin)


def _rank(
    *,
    eligible: list[tuple[MakerInfo, float, tuple[int | str, ...]]],
    part: PartRequirement,
    base_price: Decimal,
    max_distance_km: float,
    weights: dict[str, float],
    today: date,
    central_factory: tuple[float, float] | None,
    ship_to: tuple[float, float],
) -> tuple[RankedMaker, ...]:
    mass_kg = part.shipment_mass_kg
    co2_at_limit = shipping_co2_kg(distance_km=max_distance_km, mass_kg=mass_kg, mode="van")
    factory_distance = None
    if central_factory is not None:
        factory_distance = float(haversine_km_array(ship_to[0], ship_to[1], central_factory[0], central_factory[1]))
    price_span = PRICE_FACTOR_WORST - PRICE_FACTOR_BEST
    w_distance = weights["distance"]
    w_co2 = weights["co2"]
    w_lead = weights["lead_time"]
    w_reliability = weights["reliability"]
    w_price = weights["price"]
    scored = []
    for maker, distance, printer_ids in eligible:
        co2 = shipping_co2_kg(distance_km=distance, mass_kg=mass_kg, mode="van")
        transit_days = 1 + int(distance // TRANSIT_KM_PER_EXTRA_DAY)
        lead_days = math.ceil(
            maker.hours_to_respond / 24.0
            + maker.active_jobs * DAYS_PER_RUNNING_JOB
            + part.production_days
            + transit_days
        )
        factor = float(maker.price_factor)
        score_parts = {
            "distance": w_distance * max(0.0, 1.0 - distance / max_distance_km),
            "co2": w_co2 * max(0.0, 1.0 - co2 / co2_at_limit),
            "lead_time": w_lead * max(0.0, 1.0 - lead_days / LEAD_TIME_HORIZON_DAYS),
            "reliability": w_reliability * min(1.0, max(0.0, maker.reliability)),
            "price": w_price * min(1.0, max(0.0, (PRICE_FACTOR_WORST - factor) / price_span)),
        }
        score = sum(score_parts.values())
        scored.append((-score, maker.id, maker, distance, co2, lead_days, score_parts, score, printer_ids))
    scored.sort(key=lambda row: (row[0], row[1]))
    ranked = []
    for _, _, maker, distance, co2, lead_days, score_parts, score, printer_ids in scored:
        saved = None
        if factory_distance is not None:
            saved = round(
                shipping_co2_saved_kg(
                    local_distance_km=distance, central_distance_km=factory_distance, mass_kg=mass_kg
                ),
                3,
            )
        ranked.append(
            RankedMaker(
                maker_id=maker.id,
                name=maker.name,
                distance_km=round(distance, 1),
                co2_kg=round(co2, 3),
                co2_saved_kg=saved,
                lead_time_days=lead_days,
                ready_by=today + timedelta(days=lead_days),
                price=(base_price * maker.price_factor).quantize(_CENT, rounding=ROUND_HALF_UP),
                score=score,
                score_parts=score_parts,
                printer_ids=printer_ids,
            )
        )
    return tuple(ranked)
