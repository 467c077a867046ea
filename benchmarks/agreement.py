"""Our attacks and anonymeter's on the same release and the same attacker knowledge.

:func:`prepare` takes a release of a given number of rows from a world (the alleged export, sampled down
with a seeded generator, or widened with other adult residents where the world's export is smaller), the
electoral roll the attacker holds, and writes what anonymeter's evaluators need as Parquet files
(:mod:`benchmarks.anonymeter_runner` documents each). :func:`our_attack` runs one of our attacks over the
whole release and scores it twice with exact counts over every row:

- as we define it (``ours``): the figures ``synth run`` reports;
- as anonymeter defines the same question (``ours_as_anonymeter``), on the same targets anonymeter samples its
  500 attacks from, so that the two can be compared within anonymeter's interval:

  - singling out: the share of the release's distinct quasi-identifier combinations that describe exactly one
    person of the population (anonymeter removes duplicate rows before it draws its predicates);
  - linkability: the share of released people on the roll whose roll entry our exact linkage ties to one of
    their own released rows (against voters not released, whose phone no linked row carries);
  - inference: the share of released voters whose women's-scheme membership we infer right, against voters
    not released, and anonymeter's risk from the two.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth import World
from synth.attacks.attribute_inference import SECRETS, AttributeInferenceParams, attribute_inference
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.linking import shuffled_view
from synth.attacks.singling_out import singling_out
from synth.core.coding import roll_in_release_coding
from synth.release import Release, ReleaseSpec, make_release
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.inference import score_inference, true_secrets
from synth.scoring.linkage import correct_rows
from synth.scoring.singling_out import population_counts, population_in_release_coding, score_singling_out
from synth.scoring.stats import Rate, risk, wilson

QUASI_IDENTIFIERS = ("age", "gender", "district", "taluk", "local_body", "ward")
ROLL_KEYS = ("name", *QUASI_IDENTIFIERS)
SECRET = "womens_scheme"
ATTACKS = ("singling_out", "exact_linkage", "attribute_inference")
# our attack -> the anonymeter evaluators that ask the same question
COUNTERPARTS = {
    "singling_out": ("singling_out_matched", "singling_out"),
    "exact_linkage": ("linkability",),
    "attribute_inference": ("inference",),
}
CONTROL_ROWS = 50_000  # voters not released written for anonymeter's control (it attacks 500 of them)
SALT = 0xA6E  # seeds the release sample and the control sample


@dataclass(frozen=True)
class Prepared:
    """A release of ``rows`` rows, what the attacker holds, the truth to score with, and anonymeter's files."""

    rows: int
    world: World
    release: Release
    aux: AuxiliaryData
    roll_truth: pl.DataFrame
    released_voters: pl.DataFrame  # epic, person_id of the roll entries of released people
    other_voters: pl.DataFrame  # epic, person_id, phone of the roll entries of people not released
    folder: Path
    seconds: float


def release_of_size(world: World, rows: int, seed: int) -> Release:
    """The alleged export of ``world`` cut (seeded) or widened with other adult residents to ``rows`` rows."""
    release = make_release(world)
    if rows > release.data.height:
        release = make_release(world, ReleaseSpec(recipients=rows))
    if rows < release.data.height:
        rng = np.random.default_rng(np.random.SeedSequence([seed, world.seed], spawn_key=(SALT,)))
        keep = np.sort(rng.choice(release.data.height, rows, replace=False))
        release = Release(spec=release.spec, data=release.data[keep], truth=release.truth[keep])
    return release


def prepare(world: World, rows: int, folder: Path, seed: int) -> Prepared:
    """Make a release of ``rows`` rows and write anonymeter's input files to ``folder``."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    release = release_of_size(world, rows, seed)
    data = release.data
    aux = auxiliary_from_world(world, ["electoral_roll"])
    roll = aux.require("electoral_roll", "benchmark")
    roll_truth = world.table("roll_truth").collect()
    living = roll_truth.filter(pl.col("person_id").is_not_null() & (pl.col("person_id") >= 0))
    released_people = release.truth.select("person_id").unique()
    released_voters = living.join(released_people, on="person_id", how="semi").select("epic", "person_id")
    phones = world.people.select("person_id", phone="contact_phone").collect()
    other_voters = (
        living.join(released_people, on="person_id", how="anti")
        .join(phones, on="person_id", how="left")
        .select("epic", "person_id", "phone")
    )
    rng = np.random.default_rng(np.random.SeedSequence([seed, world.seed, 1], spawn_key=(SALT,)))
    control = other_voters[np.sort(rng.choice(other_voters.height, min(CONTROL_ROWS, other_voters.height), False))]
    coded = roll_in_release_coding(roll, data, list(ROLL_KEYS))

    # singling out: the release's quasi-identifiers, and the whole population coded like them
    data.select(QUASI_IDENTIFIERS).write_parquet(folder / "release_qi.parquet")
    population = population_in_release_coding(world, data, list(QUASI_IDENTIFIERS))
    population.with_columns(_person=pl.int_range(pl.len(), dtype=pl.Int64)).write_parquet(
        folder / "population_qi.parquet"
    )
    del population

    # linkability: a released person's roll entry (one auxiliary dataset) and phone (the other)
    first_row = release.truth.join(data.select("row_id", "phone"), on="row_id").unique("person_id", keep="first")
    data.select(*ROLL_KEYS, "phone").write_parquet(folder / "link_syn.parquet")
    ori = released_voters.join(first_row.select("person_id", "phone"), on="person_id")
    ori.join(coded, on="epic").select(*ROLL_KEYS, "phone").write_parquet(folder / "link_ori.parquet")
    control.join(coded, on="epic").select(*ROLL_KEYS, "phone").write_parquet(folder / "link_control.parquet")

    # inference: the secret of released voters and of others, from their roll entry's quasi-identifiers
    truth = true_secrets(world, SECRET).rename({"truth": SECRET})
    data.select(*QUASI_IDENTIFIERS, SECRETS[SECRET].label.alias(SECRET)).write_parquet(folder / "infer_syn.parquet")
    for name, voters in (("ori", released_voters), ("control", control)):
        voters.join(coded, on="epic").join(truth, on="epic").select(*QUASI_IDENTIFIERS, SECRET).write_parquet(
            folder / f"infer_{name}.parquet"
        )
    config = {"quasi_identifiers": list(QUASI_IDENTIFIERS), "link_roll": list(ROLL_KEYS), "link_phone": ["phone"]}
    (folder / "config.json").write_text(json.dumps({**config, "secret": SECRET}))
    return Prepared(
        rows=data.height,
        world=world,
        release=release,
        aux=aux,
        roll_truth=roll_truth,
        released_voters=released_voters,
        other_voters=other_voters,
        folder=folder,
        seconds=time.perf_counter() - started,
    )


def attack_function(attack: str) -> Callable[[Prepared, np.random.Generator], pl.DataFrame]:
    """Our attack ``attack`` as a function of the prepared data and a seeded generator (what is timed)."""
    if attack == "singling_out":
        return lambda p, rng: singling_out(p.release.attacker_view(), p.aux, rng)
    if attack == "exact_linkage":
        return lambda p, rng: exact_linkage(p.release.attacker_view(), p.aux, rng)
    if attack == "attribute_inference":
        params = AttributeInferenceParams(SECRET)
        return lambda p, rng: attribute_inference(p.release.attacker_view(), p.aux, rng, params)
    raise ValueError(f"attack '{attack}': allowed are {', '.join(ATTACKS)}")


def _rate(r: Rate) -> list[float]:
    return [r.value, r.ci_low, r.ci_high]


def _risk(attack: Rate, control: Rate) -> list[float]:
    r = risk(attack, control)
    return [r.value, r.ci_low, r.ci_high]


def score(attack: str, prepared: Prepared, guesses: pl.DataFrame, seed: int) -> dict[str, Any]:
    """Our figures for ``guesses`` (exact counts over every row): as we define them, and as anonymeter does.

    Returns
    -------
    dict
        ``rows_covered`` (rows or voters the attack answered for), ``ours`` and ``ours_as_anonymeter``, each a
        mapping of a figure's name to ``[value, ci_low, ci_high]`` (or a count), with Wilson 95% intervals.
    """
    p = prepared
    data = p.release.data
    rng = np.random.default_rng(seed)
    if attack == "singling_out":
        keys = list(QUASI_IDENTIFIERS)
        counts = population_counts(p.world, data, keys)
        baseline = singling_out(shuffled_view(p.release.attacker_view(), rng), p.aux, rng)
        so = score_singling_out(guesses, baseline, data, counts)
        combos = data.select(keys).unique().join(counts, on=keys, how="left")
        unique = int((combos["n_pop"] == 1).sum())
        return {
            "rows_covered": data.height,
            "ours": {
                "unique_in_release": _rate(so.unique_in_release),
                "precision": _rate(so.precision),
                "baseline": _rate(so.baseline),
                "risk": [so.risk.value, so.risk.ci_low, so.risk.ci_high],
                "predicates": guesses.height,
            },
            "ours_as_anonymeter": {
                "attack_rate": _rate(wilson(unique, combos.height)),
                "combinations": combos.height,
            },
        }
    if attack == "exact_linkage":
        right = correct_rows(guesses, p.release.truth, p.roll_truth)
        base = exact_linkage(shuffled_view(p.release.attacker_view(), rng), p.aux, rng)
        base_right = correct_rows(base, p.release.truth, p.roll_truth)
        recall, base_recall = wilson(right.height, data.height), wilson(base_right.height, data.height)
        linked_people = right.join(p.release.truth, on="row_id").select("person_id").unique()
        hits = p.released_voters.join(linked_people, on="person_id", how="semi").height
        attack_rate = wilson(hits, p.released_voters.height)
        linked_phones = guesses.join(data.select("row_id", "phone"), on="row_id").select("epic", "phone")
        false_hits = p.other_voters.join(linked_phones, on=["epic", "phone"], how="semi").height
        control = wilson(false_hits, p.other_voters.height)
        return {
            "rows_covered": data.height,
            "ours": {
                "recall": _rate(recall),
                "precision": _rate(wilson(right.height, guesses.height)),
                "baseline": _rate(base_recall),
                "risk": _risk(recall, base_recall),
                "guesses": guesses.height,
            },
            "ours_as_anonymeter": {
                "attack_rate": _rate(attack_rate),
                "control_rate": _rate(control),
                "risk": _risk(attack_rate, control),
                "targets": p.released_voters.height,
            },
        }
    if attack == "attribute_inference":
        truth = true_secrets(p.world, SECRET)
        majority = attribute_inference(
            p.release.attacker_view(), p.aux, rng, AttributeInferenceParams(SECRET, model="majority")
        )
        inf = score_inference(guesses, majority, truth)
        right = guesses.join(truth, on="epic").filter(pl.col("prediction") == pl.col("truth")).select("epic")

        def accuracy(voters: pl.DataFrame) -> Rate:
            return wilson(voters.join(right, on="epic", how="semi").height, voters.height)

        on_release, off_release = accuracy(p.released_voters), accuracy(p.other_voters)
        return {
            "rows_covered": guesses.height,
            "ours": {
                "accuracy": _rate(inf.accuracy),
                "baseline": _rate(inf.baseline),
                "risk": [inf.risk.value, inf.risk.ci_low, inf.risk.ci_high],
                "precision": _rate(inf.precision),
                "recall": _rate(inf.recall),
            },
            "ours_as_anonymeter": {
                "attack_rate": _rate(on_release),
                "control_rate": _rate(off_release),
                "risk": _risk(on_release, off_release),
                "targets": p.released_voters.height,
            },
        }
    raise ValueError(f"attack '{attack}': allowed are {', '.join(ATTACKS)}")
