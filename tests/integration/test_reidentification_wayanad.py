"""The strongest attacker on Wayanad, recounted: the runner's re-identification figures for the export as it
was and for ``drop_names`` equal an independent count of the same chain written here with plain Polars
joins (released names, or a caller-ID label of the released number, then the roll)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from synth import World
from synth.core.paths import VOCAB_DIR
from synth.scenario import scenario_from_dict
from synth.scenario.run import run_scenario
from tests.integration.name_recount import compatible, with_read_names, with_supported

PLACES = ["district", "taluk", "local_body", "ward"]


@pytest.fixture(scope="module")
def run(wayanad: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = scenario_from_dict(
        {
            "spec_version": 1,
            "policies": ["as_exported", "drop_names"],
            "purposes": ["outreach"],
            "scenario": {"id": "recount"},
            "world": {"path": str(wayanad.path)},
            "release": {
                "registries": ["employees", "pensioners", "entrepreneurs", "womens_scheme"],
                "fields": ["phone", "name", "age", "gender", *PLACES, "registry"],
            },
            "attacker": {"sources": ["electoral_roll", "caller_id"]},
            "attacks": {
                "caller_id_lookup": {},
                "exact_linkage": {},
                "reidentification": {},
                "attribute_inference": {"secret": "womens_scheme"},
            },
            "seeds": [1],
        }
    )
    out = tmp_path_factory.mktemp("recount") / "run"
    run_scenario(scenario, out)
    return out


def _unique_links(left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """row_id -> epic where exactly one roll entry has the row's keys (no key null); failing that, where
    exactly one has them with its age one less than the row's (the roll's ages are on its qualifying date,
    a month before the export's)."""
    left, right = left.drop_nulls(keys), right.drop_nulls(keys)
    # entries alike in the keys and in all the roll prints of a person are one person (listed twice): kept once
    printed = ["name", "relative_type", "relative_name", "gender", "age"]
    right = right.sort("epic").unique(subset=sorted({*keys, *printed}), keep="first", maintain_order=True)
    fits: Callable[[pl.DataFrame], pl.DataFrame] = pl.DataFrame.clone  # every pair, unless names are compared
    if "name" in keys:  # names across formats: the given name, and initials the entry supports (name_recount)
        left, right = with_read_names(left).drop_nulls("given"), with_supported(right.drop("given"))
        keys, fits = ["given", *(k for k in keys if k != "name")], compatible
    right = right.select(*keys, "epic", *(["mask"] if "mask" in right.columns else []))
    same_age = fits(left.join(right, on=keys, how="inner")).select("row_id", "epic")
    a_year_less = fits(left.with_columns(pl.col("age") - 1).join(right, on=keys, how="inner")).select("row_id", "epic")
    unique_same = same_age.filter(pl.len().over("row_id") == 1)
    either = pl.concat([same_age, a_year_less]).unique().filter(pl.len().over("row_id") == 1)
    return pl.concat([unique_same, either.join(unique_same, on="row_id", how="anti")])


def _label_names(labels: pl.DataFrame) -> pl.DataFrame:
    """phone -> given name read from the label: a trailing role cut, relation words and nicknames dropped."""
    words = pl.read_csv(VOCAB_DIR / "nicknames.csv")
    given_names = set(pl.read_csv(VOCAB_DIR / "given_names.csv")["name"].str.to_lowercase())
    roles = words.filter(pl.col("kind") == "role")["label"].to_list()
    nobody = set(words.filter(pl.col("kind") != "role")["label"].str.to_lowercase()) - given_names
    rows = []
    for phone, label in labels.iter_rows():
        name = label
        for role in roles:
            if name.endswith(" " + role):
                name = name[: -len(role) - 1].strip()
                break
        if name and name.lower() not in nobody:
            rows.append((phone, name.split()[0].lower()))
    return pl.DataFrame(rows, schema={"phone": pl.String, "given": pl.String}, orient="row")


@pytest.mark.parametrize("policy", ["as_exported", "drop_names"])
def test_reidentification_equals_an_independent_count(run: Path, wayanad: World, policy: str) -> None:
    release = pl.read_parquet(run / "releases" / f"{policy}.parquet")
    truth = pl.read_parquet(run / "truth" / f"{policy}.parquet")
    places = wayanad.place_names().select("ward_code", *PLACES)
    roll = (
        wayanad.electoral_roll.collect()
        .join(places, on="ward_code")
        .select(
            "epic",
            "name",
            "relative_type",
            "relative_name",
            "house_name",
            *PLACES,
            gender=pl.col("sex").cast(pl.String),
            age=pl.col("age").cast(pl.Int64),
        )
        .with_columns(pl.col("ward").cast(pl.Int64))
    )
    roll = roll.join(with_read_names(roll.select("name").unique()).select("name", "given"), on="name", how="left")
    rel = release.with_columns(pl.col("age").cast(pl.Int64), pl.col("ward").cast(pl.Int64))
    keys = [c for c in ["name", "age", "gender", *PLACES] if c in rel.columns]
    links = [_unique_links(rel, roll, keys)]
    if "name" not in rel.columns:  # the chain: released number -> caller-ID label -> given name -> roll
        names = _label_names(wayanad.caller_id.collect())
        named = rel.join(names, on="phone", how="inner")
        links.append(_unique_links(named, roll, ["given", *keys]))
    every = pl.concat(links)
    people = every.join(truth, on="row_id").join(
        wayanad.table("roll_truth").collect().select("epic", guessed="person_id"), on="epic"
    )
    right = people.filter(pl.col("person_id") == pl.col("guessed"))["row_id"].n_unique()
    guesses = every["row_id"].n_unique()

    results = pl.read_parquet(run / "results.parquet").filter(
        pl.col("policy") == policy, pl.col("attack") == "reidentification", pl.col("group") == "all"
    )
    figures = dict(zip(results["measure"], results["value"], strict=True))
    assert (figures["guesses"], figures["correct"], figures["rows"]) == (guesses, right, release.height)
    assert figures["recall"] == pytest.approx(right / release.height)
    assert figures["membership_disclosed"] == right  # every exported row is a registry member's
    if policy == "drop_names":  # the caller-ID chain is what re-identifies most of these rows
        chains = pl.read_parquet(run / "results.parquet").filter(
            pl.col("policy") == policy, pl.col("attack") == "reidentification", pl.col("measure") == "correct"
        )
        by_chain = dict(zip(chains["group"], chains["value"], strict=True))
        assert by_chain["chain=caller_id_lookup>exact_linkage"] > 5 * by_chain["chain=exact_linkage"]


def test_the_inference_baseline_is_the_majority_share_of_the_voters(run: Path, wayanad: World) -> None:
    """The default scenario's secret (membership of the women's scheme) over every voter the truth knows: the
    baseline's accuracy is the share of those voters outside the scheme, counted from the world's tables."""
    voters = wayanad.table("roll_truth").filter(pl.col("person_id") >= 0).select("person_id").collect()
    members = wayanad.table("womens_scheme").select("person_id").unique().collect()
    outside = voters.join(members, on="person_id", how="anti").height / voters.height
    assert outside > 0.5
    results = pl.read_parquet(run / "results.parquet").filter(
        pl.col("attack") == "attribute_inference", pl.col("group") == "all", pl.col("measure") == "baseline"
    )
    assert results["value"].to_list() == pytest.approx([outside, outside], abs=1e-12)  # both policies
