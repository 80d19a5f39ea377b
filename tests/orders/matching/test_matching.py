from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.matching.geo import find_city, haversine_km, shipping_co2_kg
from orders.matching.ranking import (
    MakerInfo,
    PartRequirement,
    PrinterInfo,
    ScoreWeights,
    fits_build_volume,
    match_makers,
)

BERLIN = (52.52, 13.405)
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def printer(
    printer_id,
    *,
    materials=("PETG",),
    colours=("black",),
    online=True,
    build=(250.0, 250.0, 250.0),
    process="fdm",
):
    return PrinterInfo(
        id=printer_id,
        process=process,
        build_volume_mm=build,
        materials=frozenset(materials),
        colours=frozenset(colours),
        online=online,
    )


def maker(
    maker_id,
    *,
    place,
    printers=None,
    name=None,
    capacity=3,
    active_jobs=0,
    reliability=0.9,
    hours_to_respond=2.0,
    price_factor="1.0",
):
    if isinstance(place, str):
        city = find_city(place)
        lat, lon = city.lat, city.lon
    else:
        lat, lon = place
    if printers is None:
        printers = [printer(maker_id * 10 + 1)]
    return MakerInfo(
        id=maker_id,
        name=name or f"Maker {maker_id}",
        lat=lat,
        lon=lon,
        capacity=capacity,
        active_jobs=active_jobs,
        reliability=reliability,
        hours_to_respond=hours_to_respond,
        price_factor=Decimal(price_factor),
        printers=tuple(printers),
    )


def part(extents=(120.0, 80.0, 40.0), *, colour="black", material="PETG", process="fdm"):
    return PartRequirement(
        material_code=material,
        process=process,
        colour=colour,
        oriented_extents_mm=extents,
        quantity=5,
        shipment_mass_kg=0.6,
        production_days=2,
    )


def test_fit_compares_sorted_sides_so_any_axis_aligned_turn_counts():
    # given a 150 x 30 x 190 part and a 200 x 200 x 180 printer: upright it is too tall, on its side it fits
    check = fits_build_volume((150.0, 30.0, 190.0), (200.0, 200.0, 180.0), margin_mm=1.0)
    # then it fits (sorted 30/150/190 against 180/200/200)
    assert check.fits is True
    assert check.reason is None
    assert check.part_sorted_mm == (30.0, 150.0, 190.0)
    assert check.build_sorted_mm == (180.0, 200.0, 200.0)


def test_fit_names_the_side_that_does_not_fit():
    # given a 220 x 40 x 30 part in a 200 x 200 x 180 printer
    check = fits_build_volume((220.0, 40.0, 30.0), (200.0, 200.0, 180.0), margin_mm=0.0)
    # then its x side (220 mm) is against the largest build side (200 mm)
    assert check.fits is False
    assert check.failing_axis == "x"
    assert (check.failing_part_mm, check.failing_build_mm) == (220.0, 200.0)
    assert check.reason == "its 220 mm side exceeds the 200 mm build size"


def test_fit_of_a_cube_reports_its_shortest_room():
    # a 190 mm cube in 200 x 200 x 180: the 180 mm side is the one that fails (axis of the first equal side)
    check = fits_build_volume((190.0, 190.0, 190.0), (200.0, 200.0, 180.0), margin_mm=0.0)
    assert check.fits is False
    assert (check.failing_part_mm, check.failing_build_mm) == (190.0, 180.0)
    assert check.reason == "its 190 mm side exceeds the 180 mm build size"


def test_fit_margin_is_explained_when_only_the_margin_is_missing():
    check = fits_build_volume((199.5, 10.0, 10.0), (200.0, 200.0, 200.0), margin_mm=1.0)
    assert check.fits is False
    assert check.reason == "its 199.5 mm side needs 200.5 mm with the 1 mm margin, more than the 200 mm build size"
    assert fits_build_volume((199.0, 10.0, 10.0), (200.0, 200.0, 200.0), margin_mm=1.0).fits is True


@settings(max_examples=200, deadline=None)
@given(
    extents=st.tuples(st.floats(1, 400), st.floats(1, 400), st.floats(1, 400)),
    build=st.tuples(st.floats(1, 400), st.floats(1, 400), st.floats(1, 400)),
    permutation=st.permutations([0, 1, 2]),
)
def test_fit_does_not_depend_on_the_order_of_sides(extents, build, permutation):
    turned = tuple(extents[axis] for axis in permutation)
    assert fits_build_volume(extents, build).fits == fits_build_volume(turned, build).fits


def _scenario():
    return [
        maker(1, place=BERLIN, name="Kreuzberg Prints", active_jobs=1, reliability=0.95),
        maker(2, place="Leipzig", printers=[printer(21, materials=("PLA",))]),
        maker(3, place="Hamburg", printers=[printer(31, colours=("white",))]),
        maker(4, place="Dresden", printers=[printer(41, online=False), printer(42, materials=("PLA",))]),
        maker(5, place="Prague", printers=[printer(51, build=(180.0, 180.0, 180.0))]),
        maker(6, place=(53.43, 14.55), printers=[printer(61)], capacity=2, active_jobs=2),
        maker(7, place="Madrid", printers=[printer(71)]),
        maker(
            8,
            place=(52.39, 13.06),
            name="Potsdam Prints",
            printers=[printer(81), printer(82)],
            reliability=0.8,
            hours_to_respond=24.0,
            price_factor="0.9",
        ),
        maker(9, place="Berlin", printers=[]),
    ]


def test_every_excluded_maker_gets_a_plain_reason():
    # given nine makers around Berlin and one part of 190 x 150 x 40 mm in black PETG
    makers = _scenario()
    # when matched within 500 km
    result = match_makers(
        part=part((190.0, 150.0, 40.0)),
        makers=makers,
        ship_to=BERLIN,
        base_price=Decimal("42.50"),
        max_distance_km=500.0,
        now=NOW,
    )
    # then the two able makers are ranked and every other one says why not, in input order
    assert [ranked.maker_id for ranked in result.ranked] == [1, 8]
    madrid_km = haversine_km(*BERLIN, find_city("Madrid").lat, find_city("Madrid").lon)
    assert round(madrid_km) == 1869
    assert [(excluded.maker_id, excluded.code, excluded.reason) for excluded in result.excluded] == [
        (2, "no_material", "no printer loaded with PETG"),
        (3, "no_colour", "no printer loaded with PETG in black"),
        (4, "offline", "all printers with PETG in black are offline"),
        (
            5,
            "too_large",
            "part 190 x 150 x 40 mm does not fit the largest build volume 180 x 180 x 180 mm: "
            "its 190 mm side exceeds the 180 mm build size",
        ),
        (6, "no_slot", "no free slot: 2 of 2 jobs running"),
        (7, "too_far", "1,869 km away (limit 500 km)"),
        (9, "no_material", "has no printers"),
    ]


def test_score_parts_are_explainable_and_sum_to_the_score():
    # given the maker at the delivery address: 1 job running, answers in 2 h, reliability 0.95, list price
    result = match_makers(
        part=part(),
        makers=_scenario()[:1],
        ship_to=BERLIN,
        base_price=Decimal("42.50"),
        max_distance_km=500.0,
        now=NOW,
    )
    (best,) = result.ranked
    # then
    # distance 0 km -> 0.25 x 1 = 0.25
    # CO2: 0 km costs the 0.181 kg last mile; at 500 km: 0.0006 t x 600 road km x 0.36 + 0.181 = 0.3106 kg
    #      -> 0.15 x (1 - 0.181 / 0.3106) = 0.062589
    # lead: 2/24 + 1 x 0.5 + 2 production + 1 transit = 3.58 -> 4 days -> 0.2 x (1 - 4/21) = 0.161905
    # reliability 0.2 x 0.95 = 0.19; price factor 1.0 -> 0.2 x (2 - 1) / 1.5 = 0.133333
    assert best.distance_km == 0.0
    assert best.co2_kg == 0.181
    assert best.lead_time_days == 4
    assert best.ready_by == date(2025, 3, 5)
    assert best.price == Decimal("42.50")
    assert best.printer_ids == (11,)
    assert best.score_parts == pytest.approx(
        {
            "distance": 0.25,
            "co2": 0.15 * (1 - 0.181 / 0.3106),
            "lead_time": 0.2 * (1 - 4 / 21),
            "reliability": 0.19,
            "price": 0.2 / 1.5,
        }
    )
    assert sum(best.score_parts.values()) == best.score
    assert best.score == pytest.approx(0.797827, abs=1e-6)


def test_maker_price_is_the_base_price_times_its_factor_in_cents():
    result = match_makers(
        part=part((190.0, 150.0, 40.0)),
        makers=_scenario(),
        ship_to=BERLIN,
        base_price=Decimal("42.50"),
        max_distance_km=500.0,
        now=NOW,
    )
    potsdam = result.ranked[1]
    # 42.50 x 0.9 = 38.25; two suitable printers; Potsdam is 27.5 km from central Berlin
    assert potsdam.price == Decimal("38.25")
    assert potsdam.printer_ids == (81, 82)
    assert potsdam.distance_km == round(haversine_km(*BERLIN, 52.39, 13.06), 1) == 27.5
    # lead: 24/24 + 0 + 2 + 1 = 4 days
    assert potsdam.lead_time_days == 4
    assert potsdam.co2_kg == pytest.approx(
        shipping_co2_kg(distance_km=potsdam.distance_km, mass_kg=0.6, mode="van"), abs=1e-3
    )


def test_equal_scores_are_ordered_by_maker_id():
    # given two identical makers listed with the larger id first
    twins = [
        maker(20, place=BERLIN, printers=[printer(200)]),
        maker(10, place=BERLIN, printers=[printer(100)]),
    ]
    result = match_makers(
        part=part(), makers=twins, ship_to=BERLIN, base_price=Decimal("10"), max_distance_km=100.0, now=NOW
    )
    assert [ranked.maker_id for ranked in result.ranked] == [10, 20]
    assert result.ranked[0].score == result.ranked[1].score


def test_weights_change_the_ranking_as_documented():
    # given a cheap far maker and an expensive near one
    near_expensive = maker(1, place=BERLIN, printers=[printer(1)], price_factor="1.9")
    far_cheap = maker(2, place="Hamburg", printers=[printer(2)], price_factor="0.5")
    makers = [near_expensive, far_cheap]
    only_distance = ScoreWeights(distance=1.0, co2=0.0, lead_time=0.0, reliability=0.0, price=0.0)
    only_price = ScoreWeights(distance=0.0, co2=0.0, lead_time=0.0, reliability=0.0, price=3.0)
    by_distance = match_makers(
        part=part(),
        makers=makers,
        ship_to=BERLIN,
        base_price=Decimal(10),
        max_distance_km=500.0,
        weights=only_distance,
        now=NOW,
    )
    by_price = match_makers(
        part=part(),
        makers=makers,
        ship_to=BERLIN,
        base_price=Decimal(10),
        max_distance_km=500.0,
        weights=only_price,
        now=NOW,
    )
    assert [ranked.maker_id for ranked in by_distance.ranked] == [1, 2]
    assert [ranked.maker_id for ranked in by_price.ranked] == [2, 1]
    # weights are normalised: price alone weighs 1, and factor 0.5 is the best possible price
    assert by_price.ranked[0].score == pytest.approx(1.0)
    with pytest.raises(ValueError, match="score weights"):
        ScoreWeights(distance=-1.0).normalised()


def test_co2_saved_against_a_central_factory_is_reported_per_maker():
    # given a central factory in Madrid and a maker at the delivery address in Berlin
    madrid = find_city("Madrid")
    result = match_makers(
        part=part(),
        makers=[maker(1, place=BERLIN, printers=[printer(1)])],
        ship_to=BERLIN,
        base_price=Decimal(10),
        max_distance_km=100.0,
        now=NOW,
        central_factory=(madrid.lat, madrid.lon),
    )
    # then saving = lorry 1869.15 km x 1.2 x 0.12366 x 0.0006 t (the last mile cancels) = 0.1664 kg
    assert result.ranked[0].co2_saved_kg == pytest.approx(1869.148 * 1.2 * 0.12366 * 0.0006, abs=1e-3)


def test_maker_with_a_printer_of_another_process_is_told_about_the_material():
    # a resin printer loaded with "PETG" by mistake does not count for an FDM part
    result = match_makers(
        part=part(),
        makers=[maker(1, place=BERLIN, printers=[printer(1, process="sla")])],
        ship_to=BERLIN,
        base_price=Decimal(10),
        max_distance_km=100.0,
        now=NOW,
    )
    assert result.ranked == ()
    assert result.excluded[0].reason == "no printer loaded with PETG"


def test_part_without_colour_accepts_any_colour_loaded():
    result = match_makers(
        part=part(colour=None),
        makers=[maker(1, place=BERLIN, printers=[printer(1, colours=("orange",))])],
        ship_to=BERLIN,
        base_price=Decimal(10),
        max_distance_km=100.0,
        now=NOW,
    )
    assert [ranked.maker_id for ranked in result.ranked] == [1]
