import pandas as pd
import polars as pl
import pytest

from synth.measure.release import k_anonymity, l_diversity

RELEASE = pl.DataFrame(
    {
        "age": ["40-44", "40-44", "40-44", "65-69", "65-69", "80+"],
        "gender": ["F", "F", "F", "M", "M", "M"],
        "registry": ["womens_scheme", "womens_scheme", "pensioners", "pensioners", "pensioners", "pensioners"],
    }
)


@pytest.mark.parametrize("native", [RELEASE, RELEASE.lazy(), RELEASE.to_pandas()])
def test_k_and_l_by_hand(native: pl.DataFrame | pl.LazyFrame | pd.DataFrame) -> None:
    k = k_anonymity(native, ["age", "gender"])
    assert (k.k, k.classes, k.rows_in_classes_below) == (1, 3, {2: 1, 5: 6, 10: 6})
    ld = l_diversity(native, ["age", "gender"], "registry")
    # (40-44, F) has two registries; (65-69, M) and (80+, M) only pensioners
    assert (ld.l, ld.classes_with_one_value, ld.rows_in_homogeneous_classes) == (1, 2, 3)
