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
    # corrected (x1.25): 0.0417, 0.0, 0.0417, 0.875, 0.0385 -> median 0.0417
    assert result.error_corrected == 0.0417


def test_an_even_count_takes_the_middle_two():
    assert correction(samples((100, 110), (100, 130)), minimum=0.5, maximum=3.0).factor == 1.2


def test_the_factor_is_clamped():
    assert correction(samples((100, 1000)), minimum=0.5, maximum=3.0).factor == 3.0
    assert correction(samples((100, 10)), minimum=0.5, maximum=3.0).factor == 0.5


def test_samples_without_times_are_left_out():
    result = correction(samples((0, 100), (100, 0), (100, 80)), minimum=0.5, maximum=3.0)
    assert (result.factor, result.samples) == (0.8, 1)
