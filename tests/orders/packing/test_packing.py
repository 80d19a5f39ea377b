import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.packing.plates import PartDoesNotFitError, PartToPack, pack_batch

PRUSA_PLATE = (220.0, 220.0, 250.0)


def _assert_valid_layout(result, *, spacing: float) -> None:
    """Every part inside the build volume, and every two parts on a plate at least ``spacing`` apart."""
    build_x, build_y, build_z = result.build_volume_mm
    powder = result.process in {"sls", "mjf"}
    for plate in result.plates:
        assert 0 < plate.fill_ratio <= 1
        for placement in plate.placements:
            size_x, size_y, size_z = placement.size_mm
            assert placement.x >= -1e-9 and placement.x + size_x <= build_x + 1e-6
            assert placement.y >= -1e-9 and placement.y + size_y <= build_y + 1e-6
            assert placement.z >= -1e-9 and placement.z + size_z <= build_z + 1e-6
        for first, second in itertools.combinations(plate.placements, 2):
            gaps = [
                max(second.x - (first.x + first.size_mm[0]), first.x - (second.x + second.size_mm[0])),
                max(second.y - (first.y + first.size_mm[1]), first.y - (second.y + second.size_mm[1])),
            ]
            if powder:
                gaps.append(max(second.z - (first.z + first.size_mm[2]), first.z - (second.z + second.size_mm[2])))
            # separated along at least one axis by the spacing
            assert max(gaps) >= spacing - 1e-6, (first, second)


def test_ten_squares_fit_one_fdm_plate():
    # given 10 parts 50 x 50 mm on a 220 x 220 plate with 5 mm between parts
    # when packed: cells of 55 mm on a 225 mm sheet (the edge needs no gap) -> 4 x 4 = 16 places
    result = pack_batch(
        parts=[PartToPack(item_id="a", extents_mm=(50, 50, 20), quantity=10)],
        build_volume_mm=PRUSA_PLATE,
        process="fdm",
        spacing_mm=5.0,
    )
    # then one plate holds all ten; fill = 10 x 2500 / 48400 = 0.51653
    assert result.plate_count == 1
    assert len(result.plates[0].placements) == 10
    assert result.fill_ratio == pytest.approx(25_000 / 48_400)
    assert result.plates[0].used_area_mm2 == 25_000
    assert result.plates[0].height_mm == 20
    assert sorted(placement.copy for placement in result.plates[0].placements) == list(range(1, 11))
    _assert_valid_layout(result, spacing=5.0)


def test_twenty_squares_need_two_fdm_plates_of_sixteen_and_four():
    result = pack_batch(
        parts=[PartToPack(item_id="a", extents_mm=(50, 50, 20), quantity=20)],
        build_volume_mm=PRUSA_PLATE,
        process="fdm",
        spacing_mm=5.0,
    )
    assert result.plate_count == 2
    assert [len(plate.placements) for plate in result.plates] == [16, 4]
    # overall fill: 20 x 2500 / (2 x 48400)
    assert result.fill_ratio == pytest.approx(50_000 / 96_800)
    _assert_valid_layout(result, spacing=5.0)


def test_smaller_plate_takes_nine_squares_so_ten_need_two_plates():
    # 200 mm plate: 205 mm sheet / 55 mm cells -> 3 per row, 9 per plate
    result = pack_batch(
        parts=[PartToPack(item_id="a", extents_mm=(50, 50, 20), quantity=10)],
        build_volume_mm=(200, 200, 200),
        process="fdm",
        spacing_mm=5.0,
    )
    assert [len(plate.placements) for plate in result.plates] == [9, 1]
    assert result.plates[1].fill_ratio == pytest.approx(2_500 / 40_000)


def test_a_part_as_large_as_the_plate_fits_alone():
    result = pack_batch(
        parts=[PartToPack(item_id="panel", extents_mm=(220, 220, 5), quantity=2)],
        build_volume_mm=PRUSA_PLATE,
        process="fdm",
    )
    assert result.plate_count == 2
    assert result.plates[0].fill_ratio == pytest.approx(1.0)


def test_long_part_is_turned_about_z_to_fit_a_narrow_plate():
    # given a 250 x 100 mm part and a 200 x 300 mm plate: it only fits turned 90 degrees
    result = pack_batch(
        parts=[PartToPack(item_id="rail", extents_mm=(250, 100, 10), quantity=1)],
        build_volume_mm=(200, 300, 200),
        process="fdm",
    )
    (placement,) = result.plates[0].placements
    assert placement.rotated is True
    assert placement.size_mm == (100.0, 250.0, 10.0)
    assert placement.z == 0.0
    _assert_valid_layout(result, spacing=5.0)


def test_mixed_parts_are_all_placed_once_without_overlap():
    parts = [
        PartToPack(item_id="bracket", extents_mm=(60, 30, 20), quantity=30),
        PartToPack(item_id="lid", extents_mm=(100, 40, 10), quantity=7),
    ]
    result = pack_batch(parts=parts, build_volume_mm=PRUSA_PLATE, process="fdm")
    placed = sorted((p.item_id, p.copy) for plate in result.plates for p in plate.placements)
    assert placed == sorted([("bracket", copy) for copy in range(1, 31)] + [("lid", copy) for copy in range(1, 8)])
    # the packer is deterministic: three plates for this batch, every time
    assert result.plate_count == 3
    assert pack_batch(parts=parts, build_volume_mm=PRUSA_PLATE, process="fdm") == result
    _assert_valid_layout(result, spacing=5.0)


def test_powder_process_packs_boxes_in_three_dimensions():
    # given 60 cubes of 50 mm in an SLS build of 165 x 165 x 300 with 3 mm gaps:
    # cells of 53 mm in a 168 x 168 x 303 sheet -> 3 x 3 x 5 = 45 per build
    result = pack_batch(
        parts=[PartToPack(item_id="cube", extents_mm=(50, 50, 50), quantity=60)],
        build_volume_mm=(165, 165, 300),
        process="sls",
    )
    assert result.spacing_mm == 3.0
    assert [len(plate.placements) for plate in result.plates] == [45, 15]
    # fill by volume: 45 x 125000 / (165 x 165 x 300)
    assert result.plates[0].fill_ratio == pytest.approx(45 * 125_000 / (165 * 165 * 300))
    assert max(p.z for p in result.plates[0].placements) > 0
    _assert_valid_layout(result, spacing=3.0)


def test_part_taller_than_the_build_height_is_refused_in_plain_words():
    with pytest.raises(PartDoesNotFitError) as error:
        pack_batch(
            parts=[PartToPack(item_id="vase", extents_mm=(80, 80, 260), quantity=1)],
            build_volume_mm=PRUSA_PLATE,
            process="fdm",
        )
    assert str(error.value) == "part vase is 260 mm tall, more than the 250 mm build height of 220 x 220 x 250 mm"


def test_part_wider_than_the_plate_is_refused_in_plain_words():
    with pytest.raises(PartDoesNotFitError) as error:
        pack_batch(
            parts=[PartToPack(item_id="shelf", extents_mm=(230, 100, 10), quantity=1)],
            build_volume_mm=PRUSA_PLATE,
            process="fdm",
        )
    assert str(error.value) == (
        "part shelf footprint 230 x 100 mm does not fit the 220 x 220 mm build plate, even turned 90 degrees"
    )


def test_powder_part_too_large_in_every_orientation_is_refused():
    with pytest.raises(PartDoesNotFitError, match=r"part beam \(400 x 20 x 20 mm\) does not fit"):
        pack_batch(
            parts=[PartToPack(item_id="beam", extents_mm=(400, 20, 20), quantity=1)],
            build_volume_mm=(165, 165, 300),
            process="sls",
        )


def test_bad_batches_are_refused():
    with pytest.raises(ValueError, match="nothing to pack"):
        pack_batch(parts=[], build_volume_mm=PRUSA_PLATE, process="fdm")
    with pytest.raises(ValueError, match="quantity 0"):
        pack_batch(
            parts=[PartToPack(item_id="a", extents_mm=(1, 1, 1), quantity=0)],
            build_volume_mm=PRUSA_PLATE,
            process="fdm",
        )
    with pytest.raises(ValueError, match="unknown process"):
        pack_batch(
            parts=[PartToPack(item_id="a", extents_mm=(1, 1, 1), quantity=1)],
            build_volume_mm=PRUSA_PLATE,
            process="cnc",
        )


@settings(max_examples=25, deadline=None)
@given(
    process=st.sampled_from(["fdm", "sla", "sls"]),
    parts=st.lists(
        st.tuples(
            st.floats(5.0, 150.0),
            st.floats(5.0, 150.0),
            st.floats(1.0, 120.0),
            st.integers(1, 6),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_any_batch_of_fitting_parts_is_fully_packed_without_overlap(process, parts):
    # given parts that each fit a 200 x 200 x 150 build volume
    to_pack = [
        PartToPack(item_id=index, extents_mm=(x, y, z), quantity=quantity)
        for index, (x, y, z, quantity) in enumerate(parts)
    ]
    # when packed
    result = pack_batch(parts=to_pack, build_volume_mm=(200, 200, 150), process=process)
    # then every copy is placed exactly once, inside, apart, and fill ratios are in (0, 1]
    placed = sorted((p.item_id, p.copy) for plate in result.plates for p in plate.placements)
    expected = sorted((index, copy) for index, (*_, quantity) in enumerate(parts) for copy in range(1, quantity + 1))
    assert placed == expected
    assert result.plate_count == len(result.plates) >= 1
    assert 0 < result.fill_ratio <= 1
    _assert_valid_layout(result, spacing=result.spacing_mm)
