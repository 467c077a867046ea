"""Probabilistic linkage: the name key, the choice of guesses, and bad input (hand-built tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from synth.attacks import auxiliary as auxiliary_module
from synth.attacks import probabilistic_linkage as probabilistic_linkage_module
from synth.attacks import splink_model
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, NotApplicable
from synth.attacks.knowledge import Knowledge
from synth.attacks.linkage_inputs import (
    SUPPORTED,
    blocking_rules,
    features_with,
    linkage_inputs,
    name_features,
    name_frequencies,
    name_key,
    names_of,
    pair_batches,
    paired_entries,
    training_districts,
)
from synth.attacks.linking import LinkageAttack
from synth.attacks.probabilistic_linkage import ProbabilisticLinkage, ProbabilisticLinkageParams, probabilistic_linkage
from synth.attacks.splink_model import (
    NAME,
    PREDICTION_RULES,
    RARE,
    _best_pairs,
    _training_blocks,
    most_blocked_first,
    rarity,
)
from synth.cli import app
from synth.errors import SpecError
from synth.release.build import AttackerView

SMOKE = Path(__file__).parents[3] / "scenarios" / "ci_smoke.toml"
RNG = np.random.default_rng(0)
ROLL = pl.DataFrame({"epic": ["SYN1"], "name": ["Sooraj K"], "sex": ["M"], "age": [30], "local_body": ["Meppadi"]})


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sooraj K", "Suraj K"),
        ("Rohith P", "Roheeth P"),
        ("Shyam P Nair", "Syam P Nair"),
        ("Sreedevi", "Sridevi"),
        ("Jayadev C", "Jayadew C"),
        ("Aadhidev V", "Aadidev V"),
        ("Irshad", "Irsad"),
    ],
)
def test_transliteration_variants_share_a_name_key(a: str, b: str) -> None:
    keys = pl.DataFrame({"n": [a, b]}).select(name_key(pl.col("n")))["n"].to_list()
    assert keys[0] == keys[1]


def test_different_names_keep_different_keys() -> None:
    keys = pl.DataFrame({"n": ["Anil K", "Anil P", "Sunil K", "Mary"]}).select(name_key(pl.col("n")))["n"]
    assert keys.to_list() == ["anil k", "anil p", "sunil k", "mari"]


def test_best_pair_per_row_and_ties_get_no_guess() -> None:
    pred = pa.table(
        {
            "uid_l": ["r0", "r0", "eSYN9", "r2", "r2"],
            "uid_r": ["eSYN1", "eSYN2", "r1", "eSYN3", "eSYN4"],
            "match_weight": np.log2([99, 19, 97 / 3, 24, 24]),  # probabilities 0.99, 0.95, 0.97, 0.96, 0.96
        }
    )
    # row 0: SYN1 beats SYN2; row 1 (on the right side of its pair): SYN9; row 2: a tie, no guess. Each row's
    # candidates compete: SYN1's odds 99 against SYN2's 19 and no entry at all (1 - coverage = 0.05)
    best = _best_pairs(pred, 0.95, 0.5)
    assert best.select("row_id", "epic").rows() == [(0, "SYN1"), (1, "SYN9")]
    assert best["match_probability"].to_list() == pytest.approx([99 / (0.05 + 99 + 19), 97 / 3 / (0.05 + 97 / 3)])
    # a lone candidate of odds 1 (probability 0.5) is the person with probability 1 / 1.05 once nobody else fits
    lone = pa.table({"uid_l": ["r5"], "uid_r": ["eSYN5"], "match_weight": [0.0]})
    assert _best_pairs(lone, 0.95, 0.9)["match_probability"].to_list() == pytest.approx([1 / 1.05])
    assert _best_pairs(pred, 0.95, 0.9).height == 1  # row 0 at 0.838 is below 0.9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_pair_that_stands_for_entries_of_its_weight_counts_as_them(seed: int) -> None:
    """One pair with a count in ``alike`` gives the guesses, to the last bit, of the entries of its weight it stands
    for (synth.attacks.blocked_pairs.alike_pairs_sql), and so does every order of the pairs; a row whose best weight
    several entries share gets no guess either way."""
    rng = np.random.default_rng(seed)
    n = 3_000
    pairs = pl.DataFrame(
        {
            "uid_l": [f"r{i}" for i in rng.integers(0, 300, n)],
            "uid_r": [f"eSYN{i}" for i in rng.permutation(n)],
            # a few weights, so that entries share them; some high enough to be guessed
            "match_weight": rng.choice([-10.576496, -6.5, 0.806176, 4.25, 9.0], n, p=[0.8, 0.1, 0.05, 0.03, 0.02]),
        }
    )
    # each row's entries of its least weight, and in every other row those of its best (a tie where several share
    # it), one pair standing for them all
    weight, row = pl.col("match_weight"), pl.col("uid_l")
    kept = (weight == weight.min().over(row)) | (
        (weight == weight.max().over(row)) & (row.str.slice(1).cast(int) % 2 == 0)
    )
    counted = (
        pairs.filter(kept)
        .group_by("uid_l", "match_weight")
        .agg(pl.col("uid_r").min(), pl.len().cast(pl.Int64).alias("alike"))
        .select("uid_l", "uid_r", "match_weight", "alike")
    )
    standing = pl.concat([pairs.filter(~kept).with_columns(alike=pl.lit(None, pl.Int64)), counted])
    assert standing.height < pairs.height / 2
    every = _best_pairs(pairs.to_arrow(), 0.95, 0.01)
    assert every.height > 10
    tied = counted.filter(pl.col("alike") > 1, weight == 9.0)["uid_l"].str.slice(1).cast(pl.Int64)
    assert tied.len() > 0 and not every["row_id"].is_in(tied.implode()).any()
    assert_frame_equal(_best_pairs(standing.to_arrow(), 0.95, 0.01), every)
    assert_frame_equal(_best_pairs(pairs.sample(fraction=1.0, shuffle=True, seed=seed).to_arrow(), 0.95, 0.01), every)
    # the recount: each row's sum over its distinct odds, least first, each times its entries
    odds = pairs.select("uid_l", "uid_r", odds=pl.lit(2.0) ** pl.col("match_weight"))
    sums = {
        row: sum(v * k for v, k in sorted(group.group_by("odds").len().rows()))
        for (row,), group in odds.partition_by("uid_l", as_dict=True).items()
    }
    for row_id, epic, probability in every.rows():
        mine = odds.filter(pl.col("uid_l") == f"r{row_id}", pl.col("uid_r") == f"e{epic}")["odds"].item()
        assert probability == pytest.approx(mine / (0.05 + sums[f"r{row_id}"]), rel=1e-12)
        best = odds.filter(pl.col("uid_l") == f"r{row_id}")["odds"]
        assert mine == best.max() and (best == mine).sum() == 1


def test_the_guesses_hold_no_string_of_the_pairs_scored() -> None:
    """A batch's guesses are kept until the attack ends; each epic is a string of its own, not a view into the
    strings of every pair Splink scored (which kept 0.2 GB a batch alive: 15.9 GB on 4 districts without wards)."""
    n = 200_000
    pred = pa.table(
        {
            "uid_l": [f"r{i}" for i in range(n)],
            "uid_r": [f"eKL/01/001/{i:012d}" for i in range(n)],
            "match_weight": np.where(np.arange(n) < 10, 20.0, -20.0),
        }
    )
    best = _best_pairs(pred, 0.95, 0.9)
    assert best["epic"].to_list() == [f"KL/01/001/{i:012d}" for i in range(10)]
    held = best["epic"].to_arrow(compat_level=pl.CompatLevel.newest()).buffers()
    assert sum(b.size for b in held if b is not None) < 1_000  # the 10 epics, not the 200,000 entries' 5 MB


def test_bad_input_names_the_attack_and_the_column() -> None:
    release = pl.DataFrame({"row_id": [0], "age": [30], "gender": ["M"]})
    cases = [
        (
            release,
            "attack 'probabilistic_linkage': needs the column 'name', which the release lacks "
            "(it has row_id, age, gender)",
        ),
        (release.clear(), "attack 'probabilistic_linkage': the release is empty; nothing to link"),
    ]
    for data, message in cases:
        with pytest.raises(NotApplicable) as err:
            probabilistic_linkage(AttackerView(data), AuxiliaryData(electoral_roll=ROLL), RNG)
        assert err.type is NotApplicable and str(err.value) == message
    with pytest.raises(SpecError) as spec:
        probabilistic_linkage(AttackerView(release), AuxiliaryData(), RNG)
    assert str(spec.value) == (
        "attack 'probabilistic_linkage': needs the auxiliary source 'electoral_roll', which the scenario did not "
        "grant (granted: none)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, "threshold = 1.0; allowed is a probability in (0, 1)"),
        ({"recall": 0.0}, "recall = 0.0; allowed is a share in (0, 1]"),
        ({"max_pairs": 10.0}, "max_pairs = 10.0; allowed is at least 1000"),
        ({"train_rows": 0}, "train_rows = 0; allowed is a whole number above 0"),
        ({"train_rows": 1.5}, "train_rows = 1.5; allowed is a whole number above 0"),
        ({"batch_pairs": 999}, "batch_pairs = 999; allowed is a whole number of at least 1000"),
        ({"batch_pairs": 5e6}, "batch_pairs = 5000000.0; allowed is a whole number of at least 1000"),
    ],
)
def test_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(SpecError) as err:
        ProbabilisticLinkageParams(**kwargs)
    assert str(err.value) == f"attack 'probabilistic_linkage': {message}"


def test_every_bad_parameter_is_reported_at_once() -> None:
    with pytest.raises(SpecError) as err:
        ProbabilisticLinkageParams(threshold=1.0, batch_pairs=999)
    assert str(err.value).splitlines() == [
        "attack 'probabilistic_linkage': threshold = 1.0; allowed is a probability in (0, 1)",
        "attack 'probabilistic_linkage': batch_pairs = 999; allowed is a whole number of at least 1000",
    ]


def _parts(sizes: dict[str, int]) -> dict[str, tuple[pl.DataFrame, pl.Series | None]]:
    return {d: (pl.DataFrame({"row_id": range(n)}), None) for d, n in sizes.items()}


def test_training_districts_are_drawn_until_they_hold_enough_rows() -> None:
    parts = _parts({"A": 50, "B": 100, "C": 150, "D": 200})
    everything = training_districts(parts, 10_000, seed=3)
    assert everything == ["A", "B", "C", "D"]  # fewer rows than asked: every district
    for seed in range(20):
        chosen = training_districts(parts, 120, seed)
        held = [parts[d][0].height for d in chosen]
        # enough rows, and without the last district drawn (at most the largest) there were too few
        assert sum(held) >= 120 and sum(held) - max(held) < 120
        assert chosen == training_districts(parts, 120, seed)  # seeded twins
    assert len({tuple(training_districts(parts, 1, s)) for s in range(20)}) == 4  # every district can be drawn


def test_batches_hold_a_budget_of_pairs_with_the_roll_of_their_places() -> None:
    """Pairs per row are counted by hand; a batch closes once it holds the budget."""
    cols = ["name", "gender", "age", "local_body", "ward"]
    rel = pl.DataFrame(
        {
            "uid": ["r1", "r2", "r3", "r4"],
            "name": ["Anu", "Anu", "Biju", "Anu"],
            "name_key": ["anu", "anu", "biju", "anu"],
            "initial": ["a", "a", "b", "a"],
            "gender": ["F", "F", "M", "F"],
            "age": [30, 31, 40, 30],
            "local_body": ["A", "A", "A", "B"],
            "ward": [1, 1, 2, 1],
        }
    )
    rol = pl.DataFrame(
        {
            "uid": [f"e{i}" for i in range(6)],
            "name": ["Anu", "Anu", "Biju", "Anu", "Anu", "Ravi"],
            "name_key": ["anu", "anu", "biju", "anu", "anu", "ravi"],
            "initial": ["a", "a", "b", "a", "a", "r"],
            "gender": ["F", "F", "M", "F", "F", "M"],
            "age": [30, 30, 40, 31, 30, 30],
            "local_body": ["A", "A", "A", "A", "B", "B"],
            "ward": [1, 1, 2, 1, 1, 1],
        }
    )
    # Pairs by (place, name key) + by (place, ward, gender, age) + by (place, gender, initial, age):
    # r1: 3 Anu in A + 2 (A,1,F,30) + 2 (A,F,a,30) = 7; r2: 3 + 1 + 1 = 5; r3: 1 + 1 + 1 = 3;
    # r4: 1 (Anu in B) + 1 + 1 = 3. Batches start at 0, 7, 12 and 15 pairs: 0 // 7, 7 // 7, 12 // 7, 15 // 7.
    batches = list(pair_batches(rel, rol, cols, pairs=7))
    assert [b[0]["uid"].to_list() for b in batches] == [["r1"], ["r2", "r3"], ["r4"]]
    assert [sorted(b[1]["uid"].to_list()) for b in batches] == [
        ["e0", "e1", "e2", "e3"],
        ["e0", "e1", "e2", "e3"],
        ["e4", "e5"],
    ]
    whole = list(pair_batches(rel, rol, cols, pairs=1_000))
    assert len(whole) == 1 and whole[0][0].height == 4 and whole[0][1].height == 6
    # Each rule's pairs at its share of pairs compared: r1 3 + 2 / 2 + 2 / 2 = 5; r2 3 + 1 / 2 + 1 / 2 = 4;
    # r3 1 + 1 = 2; r4 2. Batches start at 0, 5, 9 and 11: 0 // 7, 5 // 7, 9 // 7, 11 // 7.
    shared = list(pair_batches(rel, rol, cols, pairs=7, shares=[1.0, 0.5, 0.5]))
    assert [b[0]["uid"].to_list() for b in shared] == [["r1", "r2"], ["r3", "r4"]]


def test_the_blocking_rules() -> None:
    """With wards, a third rule compares the movers whose initials the roll prints otherwise; without wards the
    person rule already spans the place."""
    assert blocking_rules(["name", "gender", "age", "district", "taluk", "local_body", "ward"]) == [
        ["local_body", "name_key"],
        ["local_body", "ward", "gender", "age"],
        ["local_body", "gender", "initial", "age"],
    ]
    assert blocking_rules(["name", "gender", "age", "local_body"]) == [
        ["local_body", "name_key"],
        ["local_body", "gender", "age"],
    ]
    assert blocking_rules(["name", "gender", "local_body", "ward"]) == [  # no age: the third block would be vast
        ["local_body", "name_key"],
        ["local_body", "ward", "gender"],
    ]
    assert blocking_rules(["name", "age", "taluk", "ward"]) == [["taluk", "name_key"], ["taluk", "ward", "age"]]


def test_the_entries_paired_with_rows_are_those_a_blocking_rule_pairs() -> None:
    """One row, of Kalpetta ward 3, a woman of 40 named by the key "rajani". The entries a rule pairs with it: the
    same name key (e1), the same ward, gender and age (e2), the same gender, initial and age (e3). Not paired: another
    local body (e4), nothing shared but the place (e5), a null place (e6)."""
    cols = ["name", "gender", "age", "local_body", "ward"]
    row = {"local_body": "Kalpetta", "ward": 3, "gender": "F", "age": 40, "name_key": "rajani", "initial": "r"}
    rel = pl.DataFrame([row])
    changes = [
        {"ward": 9, "age": 60},
        {"name_key": "suma", "initial": "s"},
        {"name_key": "rema", "ward": 9},
        {"local_body": "Mananthavady"},
        {"name_key": "suma", "initial": "s", "ward": 9},
        {"local_body": None, "ward": 9, "age": 60},
    ]
    rol = pl.DataFrame([{**row, **change, "uid": f"e{i}"} for i, change in enumerate(changes, 1)])
    assert paired_entries(rel, rol, cols)["uid"].to_list() == ["e1", "e2", "e3"]


@pytest.mark.parametrize(
    ("cols", "passes"),
    [
        (
            ["name", "age", "gender", "district", "taluk", "local_body", "ward"],
            [
                ["local_body", "age"],
                ["local_body", NAME, "gender", RARE],
                [NAME, "age", "gender", RARE],
            ],
        ),
        (  # no wards: the same passes (a ward was never in them)
            ["name", "age", "gender", "district", "taluk", "local_body"],
            [
                ["local_body", "age"],
                ["local_body", NAME, "gender", RARE],
                [NAME, "age", "gender", RARE],
            ],
        ),
        (  # no ages: the first pass splits a place by the name's first letter
            ["name", "gender", "district"],
            [["district", "initial"], [NAME, "gender", RARE]],
        ),
        (["name", "age", "gender"], [["age"], [NAME, "gender", RARE]]),  # no place
    ],
)
def test_each_compared_field_is_learnt_in_a_pass_that_does_not_block_on_it(
    cols: list[str], passes: list[list[str]]
) -> None:
    assert _training_blocks(cols) == passes
    for field, blocked in (("name", NAME), ("age", "age"), ("gender", "gender")):
        if field in cols:
            assert any(blocked not in rule for rule in passes), field
    # nothing is learnt among pairs that share a common name (its namesakes agree on sex and birth cohort)
    assert all(RARE in rule for rule in passes if NAME in rule)


def test_a_threshold_outside_0_1_exits_2_from_the_cli(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    text = SMOKE.read_text(encoding="utf-8")
    scenario.write_text(
        text.replace("[attacks.probabilistic_linkage]\n", "[attacks.probabilistic_linkage]\nthreshold = 1.5\n"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {scenario}: attacks.probabilistic_linkage.threshold = 1.5; allowed is a probability in (0, 1)"
    ]
    assert not out.exists()


def test_a_rare_name_is_as_rare_as_the_data_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass on rare names needs pairs to train on: "rare" starts at two namesakes on the roll and doubles until
    the pass holds enough (a first pair; here 2), never past the commonest name."""
    monkeypatch.setattr(splink_model, "MIN_TRAINING_PAIRS", 2)
    left = pl.DataFrame({"local_body": ["A", "A", "A"], "name": ["Anu", "Biju", "Ravi"], "namesakes": [3, 5, 9]})
    right = pl.DataFrame(
        {"local_body": ["A"] * 5, "name": ["Anu", "Anu", "Anu", "Biju", "Ravi"], "namesakes": [3, 3, 3, 5, 9]}
    )
    rule = ["local_body", "name", RARE]
    # at most 2: no pair; at most 4: Anu's 3 pairs
    assert rarity(left, right, rule) == 4
    monkeypatch.setattr(splink_model, "MIN_TRAINING_PAIRS", 4)  # 3 pairs at 4, 4 at 8 (Biju joins)
    assert rarity(left, right, rule) == 8
    monkeypatch.setattr(splink_model, "MIN_TRAINING_PAIRS", 1_000)  # never enough: stops at the commonest name
    assert rarity(left, right, rule) == 16
    assert rarity(left, right, ["local_body", "name"]) == 0  # a pass that does not ask for rare names
    monkeypatch.undo()
    assert rarity(left, right, rule) == 4  # the shipped limit: a first pair
    assert rarity(left.with_columns(namesakes=2), right.with_columns(namesakes=2), rule) == 2  # rare enough already


RELEASED = pl.DataFrame(
    {
        "row_id": [0, 1, 2],
        "name": ["K. Sooraj", "Bindu M", "Sreedevi P R"],
        "age": [30, 41, 67],
        "gender": ["M", "F", "F"],
        "local_body": ["Meppadi", "Meppadi", "Kalpetta"],
    }
)
LISTED = pl.DataFrame(
    {
        "epic": ["SYN1", "SYN2", "SYN3", "SYN4"],
        "name": ["Suraj K", "Bindu", "Sridevi R", "Bindu"],
        "sex": ["M", "F", "F", "F"],
        "age": [30, 40, 67, 41],
        "local_body": ["Meppadi", "Meppadi", "Kalpetta", "Meppadi"],
        "house_name": ["Kizhakkethil", "Mangalath", "Puthenveedu", "Thekkel"],
        "relative_name": ["Raman", "Gopi", "Pavithran", "Sasi"],
    }
)


def test_inputs_read_from_the_features_of_a_wider_input_and_initials_read_once_are_those_read_alone() -> None:
    cols = ["name", "age", "gender", "local_body"]
    alone = linkage_inputs(RELEASED, LISTED, cols, RELEASED["age"])
    more = pl.DataFrame({"row_id": [9], "name": ["Anu T"]})  # a name of another district
    features = name_features(names_of(pl.concat([RELEASED, more], how="diagonal"), LISTED))
    read = LISTED.with_columns(AuxiliaryData(electoral_roll=LISTED).roll_initials["initials"].alias(SUPPORTED))
    shared = linkage_inputs(RELEASED, read, cols, RELEASED["age"], features)
    for mine, theirs in zip(shared, alone, strict=True):
        assert_frame_equal(mine, theirs)
    # the roll's entries support the initials of their house and relative: Bindu of Mangalath, son of Gopi
    assert alone[1].filter(pl.col("uid") == "eSYN2")["mask"].item() == (1 << 6) | (1 << 12)  # g and m
    tf = name_frequencies(RELEASED, LISTED)
    for col, table in name_frequencies(RELEASED, LISTED, features).items():
        assert_frame_equal(table, tf[col])


def test_the_names_of_a_source_read_once_serve_every_release() -> None:
    """The roll's names' features and counts are read once per source; a release's names are added to them. The
    term frequencies and inputs are those read from the release and roll together."""
    aux = AuxiliaryData(electoral_roll=LISTED.vstack(LISTED.head(1).with_columns(name=pl.lit(None, pl.String))))
    roll = aux.electoral_roll
    assert roll is not None
    assert aux.roll_name_features is aux.roll_name_features and aux.roll_name_counts is aux.roll_name_counts
    assert sorted(aux.roll_name_features["name"]) == ["Bindu", "Sridevi R", "Suraj K"]
    assert aux.roll_name_counts.sort("name").rows() == [("Bindu", 2), ("Sridevi R", 1), ("Suraj K", 1)]
    released = RELEASED.vstack(RELEASED.head(1).with_columns(row_id=pl.lit(3, pl.Int64), name=pl.lit("Bindu")))
    features = features_with(aux.roll_name_features, released["name"])
    assert_frame_equal(features, name_features(names_of(released, roll)).drop_nulls("name"), check_row_order=False)
    assert features_with(features, LISTED["name"]) is features  # nothing to add
    tf = name_frequencies(released, roll)
    assert tf["name"].filter(pl.col("name") == "Bindu")["tf_name"].item() == 3 / 8  # twice listed, once released
    for col, table in name_frequencies(released, roll, features, aux.roll_name_counts).items():
        assert_frame_equal(table, tf[col])
    cols = ["name", "age", "gender", "local_body"]
    read = roll.with_columns(aux.roll_initials["initials"].alias(SUPPORTED))
    for mine, theirs in zip(
        linkage_inputs(released, read, cols, released["age"], features),
        linkage_inputs(released, roll, cols, released["age"]),
        strict=True,
    ):
        assert_frame_equal(mine, theirs)


def test_namesakes_are_the_roll_entries_a_name_could_be_written_for() -> None:
    # Of a released name: the entries of its given name's key that support each of its initials. Of a roll entry:
    # the entries of its key that support the same initials. Worked out by hand.
    listed = pl.DataFrame(
        {
            "epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"],
            "name": ["Rajan", "Rajan", "Rajan", "Mary", None],
            "sex": ["M"] * 3 + ["F", "M"],
            "age": [40, 41, 70, 30, 50],
            "house_name": ["Kizhakkethil", "Kizhakkethil", "Mangalath", "Parayil", "Puthiya"],
            "relative_name": ["Prabhakaran", "Prabhakaran", "Prabhakaran", "Varghese", "Kumar"],
        }
    )
    released = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3, 4, 5],
            "name": ["K. P. Rajan", "Rajan P", "Rajan M", "Rajan", "Rajan K M", "Mary V"],
            "age": [40, 41, 70, 40, 40, 30],
        }
    )
    rel, rol = linkage_inputs(released, listed, ["name", "age"], released["age"])
    # kp: SYN1 and SYN2; p: all three Rajans; m: SYN3; none: all three; km: no one supports both; v: Mary
    assert rel["namesakes"].to_list() == [2, 3, 1, 3, 0, 1]
    # SYN1 and SYN2 support kp, SYN3 mp, Mary pv; the entry without a name has no key, so no count
    assert rol["namesakes"].to_list() == [2, 2, 1, 1, None]


def test_a_model_trained_on_one_district_scores_it_from_the_inputs_it_was_trained_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def counted(data: pl.DataFrame, *args: Any, **kwargs: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
        calls.append(data.height)
        return linkage_inputs(data, *args, **kwargs)

    def no_guess(*_: Any) -> pl.DataFrame:
        return pl.DataFrame(schema={"row_id": pl.Int64, "epic": pl.String, "match_probability": pl.Float64})

    monkeypatch.setattr(probabilistic_linkage_module, "linkage_inputs", counted)
    # which inputs are read is the question here, not what a model makes of three rows
    monkeypatch.setattr(probabilistic_linkage_module, "fit_model", lambda *_: None)
    monkeypatch.setattr(probabilistic_linkage_module, "narrowed", lambda model, *_: model)
    monkeypatch.setattr(probabilistic_linkage_module, "compared_shares", lambda *_: None)
    monkeypatch.setattr(probabilistic_linkage_module, "most_blocked_first", lambda model, *_: model)
    monkeypatch.setattr(probabilistic_linkage_module, "predict_links", no_guess)
    two = RELEASED.with_columns(district=pl.Series(["Wayanad", "Wayanad", "Kannur"]))
    roll = LISTED.with_columns(district=pl.Series(["Wayanad", "Wayanad", "Kannur", "Wayanad"]))
    one = ProbabilisticLinkageParams(max_pairs=1_000, train_rows=1)
    probabilistic_linkage(AttackerView(two), AuxiliaryData(electoral_roll=roll), np.random.default_rng(4), one)
    # the first district drawn holds enough rows: it is read once, to train and to be scored; the other to be scored
    assert sorted(calls) == [1, 2]
    calls.clear()
    both = ProbabilisticLinkageParams(max_pairs=1_000, train_rows=3)
    probabilistic_linkage(AttackerView(two), AuxiliaryData(electoral_roll=roll), np.random.default_rng(4), both)
    assert calls == [3, 1, 2]  # trained on both districts: each is read on its own to be scored


def test_the_rules_that_block_most_pairs_come_first() -> None:
    """Without wards: the rule of one place and name key blocks 2 pairs (Anu with Anu twice), the rule of one place,
    sex and age 4 (the two women of 30 with both women of 30): it comes first, and the model is otherwise the same."""
    cols = ["name", "gender", "age", "local_body"]
    rel = pl.DataFrame(
        {
            "uid": ["r1", "r2"],
            "name_key": ["anu", "sita"],
            "gender": ["F", "F"],
            "age": [30, 30],
            "local_body": ["A"] * 2,
        }
    )
    rol = rel.with_columns(uid=pl.Series(["e1", "e2"]), name_key=pl.Series(["anu", "anu"]))
    rules = [{"blocking_rule": "by name"}, {"blocking_rule": "by person"}]
    model = {"comparisons": ["c"], PREDICTION_RULES: rules}
    assert blocking_rules(cols) == [["local_body", "name_key"], ["local_body", "gender", "age"]]
    assert most_blocked_first(model, rel, rol, cols) == {"comparisons": ["c"], PREDICTION_RULES: rules[::-1]}
    assert model[PREDICTION_RULES] == rules  # not changed
    few = rol.with_columns(age=pl.Series([40, 50]))  # by person 0 pairs: the order stands
    assert most_blocked_first(model, rel, few, cols) is model
    with pytest.raises(ValueError, match=r"^the model has 2 prediction rules; \['name'\] make 1$"):
        most_blocked_first(model, rel, rol, ["name"])


def test_the_roll_of_given_names_is_read_once_for_the_attack_and_its_baseline_then_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []
    monkeypatch.setattr(auxiliary_module, "given_only", lambda frame: reads.append(frame.height) or frame)
    aux = AuxiliaryData(electoral_roll=ROLL)

    def linked_twice(self: object, cell: Cell, params: object) -> str:  # the attack's link, then its baseline's
        assert cell.aux.given_names_only is cell.aux.given_names_only
        return "outcome"

    monkeypatch.setattr(LinkageAttack, "run", linked_twice)
    view = AttackerView(pl.DataFrame({"row_id": [0]}))
    cell = Cell(view, aux, Knowledge.from_view(view), np.random.default_rng(0))
    assert ProbabilisticLinkage().run(cell, ProbabilisticLinkageParams()) == "outcome"
    assert reads == [1] and "given_names_only" not in vars(aux)

    def failing(self: object, cell: Cell, params: object) -> str:
        assert cell.aux.given_names_only.electoral_roll is not None
        raise NotApplicable("attack 'probabilistic_linkage': nothing to link")

    monkeypatch.setattr(LinkageAttack, "run", failing)
    with pytest.raises(NotApplicable):
        ProbabilisticLinkage().run(cell, ProbabilisticLinkageParams())
    assert reads == [1, 1] and "given_names_only" not in vars(aux)  # let go however the attack ended
