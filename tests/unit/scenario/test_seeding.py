"""The scenario seed reaches every policy step's random_state: salts, tokens, noise and samples vary by seed."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.policies import load_policy, minimize
from synth.policies.apply import MinimizedRelease
from synth.policies.base import Policy, seed_problems
from synth.policies.columns import DropColumns
from synth.policies.hashing import HashColumn
from synth.policies.synthetic import SyntheticRelease
from synth.policies.tokenize import Tokenize
from synth.release.build import Release
from synth.release.spec import ReleaseSpec
from synth.scenario.seeding import seeded_policy, step_seed

ROWS = 400


def _release(n: int = ROWS) -> Release:
    rng = np.random.default_rng(7)
    places = [("Wayanad", "Vythiri", "Kalpetta"), ("Wayanad", "Vythiri", "Meppadi"), ("Kollam", "Kollam", "Kollam")]
    p = rng.integers(0, len(places), n)
    registry = rng.choice(["pensioners", "womens_scheme", "employees"], n)
    gender = np.where(registry == "womens_scheme", "F", np.where(rng.random(n) < 0.5, "F", "M"))
    data = pl.DataFrame(
        {
            "row_id": np.arange(n, dtype=np.int64),
            "phone": [f"+9198470{i:05d}" for i in range(n)],
            "name": [f"Person {i}" for i in range(n)],
            "age": rng.integers(18, 90, n),
            "gender": gender,
            "district": [places[i][0] for i in p],
            "taluk": [places[i][1] for i in p],
            "ward": rng.integers(1, 6, n).astype(np.int16),
            "local_body": [places[i][2] for i in p],
            "registry": registry,
        }
    )
    truth = data.select("row_id", person_id=pl.col("row_id") + 1_000, registry="registry")
    return Release(spec=ReleaseSpec(), data=data, truth=truth)


RELEASE = _release()


def _released(policy_id: str, seed: int) -> MinimizedRelease:
    return minimize(RELEASE, seeded_policy(load_policy(policy_id), seed))


def _salt(out: MinimizedRelease) -> pl.DataFrame:
    return pl.DataFrame({"salt": [out.view.metadata["phone_salt"]]})


def _tokens(out: MinimizedRelease) -> pl.DataFrame:
    return out.view.data.select("row_id", "phone")


def _counts(out: MinimizedRelease) -> pl.DataFrame:
    return out.view.data


def _sample(out: MinimizedRelease) -> pl.DataFrame:
    return out.view.data


RANDOM_PARTS: dict[str, Callable[[MinimizedRelease], pl.DataFrame]] = {
    "hash_salted_released": _salt,  # the released salt
    "tokenize": _tokens,  # the tokens
    "dp_counts_eps1": _counts,  # the noisy counts
    "sdv_copula": _sample,  # the synthetic rows
}


@pytest.mark.parametrize("policy_id", list(RANDOM_PARTS))
def test_seeds_differ_and_a_seed_repeats(policy_id: str) -> None:
    part = RANDOM_PARTS[policy_id]
    first, again, other = (part(_released(policy_id, seed)) for seed in (1, 1, 2))
    assert_frame_equal(first, again)  # the same scenario seed: identical output
    assert not first.equals(other)  # another seed: another salt, other tokens, noise or rows


def test_salted_hashes_follow_the_salt() -> None:
    one, two = _released("hash_salted_released", 1), _released("hash_salted_released", 2)
    assert one.view.metadata["phone_salt"] != two.view.metadata["phone_salt"]
    assert not set(one.view.data["phone"]) & set(two.view.data["phone"])  # no hash in common


def test_the_noise_differs_but_not_the_grid() -> None:
    one, two = _released("dp_counts_eps1", 1).view.data, _released("dp_counts_eps1", 2).view.data
    assert_frame_equal(one.drop("count"), two.drop("count"))  # the same public grid of cells
    assert (one["count"] != two["count"]).sum() > 0


def test_the_callers_policy_is_unchanged() -> None:
    policy = load_policy("sdv_copula")
    before, step = repr(policy.steps), policy.steps[0]
    assert isinstance(step, SyntheticRelease)
    seeded = seeded_policy(policy, 3)
    assert repr(policy.steps) == before and policy.steps[0] is step and step.random_state == 0
    assert seeded is not policy and seeded.steps[0] is not step
    assert (seeded.id, seeded.description) == (policy.id, policy.description)
    minimize(RELEASE, seeded)
    assert not hasattr(step, "fitted_")  # fitting the copy fits nothing of the original


def test_a_step_without_random_state_is_left_as_it_was() -> None:
    policy = Policy("mixed", "drop names, then tokens", [DropColumns(["name"]), Tokenize(random_state=9)])
    seeded = seeded_policy(policy, 4)
    drop, tokens = seeded.steps
    assert isinstance(tokens, Tokenize)
    assert type(drop) is DropColumns and drop.get_params() == policy.steps[0].get_params()
    assert drop is not policy.steps[0]  # a copy, never shared with the caller
    assert tokens.column == "phone"
    assert tokens.random_state == step_seed(4, "mixed", 1)  # the file's or the default seed is replaced
    assert seeded_policy(policy, 4).steps[1].get_params() == tokens.get_params()  # the same seed, the same step


def test_step_seeds_are_valid_and_distinct() -> None:
    expected = np.random.SeedSequence([5, zlib.crc32(b"p"), 2]).generate_state(1, dtype=np.uint32)[0]
    assert step_seed(5, "p", 2) == int(expected)
    seeds = {step_seed(s, pid, i) for s in (0, 1, 2) for pid in ("p", "q") for i in (0, 1)}
    assert len(seeds) == 12  # by scenario seed, by policy and by position
    assert all(isinstance(s, int) and seed_problems(s) == [] for s in seeds)
    policy = Policy("two", "two salted hashes", [HashColumn(method="salted"), HashColumn("name", method="salted")])
    first, second = seeded_policy(policy, 1).steps
    assert isinstance(first, HashColumn) and isinstance(second, HashColumn)
    assert first.random_state != second.random_state  # two steps, two streams


@pytest.mark.parametrize("seed", [-1, 1.5, True, 2**32])
def test_a_bad_seed_is_refused(seed: Any) -> None:
    with pytest.raises(ValueError) as err:
        seeded_policy(load_policy("tokenize"), seed)
    assert str(err.value) == f"seed = {seed!r}: must be a whole number from 0 to 2**32 - 1"
