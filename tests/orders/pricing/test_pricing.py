from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.packing.plates import PartToPack, pack_batch
from orders.pricing.prices import (
    DEFAULT_TIERS,
    DiscountTier,
    MaterialPricing,
    PartMetrics,
    SlicedFigures,
    estimate_batch_hours,
    machine_time_for_part,
    quote_part,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

PLA = MaterialPricing(
    code="PLA",
    name="PLA",
    process="fdm",
    density_g_cm3=1.24,
    price_per_cm3=Decimal("0.08"),
    machine_rate_per_hour=Decimal("3.00"),
    setup_fee=Decimal("5.00"),
    handling_per_part=Decimal("1.50"),
    needs_support=True,
)
RESIN = MaterialPricing(
    code="RESIN-STD",
    name="Standard resin",
    process="sla",
    density_g_cm3=1.15,
    price_per_cm3=Decimal("0.25"),
    machine_rate_per_hour=Decimal("4.00"),
    setup_fee=Decimal("8.00"),
    handling_per_part=Decimal("3.00"),
    needs_support=True,
)
PA12 = MaterialPricing(
    code="PA12",
    name="Nylon PA12",
    process="sls",
    density_g_cm3=1.01,
    price_per_cm3=Decimal("0.20"),
    machine_rate_per_hour=Decimal("6.00"),
    setup_fee=Decimal("15.00"),
    handling_per_part=Decimal("2.00"),
    needs_support=False,
)
STEEL = MaterialPricing(
    code="316L",
    name="Stainless steel 316L",
    process="metal",
    density_g_cm3=7.9,
    price_per_cm3=Decimal("1.20"),
    machine_rate_per_hour=Decimal("45.00"),
    setup_fee=Decimal("90.00"),
    handling_per_part=Decimal("12.00"),
    needs_support=True,
)
MJF = MaterialPricing(
    code="PA12-MJF",
    name="PA12 (MJF)",
    process="mjf",
    density_g_cm3=1.01,
    price_per_cm3=Decimal("0.18"),
    machine_rate_per_hour=Decimal("8.00"),
    setup_fee=Decimal("12.00"),
    handling_per_part=Decimal("1.80"),
    needs_support=False,
)

# 10 cm3 part + 2 cm3 support, 36 cm2 of surface, 20 mm tall (100 FDM layers, 400 SLA layers)
SMALL_BRACKET = PartMetrics(
    volume_mm3=10_000.0, support_volume_mm3=2_000.0, area_mm2=3_600.0, height_mm=20.0, extents_mm=(30, 30, 20)
)


def _amounts(quote):
    return {line.code: (line.quantity, line.unit_amount, line.amount) for line in quote.lines}


def test_fdm_quote_for_twelve_parts_worked_by_hand():
    # given a 10 cm3 PLA bracket (2 cm3 of support columns, 36 cm2 of surface, 20 mm tall) and 12 copies;
    # the report has no facing areas, so the estimate takes top and bottom as volume / height = 500 mm2
    # each and the side as 3600 - 1000 = 2600 mm2
    # when quoted
    quote = quote_part(part=SMALL_BRACKET, material=PLA, quantity=12, now=NOW)
    # then, by FdmModel: a line is (0.45 - 0.2) x 0.2 + pi x 0.1^2 = 0.0814159 mm2, spacing 0.4070796 mm
    # perimeters 2600 x 2 x 0.4070796 = 2116.81 mm3; top and bottom (500 x 3 + 500 x 3) x 0.2 = 600 mm3
    # interior 10000 - 2116.81 - 600 = 7283.19 mm3 of sparse infill at 20 % x 0.96 = 1398.37 mm3
    # support 2000 x 0.12 = 240 mm3; extruded 2116.81 + 600 + 1398.37 + 240 = 4355.18 mm3
    # material: 4.35518 cm3 x 0.08 = 0.3484 -> 0.35 per part, x 12 = 4.20
    # drawing: perimeters half at 30 mm/s (2.442477 mm3/s), half at 60 (4.884954): 2116.81 x 0.307065
    #   = 649.99 s; solid 600 / 1.628318 (20 mm/s) = 368.48 s; sparse 1398.37 / 6.513272 (80 mm/s)
    #   = 214.69 s; support 240 / 4.884954 = 49.13 s; first layer 100 mm3 at 30 instead of 20 mm/s:
    #   100 x (0.409420 - 0.614130) = -20.47 s; sum 1261.82 s x 1.05 (acceleration) = 1324.91 s
    # 100 layers: 13.25 s each (over the 5 s cooling minimum) + 1.3 s per layer = 1454.9 s = 0.40414 h
    # machine: 0.40414 h x 3.00 = 1.2124 -> 1.21 per part, x 12 = 14.52
    # handling 1.50 x 12 = 18.00; set-up 5.00 once; FDM shares no layers, so no shared line
    assert _amounts(quote) == {
        "material": (12, Decimal("0.35"), Decimal("4.20")),
        "machine_time": (12, Decimal("1.21"), Decimal("14.52")),
        "handling": (12, Decimal("1.50"), Decimal("18.00")),
        "setup": (1, Decimal("5.00"), Decimal("5.00")),
        # per-part amounts 0.35 + 1.21 + 1.50 = 3.06
        # units 5-9 at 5 %: 0.153 -> 0.15 x 5 = 0.75; units 10-12 at 10 %: 0.306 -> 0.31 x 3 = 0.93
        "quantity_discount": (1, Decimal("-1.68"), Decimal("-1.68")),
    }
    # subtotal 4.20 + 14.52 + 18.00 + 5.00 = 41.72; total 41.72 - 1.68 = 40.04; per part 3.3367 -> 3.34
    assert quote.subtotal == Decimal("41.72")
    assert quote.discount == Decimal("1.68")
    assert quote.total == Decimal("40.04")
    assert quote.unit_price == Decimal("3.34")
    assert quote.currency == "EUR"
    # 12 x 0.40414 h = 4.850 h; lead = 1 preparation + ceil(4.85 / 20) + 0 post-processing = 2 days
    assert quote.machine_hours == pytest.approx(4.850, abs=0.001)
    assert quote.lead_time_days == 2
    # mass: the plastic of the part, 4.11518 cm3 x 1.24 g/cm3 = 5.10 g (support is removed)
    assert quote.mass_g == 5.1
    assert quote.total_mass_g == 61.23
    assert quote.valid_until == datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
    assert quote.line("quantity_discount").label == "Quantity discount: 5% off units 5-9, 10% off units 10-12"


def test_sla_quote_shares_layer_time_across_the_batch_worked_by_hand():
    # given an 8 cm3 resin part with 2 cm3 of support, 30 mm tall, 3 copies
    part = PartMetrics(
        volume_mm3=8_000.0,
        support_volume_mm3=2_000.0,
        area_mm2=4_000.0,
        height_mm=30.0,
        extents_mm=(20, 20, 30),
    )
    # when quoted
    quote = quote_part(part=part, material=RESIN, quantity=3, now=NOW)
    # then
    # material: 10 cm3 x 0.25 = 2.50 per part
    # machine per part: 10 cm3 / 40 cm3/h = 0.25 h x 4.00 = 1.00
    # shared: 30 mm / 0.05 = 600 layers x 10 s = 1.6667 h x 4.00 = 6.667 -> 6.67, once for the 3 copies
    assert _amounts(quote) == {
        "material": (3, Decimal("2.50"), Decimal("7.50")),
        "machine_time": (3, Decimal("1.00"), Decimal("3.00")),
        "machine_time_shared": (1, Decimal("6.67"), Decimal("6.67")),
        "handling": (3, Decimal("3.00"), Decimal("9.00")),
        "setup": (1, Decimal("8.00"), Decimal("8.00")),
    }
    # 7.50 + 3.00 + 6.67 + 9.00 + 8.00 = 34.17, no discount below 5 units; 34.17 / 3 = 11.39
    assert quote.total == Decimal("34.17")
    assert quote.discount == Decimal("0")
    assert quote.as_dict()["discount"] == "0.00"
    assert quote.unit_price == Decimal("11.39")
    # hours 3 x 0.25 + 1.6667 = 2.417; lead = 1 + ceil(2.417 / 20) + 1 (wash and cure) = 3 days
    assert quote.machine_hours == 2.417
    assert quote.lead_time_days == 3
    assert quote.line("machine_time_shared").label == (
        "Machine time shared by the batch: 600 layers of 0.05 mm (1.67 h)"
    )


def test_sls_quote_ignores_support_and_rounds_half_up_worked_by_hand():
    # given a 20 cm3 nylon part (the 5 cm3 "support" estimate does not apply to powder), 40 mm tall, 10 copies
    part = PartMetrics(
        volume_mm3=20_000.0,
        support_volume_mm3=5_000.0,
        area_mm2=9_000.0,
        height_mm=40.0,
        extents_mm=(50, 40, 40),
    )
    # when quoted
    quote = quote_part(part=part, material=PA12, quantity=10, now=NOW)
    # then
    # material 20 cm3 x 0.20 = 4.00; machine 20 / 100 cm3/h = 0.2 h x 6.00 = 1.20
    # shared 400 layers x 10 s = 1.1111 h x 6.00 = 6.6667 -> 6.67
    # per-part amounts 4.00 + 1.20 + 2.00 = 7.20: units 5-9 at 5 % = 0.36 x 5 = 1.80, unit 10 at 10 % = 0.72
    assert _amounts(quote) == {
        "material": (10, Decimal("4.00"), Decimal("40.00")),
        "machine_time": (10, Decimal("1.20"), Decimal("12.00")),
        "machine_time_shared": (1, Decimal("6.67"), Decimal("6.67")),
        "handling": (10, Decimal("2.00"), Decimal("20.00")),
        "setup": (1, Decimal("15.00"), Decimal("15.00")),
        "quantity_discount": (1, Decimal("-2.52"), Decimal("-2.52")),
    }
    # 40 + 12 + 6.67 + 20 + 15 = 93.67 - 2.52 = 91.15; 91.15 / 10 = 9.115 -> 9.12 (half up)
    assert quote.total == Decimal("91.15")
    assert quote.unit_price == Decimal("9.12")
    # hours 10 x 0.2 + 1.111 = 3.111; lead = 1 + 1 + 2 (cooling, depowdering) = 4 days
    assert quote.lead_time_days == 4
    assert quote.line("material").label == "Nylon PA12: 20.00 cm3"


def test_price_factor_scales_every_line_before_rounding():
    # given the SLA part at a maker charging 20 % above list
    part = PartMetrics(
        volume_mm3=8_000.0,
        support_volume_mm3=2_000.0,
        area_mm2=4_000.0,
        height_mm=30.0,
        extents_mm=(20, 20, 30),
    )
    # when quoted once
    quote = quote_part(part=part, material=RESIN, quantity=1, price_factor=Decimal("1.2"), now=NOW)
    # then: material 2.50 x 1.2 = 3.00, machine 1.00 x 1.2 = 1.20, shared 6.6667 x 1.2 = 8.00,
    # handling 3.00 x 1.2 = 3.60, set-up 8.00 x 1.2 = 9.60 -> 25.40
    assert [line.amount for line in quote.lines] == [
        Decimal("3.00"),
        Decimal("1.20"),
        Decimal("8.00"),
        Decimal("3.60"),
        Decimal("9.60"),
    ]
    assert quote.total == Decimal("25.40")


def test_metal_and_mjf_quotes_use_their_process_models():
    # given a 5 cm3 steel part with 1 cm3 of support, 15 mm tall
    part = PartMetrics(
        volume_mm3=5_000.0,
        support_volume_mm3=1_000.0,
        area_mm2=2_500.0,
        height_mm=15.0,
        extents_mm=(20, 20, 15),
    )
    # when quoted in steel
    steel = quote_part(part=part, material=STEEL, quantity=1, now=NOW)
    # then: material 6 cm3 x 1.20 = 7.20; machine 6 / 5 cm3/h = 1.2 h x 45 = 54.00;
    # shared 15 / 0.03 = 500 layers x 9 s = 1.25 h x 45 = 56.25; handling 12; set-up 90 -> 219.45
    assert [line.amount for line in steel.lines] == [
        Decimal("7.20"),
        Decimal("54.00"),
        Decimal("56.25"),
        Decimal("12.00"),
        Decimal("90.00"),
    ]
    assert steel.total == Decimal("219.45")
    # lead: 1 + ceil(2.45 / 20) + 3 = 5 days
    assert steel.lead_time_days == 5
    # when quoted in MJF: material 5 cm3 x 0.18 = 0.90; machine 5 / 1000 = 0.005 h x 8 = 0.04;
    # shared 15 / 0.08 = 187.5 -> 188 layers x 7 s = 0.36556 h x 8 = 2.9244 -> 2.92; 1.80; 12.00 -> 17.66
    mjf = quote_part(part=part, material=MJF, quantity=1, now=NOW)
    assert mjf.total == Decimal("17.66")
    assert machine_time_for_part(part=part, process="mjf", with_support=False).layers == 188


def test_quote_rejects_bad_input_in_plain_words():
    with pytest.raises(ValueError, match="quantity 0 must be at least 1"):
        quote_part(part=SMALL_BRACKET, material=PLA, quantity=0)
    with pytest.raises(ValueError, match="price factor"):
        quote_part(part=SMALL_BRACKET, material=PLA, quantity=1, price_factor=Decimal("0"))
    with pytest.raises(ValueError, match="must start at quantity 1"):
        quote_part(
            part=SMALL_BRACKET,
            material=PLA,
            quantity=1,
            discount_tiers=(DiscountTier(min_quantity=2, rate=Decimal("0.1")),),
        )
    with pytest.raises(ValueError, match="must not fall"):
        quote_part(
            part=SMALL_BRACKET,
            material=PLA,
            quantity=1,
            discount_tiers=(
                DiscountTier(min_quantity=1, rate=Decimal("0.1")),
                DiscountTier(min_quantity=5, rate=Decimal("0.05")),
            ),
        )
    with pytest.raises(ValueError, match="unknown process 'laser'"):
        MaterialPricing(
            code="X",
            name="X",
            process="laser",
            density_g_cm3=1.0,
            price_per_cm3=Decimal(1),
            machine_rate_per_hour=Decimal(1),
            setup_fee=Decimal(1),
            handling_per_part=Decimal(1),
            needs_support=False,
        )
    with pytest.raises(ValueError, match="must be positive"):
        PartMetrics(volume_mm3=0.0, support_volume_mm3=0.0, area_mm2=1.0, height_mm=1.0, extents_mm=(1, 1, 1))


def test_quote_serialises_money_as_strings():
    quote = quote_part(part=SMALL_BRACKET, material=PLA, quantity=1, now=NOW)
    data = quote.as_dict()
    # 0.35 material + 1.21 machine time + 1.50 handling + 5.00 set-up (see the worked example above)
    assert data["total"] == "8.06"
    assert data["currency"] == "EUR"
    assert data["lines"][0] == {
        "code": "material",
        "label": "PLA: 4.36 cm3 incl. support",
        "quantity": 1,
        "unit_amount": "0.35",
        "amount": "0.35",
    }
    assert data["valid_until"] == "2025-03-15T12:00:00+00:00"


parts_strategy = st.builds(
    lambda volume, support_fraction, area_factor, height: PartMetrics(
        volume_mm3=volume,
        support_volume_mm3=volume * support_fraction,
        area_mm2=volume**0.667 * area_factor,
        height_mm=height,
        extents_mm=(height, height, height),
    ),
    volume=st.floats(1.0, 2_000_000.0),
    support_fraction=st.floats(0.0, 1.0),
    area_factor=st.floats(4.0, 30.0),
    height=st.floats(0.1, 400.0),
)
materials_strategy = st.sampled_from([PLA, RESIN, PA12, STEEL, MJF])
factor_strategy = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2.5"), places=2)


def _check_consistent(quote):
    assert all(line.amount == line.unit_amount * line.quantity for line in quote.lines)
    assert all(line.amount.as_tuple().exponent == -2 for line in quote.lines)
    assert sum(line.amount for line in quote.lines) == quote.total
    assert quote.subtotal - quote.discount == quote.total


@settings(max_examples=150, deadline=None)
@given(
    part=parts_strategy,
    material=materials_strategy,
    quantity=st.integers(1, 120),
    extra=st.integers(1, 60),
    factor=factor_strategy,
)
def test_more_copies_never_cost_less_and_never_raise_the_unit_price(part, material, quantity, extra, factor):
    # given the same part quoted for n and n + k copies
    fewer = quote_part(part=part, material=material, quantity=quantity, price_factor=factor, now=NOW)
    more = quote_part(part=part, material=material, quantity=quantity + extra, price_factor=factor, now=NOW)
    # then totals are never negative, grow (or stay) with quantity, unit prices do not rise, lines add up
    assert fewer.total >= 0 and more.total >= 0
    assert more.total >= fewer.total
    assert more.unit_price <= fewer.unit_price
    _check_consistent(fewer)
    _check_consistent(more)


@settings(max_examples=120, deadline=None)
@given(part=parts_strategy, material=materials_strategy, quantity=st.integers(1, 80))
def test_each_next_copy_adds_a_non_negative_amount_across_every_tier_boundary(part, material, quantity):
    # the cliff a naive "whole order discounted at 25" rule creates is at 24 -> 25: check every step
    current = quote_part(part=part, material=material, quantity=quantity, now=NOW)
    following = quote_part(part=part, material=material, quantity=quantity + 1, now=NOW)
    assert following.total - current.total >= 0
    assert following.unit_price <= current.unit_price


def test_default_tiers_start_at_one_with_no_discount():
    assert DEFAULT_TIERS[0] == DiscountTier(min_quantity=1, rate=Decimal("0"))


def test_batch_hours_for_a_packed_fdm_plate_worked_by_hand():
    # given 10 brackets 50 x 50 x 20 mm packed on one 220 x 220 mm plate
    packing = pack_batch(
        parts=[PartToPack(item_id="bracket", extents_mm=(50, 50, 20), quantity=10)],
        build_volume_mm=(220, 220, 250),
        process="fdm",
    )
    # when timed
    estimate = estimate_batch_hours(material=PLA, parts={"bracket": SMALL_BRACKET}, packing=packing)
    # then 0.25 h plate change + 10 x 0.40414 h (the worked FDM example above) = 4.2914 h
    assert estimate.plate_count == 1
    assert estimate.total_hours == pytest.approx(0.25 + 10 * 0.40414, abs=1e-4)


def test_batch_hours_for_sla_spend_layers_once_per_plate_worked_by_hand():
    # given 12 resin parts 40 x 40 x 30 mm: 45 mm cells on a 150 mm sheet -> 3 x 3 = 9 per plate, 2 plates
    part = PartMetrics(
        volume_mm3=8_000.0,
        support_volume_mm3=2_000.0,
        area_mm2=4_000.0,
        height_mm=30.0,
        extents_mm=(40, 40, 30),
    )
    packing = pack_batch(
        parts=[PartToPack(item_id=7, extents_mm=(40, 40, 30), quantity=12)],
        build_volume_mm=(145, 145, 185),
        process="sla",
    )
    # when timed
    estimate = estimate_batch_hours(material=RESIN, parts={7: part}, packing=packing)
    # then plate 1: 0.5 change + 9 x 0.25 h + 600 layers x 10 s (1.6667 h) = 4.4167 h
    #      plate 2: 0.5 + 3 x 0.25 + 1.6667 = 2.9167 h
    assert estimate.plate_count == 2
    assert estimate.plate_hours == pytest.approx((0.5 + 2.25 + 600 * 10 / 3600, 0.5 + 0.75 + 600 * 10 / 3600))
    assert estimate.total_hours == pytest.approx(7.3333, abs=1e-4)


def test_batch_hours_refuse_a_packing_of_another_process():
    packing = pack_batch(
        parts=[PartToPack(item_id="a", extents_mm=(10, 10, 10), quantity=1)],
        build_volume_mm=(100, 100, 100),
        process="sls",
    )
    with pytest.raises(ValueError, match="packing for sls cannot be timed in fdm material"):
        estimate_batch_hours(material=PLA, parts={"a": SMALL_BRACKET}, packing=packing)


def test_the_slicers_figures_replace_the_estimate_line_by_line():
    # Given the slicer's figures for one bracket on a maker's printer: 1.5 h, 4.2 cm3 (supports included), 5.2 g
    sliced = SlicedFigures(print_hours=1.5, material_cm3=4.2, mass_g=5.2)

    # When two are priced in PLA with them
    breakdown = quote_part(part=SMALL_BRACKET, material=PLA, quantity=2, now=NOW, sliced=sliced)

    # Then material is 4.2 cm3 x 0.08 = 0.336 -> 0.34 a part, machine time 1.5 h x 3.00 = 4.50 a part,
    # handling 1.50 a part, set-up 5.00 once: 2 x (0.34 + 4.50 + 1.50) + 5.00 = 17.68 (no discount under 5)
    assert breakdown.basis == "sliced"
    assert breakdown.line("material").unit_amount == Decimal("0.34")
    assert breakdown.line("material").label == "PLA: 4.20 cm3 incl. support"
    assert breakdown.line("machine_time").unit_amount == Decimal("4.50")
    assert breakdown.total == Decimal("17.68")
    assert (breakdown.machine_hours, breakdown.mass_g, breakdown.total_mass_g) == (3.0, 5.2, 10.4)
    assert breakdown.as_dict()["basis"] == "sliced"
    assert quote_part(part=SMALL_BRACKET, material=PLA, quantity=2, now=NOW).basis == "estimate"
