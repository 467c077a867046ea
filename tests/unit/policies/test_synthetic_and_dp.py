"""The SDV synthetic release and the noisy counts (seeded discrete Laplace, accounted by OpenDP)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.errors import PolicyError
from synth.policies import synthetic as synthetic_module
from synth.policies.dp_counts import DPCounts
from synth.policies.synthetic import SyntheticRelease


def _release(n: int = 3_000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    places = [
        ("Wayanad", "Vythiri", "Kalpetta"),
        ("Wayanad", "Vythiri", "Meppadi"),
        ("Wayanad", "Sulthan Bathery", "Ambalavayal"),
    ]
    p = rng.integers(0, 3, n)
    registry = rng.choice(["pensioners", "womens_scheme", "employees"], n)
    gender = np.where(registry == "womens_scheme", "F", np.where(rng.random(n) < 0.5, "F", "M"))
    return pl.DataFrame(
        {
            "row_id": np.arange(n),
            "phone": [f"+910{i:09d}" for i in range(n)],
            "name": "X",
            "age": rng.integers(20, 90, n),
            "gender": gender,
            "district": [places[i][0] for i in p],
            "taluk": [places[i][1] for i in p],
            "local_body": [places[i][2] for i in p],
            "ward": rng.integers(1, 4, n).astype(np.int16),
            "registry": registry,
        }
    )


@pytest.fixture(scope="module")
def synthetic() -> tuple[SyntheticRelease, pl.DataFrame]:
    step = SyntheticRelease()
    return step, step.fit_transform(_release())


def test_synthetic_rows_keep_the_rules(synthetic: tuple[SyntheticRelease, pl.DataFrame]) -> None:
    step, out = synthetic
    assert out.columns == ["row_id", "age", "gender", "district", "taluk", "local_body", "ward", "registry"]
    assert out.height + step.report()["impossible_rows_dropped"] == 3_000
    assert out.filter((pl.col("registry") == "womens_scheme") & (pl.col("gender") == "M")).height == 0
    real = _release().select("district", "taluk", "local_body").unique()
    assert (
        out.select("district", "taluk", "local_body")
        .unique()
        .join(real, on=["district", "taluk", "local_body"], how="anti")
        .height
        == 0
    )


def test_synthetic_is_not_a_copy(synthetic: tuple[SyntheticRelease, pl.DataFrame]) -> None:
    _, out = synthetic
    real = _release()
    assert abs(out["age"].mean() - real["age"].mean()) < 3  # keeps the distribution
    assert not out.select("age", "gender", "local_body", "ward").equals(
        real.select("age", "gender", "local_body", "ward")
    )


def test_synthetic_seeded_twin(synthetic: tuple[SyntheticRelease, pl.DataFrame]) -> None:
    _, out = synthetic
    assert SyntheticRelease().fit_transform(_release()).equals(out)
    other = SyntheticRelease(random_state=1).fit_transform(_release())
    assert not other.select("age", "ward").equals(out.select("age", "ward"))  # the seed reaches SDV's sampler


def test_direct_identifiers_cannot_be_modelled() -> None:
    step = SyntheticRelease(columns=("age", "phone"), model="gan", random_state=-1, train_rows=0)
    assert step.check(list(_release().columns)) == [
        "model = 'gan': allowed are gaussian_copula, ctgan",
        "columns: 'phone' is a direct identifier and cannot be modelled or released",
        "train_rows = 0: must be a positive whole number",
        "random_state = -1: must be a whole number from 0 to 2**32 - 1",
    ]


def test_a_large_release_is_modelled_from_a_sample_and_drawn_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthetic_module, "BATCH", 700)
    runs = []
    for _ in range(2):
        step = SyntheticRelease(train_rows=1_000)
        out = step.fit_transform(_release())
        runs.append(out)
        assert step.report()["rows_fitted"] == 1_000 and step.report()["rows_in"] == 3_000
        assert out.height + step.report()["impossible_rows_dropped"] == 3_000  # five batches, every row drawn
        assert out.filter((pl.col("registry") == "womens_scheme") & (pl.col("gender") == "M")).height == 0
        assert out["row_id"].to_list() == list(range(out.height))
    assert runs[0].equals(runs[1])  # seeded twins: the same sample and the same draws


def test_dp_counts_budget_and_grid() -> None:
    data = _release()
    step = DPCounts(by=("local_body", "ward"), epsilon=0.5, contributions=2)
    out = step.fit_transform(data)
    rep = step.report()
    assert rep["epsilon"] == pytest.approx(0.5) and rep["noise_scale"] == pytest.approx(4.0)
    assert out.height == 3 * 3 * 17 * 2  # every place, band and gender, empty ones too
    assert out["count"].min() >= 0
    exact = data.with_columns(age=(pl.col("age") // 5 * 5)).group_by("local_body", "ward").len()
    noisy = out.group_by("local_body", "ward").agg(pl.col("count").sum())
    both = exact.join(noisy, on=["local_body", "ward"])
    assert ((both["count"] - both["len"]).abs() < both["len"] * 0.5).all()  # noise, but not unbounded
    assert not both["count"].equals(both["len"].cast(pl.Int64))


def test_dp_rejects_bad_epsilon() -> None:
    with pytest.raises(PolicyError, match=r"epsilon = 0: must be a positive number"):
        DPCounts(epsilon=0).fit(_release())


def test_dp_counts_seeded_twins() -> None:
    data = _release()
    runs = [DPCounts(epsilon=1.0, random_state=s).fit_transform(data) for s in (3, 3, 4)]
    assert runs[0].equals(runs[1])  # the same seed, the same counts
    assert not runs[0].equals(runs[2])


def test_dp_noise_is_discrete_laplace() -> None:
    # A cell nobody is in gets pure noise, whose law is P(k) = (1 - a) / (1 + a) * a**|k| with a = exp(-1 / scale),
    # clamped at zero: P(0) = 1 / (1 + a), P(1) = (1 - a) / (1 + a) * a, P(2) = P(1) * a.
    data = _release(n=30_000).with_columns(ward=pl.Series(np.arange(30_000) % 2_000 + 1, dtype=pl.Int16))
    step = DPCounts(by=("local_body", "ward"), epsilon=0.5, contributions=2, random_state=11)
    noisy = step.fit_transform(data)
    empty = noisy.filter(pl.col("age").is_in(["0-4", "5-9", "10-14", "15-19"]))  # nobody in the release is under 20
    assert data["age"].min() >= 20 and empty.height > 20_000
    a = np.exp(-1 / 4.0)
    shares = [(empty["count"] == k).mean() for k in (0, 1, 2)]
    expected = [1 / (1 + a), (1 - a) / (1 + a) * a, (1 - a) / (1 + a) * a**2]
    assert shares == pytest.approx(expected, abs=0.01)  # 0.562, 0.097, 0.075; standard errors below 0.003


def test_dp_rejects_bad_random_state() -> None:
    with pytest.raises(PolicyError) as err:
        DPCounts(random_state=-1).fit(_release())
    assert str(err.value) == "step 'dp_counts': random_state = -1: must be a whole number from 0 to 2**32 - 1"


def test_ctgan_fit_is_seeded() -> None:
    # CTGAN trains from numpy's and torch's global generators; the step seeds both from random_state.
    import torch

    data = _release(n=300)
    # numpy's legacy global generator is what CTGAN draws from, and what must come back unchanged
    np.random.seed(123)  # noqa: NPY002
    numpy_before, torch_before = np.random.get_state()[1].copy(), torch.get_rng_state().clone()  # noqa: NPY002
    runs = [SyntheticRelease(model="ctgan", epochs=1, random_state=s).fit_transform(data) for s in (5, 5, 6)]
    assert_frame_equal(runs[0], runs[1])  # the same seed: the same model and the same rows
    assert not runs[0].equals(runs[2])
    assert (np.random.get_state()[1] == numpy_before).all()  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_before)


def test_seeded_global_state_is_scoped() -> None:
    import torch

    from synth.world.learned.sdv_fit import seeded_global_state

    before = np.random.get_state()[1].copy(), torch.get_rng_state().clone()  # noqa: NPY002
    with seeded_global_state(7):
        inside = np.random.random(3), torch.rand(3)  # noqa: NPY002
    with seeded_global_state(7):
        again = np.random.random(3), torch.rand(3)  # noqa: NPY002
    assert (inside[0] == again[0]).all() and torch.equal(inside[1], again[1])
    assert (np.random.get_state()[1] == before[0]).all()  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), before[1])
