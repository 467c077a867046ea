"""The registry: every attack in one home, chains ordered by what attacks read and add, and nothing about an
attack (its id, its parameters, the sources it needs) written anywhere but its own module."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
from pathlib import Path

import pytest

import synth
from synth.attacks.auxiliary import GRANTED
from synth.attacks.base import NoParams
from synth.attacks.exact_linkage import ExactLinkageParams
from synth.attacks.registry import ATTACKS, HEADLINE, LINKAGE, chain_problems, run_order
from synth.errors import SpecError
from synth.measure.names import MEASURES

STABLE_IDS = [
    "hash_reversal",
    "caller_id_lookup",
    "exact_linkage",
    "probabilistic_linkage",
    "reidentification",
    "singling_out",
    "attribute_inference",
    "membership_inference",
    "reconstruction",
    "reach",
]
TRUTH_WORDS = ("World", "Release", "truth", "person")
PACKAGE = Path(synth.__file__).parent
# Modules that may name a source: the sources' own definition, and each attack module (its own needs).
LINKAGE_HOME = "synth/attacks/linking.py"  # the needs both linkage attacks share


def test_the_stable_ids() -> None:
    assert list(ATTACKS) == STABLE_IDS
    assert LINKAGE == ("exact_linkage", "probabilistic_linkage")
    assert HEADLINE == "reidentification"
    for key, attack in ATTACKS.items():
        assert attack.id == key
        assert type(attack).__module__ == f"synth.attacks.{key}"
        assert dataclasses.is_dataclass(attack.Params) and attack.Params.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("attack_id", [a for a in STABLE_IDS if a != "reidentification"])
def test_signature_takes_the_view_the_auxiliary_data_and_a_generator_only(attack_id: str) -> None:
    function = getattr(importlib.import_module(f"synth.attacks.{attack_id}"), attack_id)
    params = list(inspect.signature(function).parameters.values())
    assert [p.name for p in params[:3]] == ["view", "aux", "rng"]
    assert params[2].annotation == "np.random.Generator"
    for p in params[3:]:  # parameters, a numbering plan, what other attacks recovered: never the truth
        assert not any(word in f"{p.name} {p.annotation}" for word in TRUTH_WORDS), p


def test_the_chain_runs_in_the_order_of_what_attacks_read_and_add() -> None:
    assert run_order(reversed(STABLE_IDS)) == STABLE_IDS
    # reach reads what hash reversal and linkage add, so it runs after them whatever the scenario's order
    assert run_order(["reach", "exact_linkage", "hash_reversal"]) == ["hash_reversal", "exact_linkage", "reach"]
    assert run_order(["reidentification", "probabilistic_linkage", "caller_id_lookup"]) == [
        "caller_id_lookup",
        "probabilistic_linkage",
        "reidentification",
    ]


def test_chain_problems_name_the_attack_and_what_is_missing() -> None:
    assert chain_problems(STABLE_IDS, ["electoral_roll", "caller_id"]) == {}
    assert chain_problems(["caller_id_lookup", "reidentification"], ["electoral_roll"]) == {
        "caller_id_lookup": ["needs the auxiliary source 'caller_id', which attacker.sources does not grant"],
        "reidentification": [
            "reads 'epic', which no attack of this scenario adds; add one of exact_linkage, probabilistic_linkage"
        ],
    }


def test_parameters_are_checked_all_at_once() -> None:
    attack = ATTACKS["probabilistic_linkage"]
    with pytest.raises(SpecError) as exc:
        attack.parameters({"threshold": 2, "batch_pairs": 10, "treshold": 0.5})
    assert str(exc.value).splitlines() == [
        "attack 'probabilistic_linkage': treshold = 0.5: unknown parameter; allowed are threshold, recall, "
        "max_pairs, train_rows, batch_pairs, roll_coverage (did you mean 'threshold'?)",
        "attack 'probabilistic_linkage': threshold = 2; allowed is a probability in (0, 1)",
        "attack 'probabilistic_linkage': batch_pairs = 10; allowed is a whole number of at least 1000",
    ]
    assert ATTACKS["exact_linkage"].parameters({}) == ExactLinkageParams(strict=False)
    assert ATTACKS["reach"].parameters({}) == NoParams()
    assert ATTACKS["hash_reversal"].defaults() == {"budget": "full"}


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module's code (docstrings left out)."""
    tree = ast.parse(path.read_text())
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_an_attack_is_written_in_its_own_module_only() -> None:
    """Attack ids anywhere in the package, and parameter names and sources in the modules that consume the
    registry (the scenario spec and runner, the CLI, the report), appear only in the attack's own module.

    The one other spelling is :mod:`synth.measure.names`, which names the attacks the report reads (the report
    may not import attacks); ``tests/unit/measure/test_names.py`` holds each of those to the registry."""
    params = {f.name for a in ATTACKS.values() for f in dataclasses.fields(a.Params)} - set(MEASURES)
    consumers = [
        *PACKAGE.joinpath("scenario").rglob("*.py"),
        *PACKAGE.joinpath("report").rglob("*.py"),
        PACKAGE / "cli.py",
    ]
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "measure" / "names.py":
            continue
        own = path.stem
        for line, value in _code_strings(path):
            if value in ATTACKS and value != own:
                found.append(f"{path.relative_to(PACKAGE)}:{line}: attack id {value!r}")
            if path in consumers and value in params:
                found.append(f"{path.relative_to(PACKAGE)}:{line}: parameter {value!r}")
            if path in consumers and value in GRANTED:
                found.append(f"{path.relative_to(PACKAGE)}:{line}: source {value!r}")
    assert found == []
