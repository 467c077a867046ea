"""The full names of a user's table are kept out of a learned world: redrawn, seeded, and never drawn for a preset's."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.errors import LearnError
from synth.world.excluded import Redraw, clear_names, table_names
from synth.world.names import COMMUNITIES, full_name, load_vocabulary

CHRISTIAN, HINDU, MUSLIM = (COMMUNITIES.index(c) for c in ("christian", "hindu", "muslim"))


def _people(n: int, community: int, seed: int) -> tuple[dict[str, np.ndarray], Redraw]:
    vocab = load_vocabulary()
    rng = np.random.default_rng(seed)
    communities = np.full(n, community, dtype=np.int8)
    sex = (np.arange(n) % 2).astype(np.int8)
    birth_year = np.full(n, 1980)
    given = vocab.draw_given(communities, sex, birth_year, rng)
    codes = {
        "given": given,
        "title": np.full(n, -1, dtype=np.int32),
        "house_a": vocab.house_prefix.draw(rng.random(n)),
        "rel_given": vocab.draw_given(communities, np.zeros(n, np.int8), birth_year - 27, rng),
        "community": communities,
    }
    return codes, Redraw(given, communities, sex, birth_year)


def _names(codes: dict[str, np.ndarray]) -> pl.Series:
    words = load_vocabulary().series
    return pl.DataFrame(codes).select(full_name(words).str.to_lowercase()).to_series()


def test_table_names_are_full_names_compared_in_lower_case() -> None:
    names = table_names([pl.Series(["Rajan K. Nair", "  FATHIMA   p ", None, "Ammu"]), pl.Series(["rajan k nair"])])
    assert names.to_list() == ["fathima p", "rajan k nair"]  # a single word is not a full name
    assert table_names([]).to_list() == []


def test_nothing_is_excluded_or_drawn_for_a_preset_world() -> None:
    codes, who = _people(1_000, HINDU, 1)
    rng = np.random.default_rng(7)
    state = rng.bit_generator.state
    out, redrawn = clear_names(load_vocabulary(), table_names([]), full_name, codes, who, rng)
    assert out is codes and redrawn == 0
    assert rng.bit_generator.state == state


def test_excluded_names_are_redrawn_until_none_is_left() -> None:
    codes, who = _people(5_000, MUSLIM, 2)
    before = _names(codes)
    excluded = table_names([before.head(2_500)])  # half the people's names, which most of the rest share
    assert before.is_in(excluded.implode()).mean() > 0.6
    twins = [
        clear_names(load_vocabulary(), excluded, full_name, codes, who, np.random.default_rng(3)) for _ in range(2)
    ]
    (out, redrawn), (again, _) = twins
    after = _names(out)
    assert not after.is_in(excluded.implode()).any()
    changed = out["given"] != codes["given"]
    assert redrawn == int(changed.sum()) == int(before.is_in(excluded.implode()).sum())
    assert (out["house_a"] == codes["house_a"]).all()  # only the given name is drawn again
    assert all((again[k] == out[k]).all() for k in out)  # seeded: the same draws


def test_a_christians_name_follows_a_redrawn_father() -> None:
    codes, who = _people(4, CHRISTIAN, 4)
    relative = np.array([-1, 0, 0, 1])  # person 0 is the father of 1 and 2; 1 the father of 3
    codes["rel_given"][relative >= 0] = codes["given"][relative[relative >= 0]]
    excluded = table_names([_names(codes).head(1)])  # the father's own name
    out, redrawn = clear_names(
        load_vocabulary(),
        excluded,
        full_name,
        codes,
        who,
        np.random.default_rng(5),
        relative=relative,
    )
    assert out["given"][0] != codes["given"][0] and redrawn >= 1
    assert (out["rel_given"][[1, 2]] == out["given"][0]).all()
    assert out["rel_given"][3] == out["given"][1]
    assert not _names(out).is_in(excluded.implode()).any()


def test_a_table_that_holds_every_name_is_refused() -> None:
    vocab = load_vocabulary()
    codes, who = _people(3, MUSLIM, 6)
    initials = {w[:1] for w in vocab.words if w}
    every = pl.Series([f"{w} {i}" for w in vocab.words for i in initials])
    with pytest.raises(LearnError) as exc:
        clear_names(vocab, table_names([every]), full_name, codes, who, np.random.default_rng(1))
    assert str(exc.value) == (
        "3 people of the world have no name left: the table holds every name the vocabulary makes, in every "
        "spelling, for their community, sex and the rest of their name"
    )


def test_a_name_is_drawn_among_those_the_table_leaves() -> None:
    vocab = load_vocabulary()
    codes, who = _people(6, MUSLIM, 8)
    who = Redraw(who.own, who.community, np.zeros(6, np.int8), who.birth_year)  # all men born in 1980
    pool = vocab.given[(MUSLIM, 0, 1)].index
    left = int(pool[-1])
    initials = {w[:1] for w in vocab.words if w}
    every_but_one = pl.Series([f"{w} {i}" for w in vocab.words if w != vocab.words[left] for i in initials])
    out, redrawn = clear_names(vocab, table_names([every_but_one]), full_name, codes, who, np.random.default_rng(9))
    assert redrawn == 6
    assert out["given"].tolist() == [left] * 6


def test_where_every_name_of_the_pool_is_taken_a_spelling_variant_is_given() -> None:
    vocab = load_vocabulary()
    codes, who = _people(6, MUSLIM, 10)
    pool = vocab.given[(MUSLIM, 0, 1)].index
    initials = {w[:1] for w in vocab.words if w}
    taken = pl.Series([f"{vocab.words[w]} {i}" for w in pool for i in initials])
    codes["given"] = pool[:6]
    men = Redraw(pool[:6], who.community, np.zeros(6, np.int8), who.birth_year)
    out, redrawn = clear_names(vocab, table_names([taken]), full_name, codes, men, np.random.default_rng(9))
    variants = vocab.variants[pool]
    assert redrawn == 6
    assert np.isin(out["given"], variants[variants >= 0]).all()
