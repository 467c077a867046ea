import pytest

from synth.scoring.stats import risk, wilson


def test_wilson_hand_values() -> None:
    r = wilson(8, 10)
    assert r.value == 0.8
    assert round(r.ci_low, 4) == 0.4902 and round(r.ci_high, 4) == 0.9433
    z = wilson(0, 50)
    assert z.ci_low == 0.0 and round(z.ci_high, 4) == 0.0713  # z^2 / (n + z^2) = 3.8415 / 53.8415
    assert wilson(0, 0).ci_high == 1.0


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match=r"need 0 <= successes <= trials, got 5 of 3"):
        wilson(5, 3)


def test_risk_against_control() -> None:
    r = risk(wilson(60, 100), wilson(20, 100))
    assert r.value == pytest.approx(0.5)  # (0.6 - 0.2) / (1 - 0.2)
    assert r.ci_low < 0.5 < r.ci_high
    assert risk(wilson(10, 100), wilson(30, 100)).value == 0.0  # never negative
