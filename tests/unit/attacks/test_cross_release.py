"""Cross-release linkage worked by hand: releases sharing a token vault or an HMAC key link exactly on it; under
independent keys they never do; equal quasi-identifiers link one-to-one only; a row's twin hands it a phone."""

from __future__ import annotations

import polars as pl
import pytest

from synth.attacks.cross_release import entry_links, key_links, masked_links, quasi_links, transfer
from synth.attacks.knowledge import Knowledge
from synth.policies.hashing import HashColumn
from synth.policies.tokenize import Tokenize
from synth.release.build import AttackerView

PHONES = ["+910000000001", "+910000000002", "+910000000003", "+910000000004"]


def _release(rows: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row_id": list(range(len(rows))),
            "phone": [PHONES[r] for r in rows],
            "name": [f"Name {r}" for r in rows],
            "age": [30 + r for r in rows],
            "gender": ["F"] * len(rows),
            "ward": [1] * len(rows),
        }
    )


def _tokens(data: pl.DataFrame, seed: int, vault: str | None) -> AttackerView:
    return AttackerView(Tokenize(random_state=seed, key_name=vault).fit_transform(data))


def test_releases_sharing_a_token_vault_link_exactly_on_it() -> None:
    """A holds people 0, 1, 2 and B people 3, 2, 1 (its own row order): the shared vault gives 1 and 2 one token
    each, so A's rows 1 and 2 link to B's rows 2 and 1, and to nothing else."""
    a, b = _release([0, 1, 2]), _release([3, 2, 1])
    links = key_links(_tokens(a, 7, "shared"), _tokens(b, 7, "shared"))
    assert links.to_dicts() == [
        {"row_id": 1, "other": 2, "how": "equal phone"},
        {"row_id": 2, "other": 1, "how": "equal phone"},
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [((7, "a"), (7, "b")), ((7, None), (8, None)), ((7, "a"), (8, "a"))],
    ids=["two vault names", "unnamed vaults", "one name seeded apart"],
)
def test_releases_under_independent_keys_do_not_link_on_the_token(
    first: tuple[int, str | None], second: tuple[int, str | None]
) -> None:
    a, b = _release([0, 1, 2]), _release([3, 2, 1])
    assert key_links(_tokens(a, *first), _tokens(b, *second)).height == 0


def test_hmac_under_one_key_name_links_and_under_two_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "k3y")
    a, b = _release([0, 1, 2]), _release([3, 2, 1])

    def hashed(data: pl.DataFrame, name: str) -> AttackerView:
        return AttackerView(HashColumn(method="hmac", key_name=name).fit_transform(data))

    assert key_links(hashed(a, "health"), hashed(b, "health"))["other"].to_list() == [2, 1]
    assert key_links(hashed(a, "health"), hashed(b, "revenue")).height == 0


def test_equal_quasi_identifiers_link_one_to_one_and_hand_over_the_phone() -> None:
    """A (HMAC'd, no usable phone) and B (plain phones) share name, age, gender and ward. Two of A's people share
    every value, so only the third links; it learns B's number, its chain naming B and the link."""
    a = _release([0, 1, 2]).with_columns(name=pl.Series(["Asha", "Asha", "Bindu"]), age=pl.Series([40, 40, 50]))
    b = _release([2, 1, 0]).with_columns(name=pl.Series(["Bindu", "Asha", "Asha"]), age=pl.Series([50, 40, 40]))
    view_a = AttackerView(a.with_columns(phone=pl.lit("digest")))
    view_b = AttackerView(b)
    links = quasi_links(view_a, view_b)
    assert links.to_dicts() == [{"row_id": 2, "other": 0, "how": "quasi-identifiers"}]
    known = transfer(Knowledge.from_view(view_a), Knowledge.from_view(view_b), links, "B", None)
    assert known.known("phone").to_dicts() == [{"row_id": 2, "phone": PHONES[2], "by": "B:released>quasi-identifiers"}]
    assert (
        quasi_links(
            AttackerView(a.select("row_id", "age", "ward")), AttackerView(b.select("row_id", "age", "ward"))
        ).height
        == 0
    )


def test_releases_of_two_dates_link_on_ages_moved_by_the_years_between() -> None:
    """A list of 1 June 2020 and one of 1 February 2026 (5.67 years): Asha, 54 then, is 59 or 60 now; Bindu, 40
    then, is 40 in the later list too, which no birthday allows."""
    early = pl.DataFrame(
        {"row_id": [0, 1], "name": ["Asha", "Bindu"], "age": [54, 40], "gender": ["F", "F"], "ward": [1, 1]}
    )
    late = early.with_columns(age=pl.Series([60, 40]))
    a = AttackerView(early, {"reference_date": "2020-06-01"})
    b = AttackerView(late, {"reference_date": "2026-02-01"})
    assert quasi_links(a, b).to_dicts() == [{"row_id": 0, "other": 0, "how": "quasi-identifiers"}]
    assert quasi_links(AttackerView(early), AttackerView(late))["row_id"].to_list() == [1]  # undated: equal ages


def test_a_masked_number_links_to_the_plain_one_showing_its_digits_in_the_same_ward() -> None:
    """Masked to their last 4 digits, A's numbers ...0001 and ...0002 each match one plain number of B in their
    ward; ...0003 matches two of B's (in ward 1), so it links to neither; B's ward-2 copy of ...0001 is elsewhere."""
    a = pl.DataFrame(
        {"row_id": [0, 1, 2], "phone": ["+91XXXXXX0001", "+91XXXXXX0002", "+91XXXXXX0003"], "ward": [1, 1, 1]}
    )
    b = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3, 4],
            "phone": ["+917000000002", "+918000000001", "+917000000003", "+918000000003", "+919000000001"],
            "ward": [1, 1, 1, 1, 2],
        }
    )
    links = masked_links(AttackerView(a), AttackerView(b))
    assert links.sort("row_id").to_dicts() == [
        {"row_id": 0, "other": 1, "how": "phone digits shown"},
        {"row_id": 1, "other": 0, "how": "phone digits shown"},
    ]
    assert masked_links(AttackerView(b), AttackerView(a)).sort("other")["row_id"].to_list() == [1, 0]
    assert masked_links(AttackerView(b), AttackerView(b)).height == 0  # nothing masked


def test_rows_linked_to_one_roll_entry_are_twins() -> None:
    a = Knowledge.from_view(AttackerView(_release([0, 1])))
    b = Knowledge.from_view(AttackerView(_release([1, 0])))
    links = pl.DataFrame({"row_id": [0], "epic": ["E1"], "chain": ["exact_linkage"]})
    a, b = a.link(links), b.link(links.with_columns(row_id=pl.lit(1)))
    assert entry_links(a, b).to_dicts() == [{"row_id": 0, "other": 1, "how": "same entry"}]
