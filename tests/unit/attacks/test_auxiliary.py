"""The tables read from the attacker's auxiliary data: read once, and let go on request."""

from __future__ import annotations

import polars as pl
import pytest

from synth.attacks import auxiliary as auxiliary_module
from synth.attacks.auxiliary import AuxiliaryData

ROLL = pl.DataFrame(
    {
        "epic": ["E1", "E2", "E3"],
        "name": ["Suresh K Nair", "K. P. Rajan", None],
        "house_name": ["Kizhakkethil", "Puthenpura", "Thekkethil"],
        "relative_name": ["Krishnan", "Velu", "Gopalan"],
    }
)


def test_the_roll_of_given_names_is_the_roll_with_each_name_cut_to_its_given_name() -> None:
    given = AuxiliaryData(electoral_roll=ROLL).given_names_only
    assert given.electoral_roll is not None
    assert given.electoral_roll.rows() == [
        ("E1", "suresh", "Kizhakkethil", "Krishnan"),
        ("E2", "rajan", "Puthenpura", "Velu"),
        ("E3", None, "Thekkethil", "Gopalan"),
    ]
    assert given.caller_id is None
    assert given.roll_initials.rows() == [("suresh", "k"), ("rajan", "pv"), (None, "gt")]


def test_a_table_read_once_is_read_again_after_it_is_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = []

    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        reads.append(frame.height)
        return frame

    monkeypatch.setattr(auxiliary_module, "given_only", counted)
    aux = AuxiliaryData(electoral_roll=ROLL)
    first = aux.given_names_only
    assert aux.given_names_only is first
    assert reads == [3]
    aux.let_go("given_names_only")
    aux.let_go("given_names_only")  # nothing held: nothing to do
    assert aux.given_names_only is not first
    assert reads == [3, 3]


@pytest.mark.parametrize("name", ["electoral_roll", "require", "roll_initial"])
def test_only_a_table_read_from_the_data_can_be_let_go(name: str) -> None:
    with pytest.raises(ValueError, match=rf"^AuxiliaryData.let_go: '{name}' is not a table read from the data$"):
        AuxiliaryData(electoral_roll=ROLL).let_go("roll_key", name)
