"""Run one of anonymeter's evaluators on files prepared by :mod:`benchmarks.agreement`, print JSON.

anonymeter 1.1.0 pins numpy below 1.27 and pyarrow below 22, which this package cannot share, so it lives in
its own environment (``make anonymeter-venv``: ``.venv-anonymeter`` from ``requirements-anonymeter.txt``),
and this script runs there, as a subprocess, on Parquet files. It imports neither ``synth`` nor the rest of
``benchmarks``.

Evaluators (anonymeter's defaults unless said: 500 attacks, one neighbour, multivariate singling out):

- ``singling_out``: ``SinglingOutEvaluator`` as a user would run it on the release: predicates on 3 of the
  quasi-identifiers (its default ``n_cols``), numbers (age, ward number) compared with ``<=``/``>=``,
  checked against the population (``ori``; a person key column keeps two people with equal values apart when
  anonymeter removes duplicate rows); its search for predicates is capped at :data:`MAX_ATTEMPTS` candidates;
- ``singling_out_matched``: the same evaluator with our predicate: every quasi-identifier, each compared for
  equality (numbers passed as text), so that it estimates from 500 predicates what we count over all rows;
- ``linkability``: ``LinkabilityEvaluator``: targets are released people on the electoral roll, their roll
  entry (name, age, gender, places) one auxiliary dataset and their phone the other, linked through the
  release; the control is voters not released, with their own phone;
- ``inference``: ``InferenceEvaluator``: the secret (membership of the women's scheme) of released voters,
  guessed from the release by their roll entry's quasi-identifiers; the control is voters not released.

Every random draw is seeded: anonymeter's own ``seed`` where it takes one, numpy's global generator (which
pandas' ``sample`` uses) otherwise, and a seeded stand-in for the one function that draws from a fresh
``numpy.random.default_rng()`` (the linkability baseline's random links).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

EVALUATORS = ("singling_out", "singling_out_matched", "linkability", "inference")
N_ATTACKS = 500
# Candidate predicates anonymeter may draw while looking for 500 that single out one released row (its own
# default is 10 million). With its default predicate (3 columns, open age ranges) few candidates single out one
# row of a large release, and its search then runs for hours; it stops here instead and says how many it found,
# and its rate stays the successes over 500 (an underestimate where it found fewer, as it warns).
MAX_ATTEMPTS = 50_000
GENERATED = re.compile(r"could generate only (\d+) singling out queries")


class _Captured(logging.Handler):
    """Keeps anonymeter's warnings (fewer queries than asked for, say) to report them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _read(folder: Path, name: str, strings: bool = False) -> pd.DataFrame:
    frame = pd.read_parquet(folder / f"{name}.parquet")
    if strings:  # every value as text: anonymeter then compares for equality
        frame = frame.astype({c: "string" for c in frame.columns if not c.startswith("_")})
    return frame


def _peak_rss_mb() -> float:
    """This program's peak memory in MiB (``VmHWM``: ``ru_maxrss`` would include its parent's size at start)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _seed_random_links(seed: int) -> None:
    """Replace the linkability baseline's unseeded random links by the same draws from a seeded generator."""
    from anonymeter.evaluators import linkability_evaluator

    rng = np.random.default_rng(seed)

    def random_links(n_synthetic: int, n_attacks: int, n_neighbors: int) -> np.ndarray:
        return np.array([rng.choice(n_synthetic, size=n_neighbors, replace=False) for _ in range(n_attacks)])

    linkability_evaluator._random_links = random_links


def _figures(results: Any) -> dict[str, Any]:
    def rate(r: Any) -> list[float] | None:
        return None if r is None else [float(r.value), float(r.error)]

    return {
        "n_success": int(results.n_success),
        "n_baseline": int(results.n_baseline),
        "n_control": None if results.n_control is None else float(results.n_control),
        "attack_rate": rate(results.attack_rate),
        "baseline_rate": rate(results.baseline_rate),
        "control_rate": rate(results.control_rate),
    }


def run(evaluator: str, folder: Path, seed: int, n_attacks: int = N_ATTACKS) -> dict[str, Any]:
    """Run ``evaluator`` on the files in ``folder``; return its figures, seconds and peak memory."""
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    config = json.loads((folder / "config.json").read_text())
    np.random.seed(seed)  # noqa: NPY002  (pandas' DataFrame.sample draws from the legacy global generator)
    captured = _Captured()
    logging.getLogger("anonymeter").addHandler(captured)
    started = time.perf_counter()
    sizes: dict[str, int]
    extra: dict[str, Any]
    if evaluator.startswith("singling_out"):
        matched = evaluator == "singling_out_matched"
        syn = _read(folder, "release_qi", strings=matched)
        ori = _read(folder, "population_qi", strings=matched)
        sizes = {"syn": len(syn), "ori": len(ori)}
        n_cols = len(config["quasi_identifiers"]) if matched else 3
        model: Any = SinglingOutEvaluator(
            ori=ori, syn=syn, n_attacks=n_attacks, n_cols=n_cols, max_attempts=MAX_ATTEMPTS, seed=seed
        )
        loaded = time.perf_counter()
        model.evaluate(mode="multivariate")
        found = [int(m.group(1)) for text in captured.messages if (m := GENERATED.search(text))]
        extra = {
            "n_cols": n_cols,
            "max_attempts": MAX_ATTEMPTS,
            "queries_generated": found[0] if found else n_attacks,
            "queries_singling_out_in_ori": len(model.queries()),
        }
    elif evaluator == "linkability":
        _seed_random_links(seed)
        syn, ori, control = (_read(folder, f"link_{n}") for n in ("syn", "ori", "control"))
        sizes = {"syn": len(syn), "ori": len(ori), "control": len(control)}
        aux = (list(config["link_roll"]), list(config["link_phone"]))
        model = LinkabilityEvaluator(ori=ori, syn=syn, aux_cols=aux, n_attacks=n_attacks, control=control)
        loaded = time.perf_counter()
        model.evaluate()
        extra = {"aux_cols": aux}
    elif evaluator == "inference":
        syn, ori, control = (_read(folder, f"infer_{n}") for n in ("syn", "ori", "control"))
        sizes = {"syn": len(syn), "ori": len(ori), "control": len(control)}
        columns = list(config["quasi_identifiers"])
        model = InferenceEvaluator(
            ori=ori, syn=syn, aux_cols=columns, secret=config["secret"], n_attacks=n_attacks, control=control
        )
        loaded = time.perf_counter()
        model.evaluate()
        extra = {"secret": config["secret"], "aux_cols": columns}
    else:
        raise ValueError(f"evaluator '{evaluator}': allowed are {', '.join(EVALUATORS)}")
    seconds = time.perf_counter() - loaded
    results = model.results(confidence_level=0.95)
    risk = results.risk()
    return {
        "evaluator": evaluator,
        "version": metadata.version("anonymeter"),
        "seed": seed,
        "n_attacks": n_attacks,
        "seconds": seconds,
        "load_seconds": loaded - started,
        "peak_rss_mb": _peak_rss_mb(),
        "rss": "VmHWM",
        "sizes": sizes,
        **_figures(results),
        "risk": [float(risk.value), float(risk.ci[0]), float(risk.ci[1])],
        "warnings": captured.messages,
        **extra,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python benchmarks/anonymeter_runner.py EVALUATOR --data FOLDER [--seed S]``."""
    parser = argparse.ArgumentParser(description="Run one anonymeter evaluator on prepared Parquet files.")
    parser.add_argument("evaluator", choices=EVALUATORS)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--n-attacks", type=int, default=N_ATTACKS)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.evaluator, args.data, args.seed, args.n_attacks)))


if __name__ == "__main__":
    main()
