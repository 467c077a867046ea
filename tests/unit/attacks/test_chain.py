"""The chained attacker on hand-built tables: a digest reversed, its number's caller-ID label read as a name,
the name linked to the roll, and the strongest attacker scored; every figure worked out by hand."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, NotApplicable, Truth
from synth.attacks.caller_id_lookup import _right as caller_id_right
from synth.attacks.caller_id_lookup import caller_id_lookup, read_label
from synth.attacks.knowledge import Knowledge
from synth.attacks.registry import ATTACKS, run_order
from synth.core.numbering import NumberingPlan
from synth.release.build import AttackerView

PLAN = NumberingPlan(
    name="tiny",
    starts=np.array([6_400_000_000], dtype=np.int64),
    sizes=np.array([100_000], dtype=np.int64),
    cumulative=np.array([0], dtype=np.int64),
)


def _digest(number: str) -> str:
    return hashlib.sha256(number.encode()).hexdigest()


PLACE = {"district": "Wayanad", "taluk": "Mananthavady", "local_body": "Edavaka"}
# Four released rows of a hashed export (no names). Row 3's number lies outside the plan.
RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "phone": [_digest(f"+91{n}") for n in ("6400000011", "6400000022", "6400000033", "9876543210")],
        "age": [67, 72, 45, 50],
        "gender": ["M", "F", "F", "M"],
        **{k: [v] * 4 for k, v in PLACE.items()},
        "ward": pl.Series([3, 3, 5, 5], dtype=pl.Int16),
        "registry": ["pensioners", "pensioners", "womens_scheme", "employees"],
    }
)
DIRECTORY = pl.DataFrame(
    {
        "phone": ["+916400000011", "+916400000022", "+915555555555"],
        "label": ["Suresh Driver", "Amma", "Someone Else"],  # a role cut off; a relation word names nobody
    }
)
ROLL = pl.DataFrame(
    {
        "epic": ["E1", "E2", "E3", "E4", "E5"],
        "name": ["Suresh K Nair", "Rajan P", "Kamala K", "Sindhu M", "Bindu T"],
        "relative_name": ["Krishnan", "Velu", "Gopalan", "Raghavan", "Mohanan"],
        "house_name": ["Kizhakkethil", "Puthenpura", "Thekkethil", "Valiyaveedu", "Padinjare"],
        "sex": ["M", "M", "F", "F", "F"],
        "age": pl.Series([67, 67, 72, 45, 45], dtype=pl.Int16),
        **{k: [v] * 5 for k, v in PLACE.items()},
        "ward": pl.Series([3, 3, 3, 5, 5], dtype=pl.Int32),
    }
)
RELEASE_TRUTH = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [100, 102, 103, 200]})
ROLL_TRUTH = pl.DataFrame({"epic": ["E1", "E2", "E3", "E4", "E5"], "person_id": [100, 101, 102, 103, 104]})
PEOPLE = pl.LazyFrame({"person_id": [100, 102, 103, 200], "given_name": ["Suresh", "Kamala", "Sindhu", "Joseph"]})
TRUTH = Truth(
    release=RELEASE_TRUTH,
    roll=ROLL_TRUTH,
    strata=RELEASE_TRUTH.select(
        "row_id",
        registry=RELEASE["registry"],
        district=pl.lit("Wayanad"),
        age_band=pl.Series(["60-69", "70-79", "40-49", "50-59"]),
    ),
    exported=pl.DataFrame(
        {"row_id": [0, 1, 2, 3], "phone": ["+916400000011", "+916400000022", "+916400000033", "+919876543210"]}
    ),
    world=SimpleNamespace(people=PEOPLE),
)
PARAMS = {"hash_reversal": {"budget": PLAN.size}}  # a real enumeration of the whole (tiny) plan


def _chain() -> dict[str, tuple[object, object]]:
    """Run the chain in its order; each attack's outcome and score, by id."""
    view = AttackerView(RELEASE)
    aux = AuxiliaryData(electoral_roll=ROLL, caller_id=DIRECTORY)
    knowledge, baseline_links = Knowledge.from_view(view), pl.DataFrame(schema={"row_id": pl.Int64})
    out = {}
    for attack_id in run_order(["reach", "reidentification", "exact_linkage", "caller_id_lookup", "hash_reversal"]):
        attack = ATTACKS[attack_id]
        params = attack.parameters(PARAMS.get(attack_id, {}))
        cell = Cell(view, aux, knowledge, np.random.default_rng(7), plan=PLAN, baseline_links=baseline_links)
        outcome = attack.run(cell, params)
        knowledge = outcome.knowledge
        if outcome.baseline_links is not None:
            baseline_links = outcome.baseline_links
        out[attack_id] = (outcome, attack.score(outcome, TRUTH, params))
    return out


def test_a_digest_then_a_label_then_a_roll_link() -> None:
    chain = _chain()
    assert list(chain) == ["hash_reversal", "caller_id_lookup", "exact_linkage", "reidentification", "reach"]

    # 1. the whole plan enumerated: the three numbers in it come back, the fourth (outside the plan) does not
    outcome, scored = chain["hash_reversal"]
    assert outcome.guesses.rows() == [(0, "+916400000011"), (1, "+916400000022"), (2, "+916400000033")]
    reversal = scored.scores[0]
    assert (reversal.rows, reversal.guesses, reversal.correct, reversal.recall.value) == (4, 3, 3, 0.75)
    assert (reversal.candidates, reversal.full_plan) == (100_000, 1)

    # 2. row 0's number is labelled "Suresh Driver": the role goes, "Suresh" stays; "Amma" names nobody;
    #    row 2's number has no label
    outcome, scored = chain["caller_id_lookup"]
    assert outcome.guesses.select("row_id", "name", "given", "by").rows() == [
        (0, "Suresh", "Suresh", "hash_reversal>caller_id_lookup")
    ]
    lookup = scored.scores[0]
    assert (lookup.rows, lookup.guesses, lookup.correct) == (3, 1, 1)  # three known numbers, one name, right
    assert lookup.precision.value == 1.0 and lookup.recall.value == pytest.approx(1 / 3)

    # 3. On age, sex and place alone row 0 matches E1 and E2 (no link) and row 1 only E3 (a link); with the
    #    given name found in step 2, row 0 matches E1 only. Rows 2 (E4, E5) and 3 (nobody) stay unlinked.
    outcome, scored = chain["exact_linkage"]
    assert outcome.guesses.rows() == [
        (0, "E1", "hash_reversal>caller_id_lookup>exact_linkage"),
        (1, "E3", "exact_linkage"),
    ]
    linkage = scored.scores[0]
    assert (linkage.guesses, linkage.correct, linkage.rows, linkage.recall.value) == (2, 2, 4, 0.5)
    by_chain = {
        (r["group"], r["measure"]): r["value"]
        for r in scored.breakdown.filter(pl.col("group").str.starts_with("chain=")).iter_rows(named=True)
    }
    assert by_chain == {
        ("chain=exact_linkage", "guesses"): 1.0,
        ("chain=exact_linkage", "correct"): 1.0,
        ("chain=hash_reversal>caller_id_lookup>exact_linkage", "guesses"): 1.0,
        ("chain=hash_reversal>caller_id_lookup>exact_linkage", "correct"): 1.0,
    }
    facts = outcome.knowledge.facts.sort("row_id")
    assert facts.select("row_id", "epic", "epic_by", "relative_name", "house").rows()[:2] == [
        (0, "E1", "hash_reversal>caller_id_lookup>exact_linkage", "Krishnan", "Kizhakkethil"),
        (1, "E3", "exact_linkage", "Gopalan", "Thekkethil"),
    ]

    # 4. the strongest attacker: 2 of 4 rows re-identified, both right; both are registry members
    _, scored = chain["reidentification"]
    reid = scored.scores[0]
    assert (reid.guesses, reid.correct, reid.rows, reid.membership_disclosed) == (2, 2, 4, 2)
    assert (reid.precision.value, reid.recall.value) == (1.0, 0.5)

    # 5. reach: rows 0-2 can be phoned (numbers recovered); rows 0 and 1 are addressable (linked); row 1, a
    #    pensioner of 72, is fraud-ready; row 2 (women's scheme) is vulnerable but not addressable
    outcome, scored = chain["reach"]
    assert outcome.guesses.rows() == [
        (0, True, True, False, False),
        (1, True, True, True, True),
        (2, True, False, True, False),
        (3, False, False, False, False),
    ]
    reach = scored.scores[0]
    assert (reach.people_released, reach.contactable, reach.addressable, reach.fraud_ready) == (4, 3, 2, 1)


def test_the_chain_is_seeded_twins() -> None:
    first, second = _chain(), _chain()
    for attack_id, (outcome, _) in first.items():
        assert outcome.guesses.equals(second[attack_id][0].guesses), attack_id
        if outcome.baseline is not None:
            assert outcome.baseline.equals(second[attack_id][0].baseline), attack_id


def test_labels_read_as_an_attacker_reads_them() -> None:
    labels = pl.DataFrame({"label": ["Suresh Driver", "Amma", "Abdul Rasheed Village Office", "Monu", "Mary K"]})
    assert labels.select(name=read_label(pl.col("label")))["name"].to_list() == [
        "Suresh",
        None,  # a relation word
        "Abdul Rasheed",  # a role of two words cut off
        None,  # a nickname (no given name anyone bears)
        "Mary K",
    ]


def test_each_number_gets_its_first_label_and_each_label_is_read_once() -> None:
    """Labels repeat across numbers (a directory of 1.75 crore numbers holds 5.9 lakh labels): each is read once,
    and each known number gets the name its first label gives, as reading every row's label does."""
    directory = pl.DataFrame(
        {
            "phone": ["+911", "+912", "+913", "+912", "+914", "+915"],
            "label": ["Suresh Driver", "Suresh Driver", "Amma", "Rajan", "Mary K", "Suresh Driver"],
        }
    )
    aux = AuxiliaryData(caller_id=directory)
    assert aux.caller_id_labels.rows() == [  # +912's second label is left out
        ("+911", "Suresh Driver"),
        ("+912", "Suresh Driver"),
        ("+913", "Amma"),
        ("+914", "Mary K"),
        ("+915", "Suresh Driver"),
    ]
    unique = AuxiliaryData(caller_id=directory.unique("phone", keep="first", maintain_order=True))
    assert unique.caller_id_labels.equals(unique.caller_id)  # the directory itself where numbers are unique
    phones = pl.DataFrame({"row_id": [5, 1, 2, 3, 4, 6], "phone": ["+915", "+911", "+912", "+913", "+914", "+919"]})
    phones = phones.with_columns(by=pl.lit("hash_reversal"))
    found = caller_id_lookup(None, aux, np.random.default_rng(0), phones)
    # every row read on its own: its number's first label, read as a name, its first word the given name
    labelled = phones.join(directory.unique("phone", keep="first", maintain_order=True), on="phone")
    recount = labelled.with_columns(name=read_label(pl.col("label"))).filter(pl.col("name").is_not_null())
    assert found.select("row_id", "label", "name", "given").rows() == [
        (row_id, label, name, name.split()[0])
        for row_id, label, name in recount.sort("row_id").select("row_id", "label", "name").rows()
    ]
    assert found["row_id"].to_list() == [1, 2, 4, 5] and set(found["by"]) == {"hash_reversal>caller_id_lookup"}


def test_a_given_name_is_right_up_to_its_spelling() -> None:
    found = pl.DataFrame(
        {"row_id": [0, 1, 2, 3], "given": ["Sooraj", "Suresh", None, "Sreedevi"], "label": ["", "", "", ""]}
    )
    people = pl.LazyFrame({"person_id": [10, 11, 12, 13], "given_name": ["Suraj", "Ramesh", "Anu", "Sridevi Kutty"]})
    truth = Truth(
        release=pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [10, 11, 12, 13]}),
        roll=ROLL_TRUTH,
        strata=TRUTH.strata,
        exported=None,
        world=SimpleNamespace(people=people),
    )
    # Sooraj and Suraj share a key; Suresh is not Ramesh; no given name is never right; Sridevi's first word counts
    assert caller_id_right(found, truth)["row_id"].to_list() == [0, 3]


def test_no_number_known_means_no_lookup() -> None:
    view = AttackerView(RELEASE.drop("phone"))
    cell = Cell(view, AuxiliaryData(caller_id=DIRECTORY), Knowledge.from_view(view), np.random.default_rng(0))
    with pytest.raises(
        NotApplicable, match=r"^attack 'caller_id_lookup': the attacker knows no phone number of any released row$"
    ):
        ATTACKS["caller_id_lookup"].run(cell, ATTACKS["caller_id_lookup"].parameters({}))


def test_tokens_are_enumerated_against_and_none_comes_back() -> None:
    """A token is not assumed safe: the whole plan is enumerated against it, and nothing matches."""
    tokens = ["8a901b79dca9e0978d89a774", "19176248abbeda79fbceda70", "a1b2", "c3d4"]
    view = AttackerView(RELEASE.with_columns(phone=pl.Series(tokens)))
    attack = ATTACKS["hash_reversal"]
    params = attack.parameters({})
    universe = np.array([6_400_000_011, 6_400_000_022], dtype=np.int64)
    cell = Cell(
        view, AuxiliaryData(), Knowledge.from_view(view), np.random.default_rng(0), plan=PLAN, universe=lambda: universe
    )
    outcome = attack.run(cell, params)
    score = attack.score(outcome, TRUTH, params).scores[0]
    assert (score.rows, score.guesses, score.correct, score.candidates, score.full_plan) == (4, 0, 0, 100_000, 1)
    masked = AttackerView(RELEASE.with_columns(phone=pl.lit("+91XXXXXX2345")))
    with pytest.raises(
        NotApplicable,
        match=r"^attack 'hash_reversal': the release's phone column holds no digests or tokens to reverse$",
    ):
        attack.run(
            Cell(masked, AuxiliaryData(), Knowledge.from_view(masked), np.random.default_rng(0), plan=PLAN), params
        )
