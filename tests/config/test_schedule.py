import pytest

from gankit.config.schedule import cosine_ramp


def test_the_ramp_is_a_half_cosine_from_start_to_end_then_holds():
    assert cosine_ramp(1.0, 0.0, 0, 100) == 1.0 and cosine_ramp(1.0, 0.0, 100, 100) == pytest.approx(0.0)
    assert cosine_ramp(1.0, 0.0, 50, 100) == pytest.approx(0.5)
    assert cosine_ramp(1.0, 0.0, 25, 100) == pytest.approx(0.5 * (1 + 2**-0.5))
    assert cosine_ramp(1.0, 0.0, 500, 100) == pytest.approx(0.0) and cosine_ramp(3.0, 0.0, 50, 0) == 3.0
