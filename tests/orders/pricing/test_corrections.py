"""A printer's correction factor: median of actual / estimated, clamped; errors before and after."""

from orders.pricing.corrections import Correction, PrintSample, correction


def samples(*pairs):
    return [PrintSample(estimated_seconds=estimated, actual_seconds=actual) for estimated, actual in pairs]


def test_no_samples_no_correction():
    assert correction([], minimum=0.5, maximum=3.0) == Correction(
        factor=1.0, samples=0, error_raw=None, error_corrected=None
    )


def test_the_median_ignores_one_outlier():
    # ratios 1.2, 1.25, 1.2, 10 (a jam overnight), 1.3: the median is 1.25, a mean would be 2.99
    result = correction(samples((100, 120), (200, 250), (50, 60), (100, 1000), (100, 130)), minimum=0.5, maximum=3.0)
    assert result.factor == 1.25
    assert result.samples == 5
    # |est - actual| / actual: 0.1667, 0.2, 0.1667, 0.9, 0.2308 -> median 0.2
    assert result.error_raw == 0.2
    # corrected as quoted then (samples newest first; each with the factor of the prints before it):
    # 1.275 -> 0.0625, 1.3 -> 0.04, 5.65 clamped to 3.0 -> 1.5, 1.3 -> 0.87, none before: 1.0 -> 0.2308;
    # median 0.2308: with the jam among two prints, the early corrections were worse than none
    assert result.error_corrected == 0.2308


def test_the_corrected_error_is_out_of_sample():
    # given a steady printer: each print took 1.2 times the slicer's estimate
    steady = correction(samples((100, 120), (100, 120), (100, 120), (100, 120)), minimum=0.5, maximum=3.0)
    # then the slicer was 16.7 % off, and the corrections were exact from the second print on (the first, none)
    assert (steady.factor, steady.error_raw, steady.error_corrected) == (1.2, 0.1667, 0.0)
    # and one print alone shows no improvement yet: nothing was known before it
    single = correction(samples((100, 120)), minimum=0.5, maximum=3.0)
    assert (single.factor, single.error_raw, single.error_corrected) == (1.2, 0.1667, 0.1667)


def test_the_corrections_as_quoted_wait_for_the_minimum_samples():
    # with a minimum of 3 prints, only the newest of four was quoted with a correction (of the three before it)
    result = correction(
        samples((100, 120), (100, 120), (100, 120), (100, 120)), minimum=0.5, maximum=3.0, min_samples=3
    )
    assert (result.factor, result.error_corrected) == (1.2, 0.1667)


def test_an_even_count_takes_the_middle_two():
    assert correction(samples((100, 110), (100, 130)), minimum=0.5, maximum=3.0).factor == 1.2


def test_the_factor_is_clamped():
    assert correction(samples((100, 1000)), minimum=0.5, maximum=3.0).factor == 3.0
    assert correction(samples((100, 10)), minimum=0.5, maximum=3.0).factor == 0.5


def test_samples_without_times_are_left_out():
    result = correction(samples((0, 100), (100, 0), (100, 80)), minimum=0.5, maximum=3.0)
    assert (result.factor, result.samples) == (0.8, 1)
