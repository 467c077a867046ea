"""Each policy step on small hand-built tables, input and expected output side by side."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.errors import NotFittedError, PolicyError
from synth.policies.columns import DropColumns
from synth.policies.generalize import CoarsenGeography, GeneralizeAge
from synth.policies.hashing import HashColumn
from synth.policies.masking import MaskPhone
from synth.policies.no_release import ControllerSends
from synth.policies.tokenize import Tokenize

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2],
        "phone": ["+919847012345", "+910123456789", None],
        "name": ["Sreedevi K", "Abdul Rahman P", "Mary Varghese"],
        "age": [37, 81, 60],
        "gender": ["F", "M", "F"],
        "district": ["Wayanad", "Wayanad", "Kollam"],
        "taluk": ["Vythiri", "Vythiri", "Kollam"],
        "ward": [3, 12, 3],
        "local_body": ["Kalpetta", "Meppadi", "Kollam"],
        "registry": ["womens_scheme", "pensioners", "pensioners"],
    }
)


def test_drop() -> None:
    out = DropColumns(["name", "ward"]).fit_transform(RELEASE)
    kept = ["row_id", "phone", "age", "gender", "district", "taluk", "local_body", "registry"]
    assert out.columns == kept
    assert out.to_dict(as_series=False) == {c: RELEASE[c].to_list() for c in kept}  # every kept value, in order


def test_mask_last_and_first() -> None:
    last = MaskPhone(keep=4).fit_transform(RELEASE)["phone"].to_list()
    first = MaskPhone(keep=2, side="first", mask_char="*").fit_transform(RELEASE)["phone"].to_list()
    assert last == ["+91XXXXXX2345", "+91XXXXXX6789", None]
    assert first == ["+9198********", "+9101********", None]


def test_plain_hash_is_sha256_of_the_number() -> None:
    out = HashColumn(method="sha256").fit_transform(RELEASE)["phone"].to_list()
    assert out == [hashlib.sha256(b"+919847012345").hexdigest(), hashlib.sha256(b"+910123456789").hexdigest(), None]
    assert not set(out) & set(RELEASE["phone"].drop_nulls().to_list())


def test_salted_hash_released_salt() -> None:
    step = HashColumn(method="salted", salt_released=True, random_state=4).fit(RELEASE)
    out = step.transform(RELEASE)["phone"].to_list()
    salt = bytes.fromhex(step.released_metadata()["phone_salt"])
    assert len(salt) == 16
    assert out[0] == hashlib.sha256(salt + b"+919847012345").hexdigest()
    secret = HashColumn(method="salted", random_state=4).fit(RELEASE)
    # the scheme is published (the attacker is assumed to know it), the salt is not
    assert secret.released_metadata() == {
        "phone_hash": {"method": "salted", "salt": "secret", "key": "none", "with": None}
    }
    assert secret.salt_.hex() not in str(secret.report()) + repr(secret)


def test_hmac_needs_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "k3y")
    out = HashColumn(method="hmac").fit_transform(RELEASE)["phone"].to_list()
    assert out[0] == hmac.new(b"k3y", b"+919847012345", hashlib.sha256).hexdigest()
    assert out[0] != hashlib.sha256(b"+919847012345").hexdigest()
    other = tmp_path / "key"
    other.write_text("another key\n")
    assert HashColumn(method="hmac", key_file=str(other)).fit_transform(RELEASE)["phone"][0] != out[0]
    assert "k3y" not in repr(HashColumn(method="hmac"))
    monkeypatch.delenv("SYNTH_HMAC_KEY")
    with pytest.raises(PolicyError) as exc:
        HashColumn(method="hmac").fit(RELEASE)
    assert str(exc.value) == "step 'hash': no HMAC key: set the environment variable SYNTH_HMAC_KEY (unset or empty)"


def test_tokens_are_random_and_consistent() -> None:
    data = pl.concat([RELEASE, RELEASE])
    step = Tokenize(random_state=1).fit(data)
    out = step.transform(data)["phone"].to_list()
    assert out[0] == out[3] and out[1] == out[4] and out[2] is None
    assert len(out[0]) == 24 and out[0] != out[1]
    assert not set(out) & set(RELEASE["phone"].drop_nulls().to_list())
    assert step.vault_.height == 2
    assert Tokenize(random_state=1).fit(data).transform(data)["phone"].to_list() == out  # seeded twin
    assert Tokenize(random_state=2).fit(data).transform(data)["phone"].to_list() != out


def test_a_named_vault_gives_a_value_one_token_in_every_release() -> None:
    """Two releases of different rows naming one vault (and seeded alike) share the tokens of the values they
    share, whatever else each holds; the token is HMAC-SHA-256 of the value under the vault's secret."""
    one, other = RELEASE.head(1), RELEASE.tail(2)
    shared = Tokenize(random_state=4, key_name="vault").fit_transform(pl.concat([one, other]))["phone"].to_list()
    apart = Tokenize(random_state=4, key_name="vault").fit_transform(one)["phone"].to_list()
    assert apart == shared[:1]  # the first value's token does not depend on the other rows
    secret = hmac.digest(np.random.default_rng(4).bytes(32), b"vault", "sha256")
    assert apart[0] == hmac.digest(secret, RELEASE["phone"][0].encode(), "sha256")[:12].hex()
    plain = Tokenize(random_state=4).fit_transform(one)["phone"].to_list()
    assert plain != apart  # an unnamed vault is the release's own
    assert Tokenize(key_name="").check(["phone"]) == ["key_name = '': must be a name of letters, digits, '_' and '-'"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"mode": "band", "width": 5}, ["35-39", "80-84", "60-64"]),
        ({"mode": "band", "width": 10, "top": 80}, ["30-39", "80+", "60-69"]),
        ({"mode": "birth_year"}, ["1989", "1945", "1966"]),
        ({"mode": "top_code", "top": 75}, ["37", "75+", "60"]),
    ],
)
def test_generalize_age(kwargs: dict[str, object], expected: list[str]) -> None:
    assert GeneralizeAge(**kwargs).fit_transform(RELEASE)["age"].to_list() == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("level", "kept"),
    [
        ("ward", ["district", "taluk", "ward", "local_body"]),
        ("local_body", ["district", "taluk", "local_body"]),
        ("taluk", ["district", "taluk"]),
        ("district", ["district"]),
        ("state", []),
    ],
)
def test_coarsen_geography(level: str, kept: list[str]) -> None:
    out = CoarsenGeography(level).fit_transform(RELEASE)
    assert [c for c in out.columns if c in ("district", "taluk", "ward", "local_body")] == kept


def test_controller_sends_releases_nothing_but_reaches_everyone() -> None:
    step = ControllerSends().fit(RELEASE)
    out = step.transform(RELEASE)
    assert out.height == 0 and out.columns == RELEASE.columns
    assert step.report() == {"rows_released": 0, "numbers_reached_by_controller": 2, "rows_in": 3}


def test_unfitted_step_refuses() -> None:
    with pytest.raises(NotFittedError, match=r"^step 'mask' is not fitted; call fit first$"):
        MaskPhone().transform(RELEASE)


def test_params_stored_verbatim() -> None:
    step = GeneralizeAge(mode="band", width=10, top=90)
    assert step.get_params() == {"column": "age", "mode": "band", "width": 10, "top": 90, "reference_year": 2026}
    assert not hasattr(step, "fitted_")


def test_transform_is_reproducible() -> None:
    a = HashColumn(method="salted", random_state=9).fit_transform(RELEASE)
    b = HashColumn(method="salted", random_state=9).fit_transform(RELEASE)
    assert_frame_equal(a, b)
