import numpy as np
import pytest

from synth.world.names import COMMUNITIES, cohort_of, load_vocabulary, transliteration_variants


def test_vocabulary_sizes() -> None:
    v = load_vocabulary()
    for c in range(3):
        for s in range(2):
            distinct = {v.words[i] for h in range(3) for i in v.given[(c, s, h)].index}
            assert len(distinct) >= 300, (COMMUNITIES[c], s)


@pytest.mark.parametrize(("name", "variant"), [("Sreedevi", "Sridevi"), ("Muhammed", "Mohammed"), ("Thomas", "Tomas")])
def test_transliteration_variants(name: str, variant: str) -> None:
    assert variant in transliteration_variants(name)


def test_cohorts() -> None:
    assert cohort_of(np.array([1940, 1964, 1965, 1994, 1995, 2020])).tolist() == [0, 0, 1, 1, 2, 2]


def test_draw_given_seeded_and_by_group() -> None:
    v = load_vocabulary()
    comm = np.array([0, 1, 2] * 500)
    sex = np.array([0, 1] * 750)
    year = np.full(1500, 1950)
    a = v.draw_given(comm, sex, year, np.random.default_rng(5))
    b = v.draw_given(comm, sex, year, np.random.default_rng(5))
    assert np.array_equal(a, b)
    for c in range(3):
        for s in range(2):
            sel = (comm == c) & (sex == s)
            assert set(a[sel]) <= set(v.given[(c, s, 0)].index)


def test_variant_draw_changes_spelling_only_where_asked() -> None:
    v = load_vocabulary()
    word = np.array([v.words.index("Sreedevi")] * 1000)
    out = v.draw_variant(word, np.random.default_rng(0), 0.3)
    changed = out != word
    assert 0.25 < changed.mean() < 0.35
    assert all(v.words[i] in transliteration_variants("Sreedevi") for i in out[changed])
