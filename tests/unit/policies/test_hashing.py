"""The hash step's primitives against hashlib and published test vectors, its salts and birth dates, the
scheme it publishes, the shipped policies hash_pbkdf2 and hash_phone_dob, and the errors of bad input."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from synth.cli import app
from synth.errors import PolicyError
from synth.policies.hashing import HashColumn, digest
from synth.policies.library import load_policy, policy_from_dict

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "phone": ["+919847012345", "+910123456789", None, "+919847012345"],
        "age": [37, 81, 60, 37],
        "date_of_birth": [date(1988, 6, 15), date(1944, 12, 31), date(1965, 3, 1), date(1988, 6, 15)],
    }
)
COLUMNS = ["row_id", "phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]
SMOKE = Path(__file__).parents[3] / "scenarios" / "ci_smoke.toml"


def test_primitives_match_published_vectors() -> None:
    # FIPS 180-2 "abc"; RFC 4231 test case 2; RFC 7914 section 11 (PBKDF2-HMAC-SHA-256, c = 1, first 32 bytes)
    assert digest("sha256", b"abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert digest("hmac", b"what do ya want for nothing?", key=b"Jefe").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert digest("pbkdf2", b"passwd", salt=b"salt", iterations=1).hex() == (
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
    )
    assert digest("salted", b"+919847012345", salt=b"pepper") == hashlib.sha256(b"pepper+919847012345").digest()
    with pytest.raises(ValueError, match=r"^method = 'md5': allowed are sha256, salted, hmac, pbkdf2$"):
        digest("md5", b"x")


def test_pbkdf2_with_one_released_salt() -> None:
    step = HashColumn(method="pbkdf2", iterations=3, salt_released=True, random_state=7).fit(RELEASE)
    out = step.transform(RELEASE)
    salt = bytes.fromhex(step.released_metadata()["phone_salt"])
    assert len(salt) == 16
    expected = hashlib.pbkdf2_hmac("sha256", b"+919847012345", salt, 3).hex()
    assert out["phone"].to_list() == [
        expected,
        hashlib.pbkdf2_hmac("sha256", b"+910123456789", salt, 3).hex(),
        None,
        expected,  # one salt: the same number, the same digest
    ]
    assert out.columns == RELEASE.columns
    assert step.released_metadata()["phone_hash"] == {
        "method": "pbkdf2",
        "salt": "released",
        "key": "none",
        "with": None,
        "iterations": 3,
    }
    assert step.report() == {"method": "pbkdf2", "salt_released": True, "iterations": 3}
    # seeded twin: the same seed, the same salt and digests; another seed, another salt
    assert_frame_equal(HashColumn(method="pbkdf2", iterations=3, random_state=7).fit_transform(RELEASE), out)
    assert HashColumn(method="pbkdf2", iterations=3, random_state=8).fit_transform(RELEASE)["phone"][0] != expected


def test_a_salt_per_record_released_beside_it() -> None:
    step = HashColumn(method="pbkdf2", iterations=2, per_record_salt=True, salt_released=True, random_state=1)
    out = step.fit_transform(RELEASE)
    assert out.columns == [*RELEASE.columns, "phone_salt"]
    assert step.output_columns(RELEASE.columns) == out.columns
    salts = out["phone_salt"].to_list()
    assert salts[2] is None and out["phone"][2] is None
    assert len({s for s in salts if s}) == 3 and all(len(bytes.fromhex(s)) == 16 for s in salts if s)
    for i in (0, 1, 3):
        message = RELEASE["phone"][i].encode()
        assert out["phone"][i] == hashlib.pbkdf2_hmac("sha256", message, bytes.fromhex(salts[i]), 2).hex()
    assert out["phone"][0] != out["phone"][3]  # the same number, two records, two digests
    assert "phone_salt" not in step.released_metadata()
    assert step.released_metadata()["phone_hash"]["salt"] == "per_record"
    twin = HashColumn(method="pbkdf2", iterations=2, per_record_salt=True, salt_released=True, random_state=1)
    assert_frame_equal(twin.fit_transform(RELEASE), out)
    kept = HashColumn(method="salted", per_record_salt=True, random_state=1).fit(RELEASE)
    assert kept.transform(RELEASE).columns == RELEASE.columns  # the salts stay with the controller
    assert kept.released_metadata() == {
        "phone_hash": {"method": "salted", "salt": "secret_per_record", "key": "none", "with": None}
    }


def test_phone_and_birth_date() -> None:
    step = HashColumn(method="sha256", with_column="date_of_birth").fit(RELEASE)
    out = step.transform(RELEASE)
    assert out["phone"].to_list() == [
        hashlib.sha256(b"+9198470123451988-06-15").hexdigest(),
        hashlib.sha256(b"+9101234567891944-12-31").hexdigest(),
        None,
        hashlib.sha256(b"+9198470123451988-06-15").hexdigest(),
    ]
    assert out["date_of_birth"].to_list() == RELEASE["date_of_birth"].to_list()  # a later step drops it
    assert step.released_metadata() == {
        "phone_hash": {"method": "sha256", "salt": "none", "key": "none", "with": "date_of_birth"}
    }
    assert step.report() == {"method": "sha256", "salt_released": False, "with_column": "date_of_birth"}


def test_hmac_with_a_leaked_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "k3y")
    kept = HashColumn(method="hmac").fit(RELEASE)
    assert kept.transform(RELEASE)["phone"][0] == hmac.new(b"k3y", b"+919847012345", hashlib.sha256).hexdigest()
    assert kept.released_metadata() == {"phone_hash": {"method": "hmac", "salt": "none", "key": "kept", "with": None}}
    leaked = HashColumn(method="hmac", key_leaked=True).fit(RELEASE)
    assert leaked.released_metadata()["phone_key"] == b"k3y".hex()
    assert "k3y" not in str(leaked.report()) + repr(leaked)


def test_named_keys_are_one_key_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two releases naming the same key give one digest for one number; another name, another digest; the key of
    a name is HMAC-SHA-256 under the key read of the name."""
    monkeypatch.setenv("SYNTH_HMAC_KEY", "k3y")
    named = {n: HashColumn(method="hmac", key_name=n).fit_transform(RELEASE)["phone"][0] for n in ("a", "a", "b")}
    key_a = hmac.new(b"k3y", b"synth-citizens: the key named a", hashlib.sha256).digest()
    assert named["a"] == hmac.new(key_a, b"+919847012345", hashlib.sha256).hexdigest()
    assert len({named["a"], named["b"], HashColumn(method="hmac").fit_transform(RELEASE)["phone"][0]}) == 3
    assert HashColumn(method="hmac", key_name="a").key_fingerprint() != HashColumn(method="hmac").key_fingerprint()
    problems = HashColumn(method="sha256", key_name="a b").check(COLUMNS)
    assert problems == [
        "key_name = 'a b': must be a name of letters, digits, '_' and '-'",
        "key_name = 'a b': only the method hmac takes a key",
    ]


def test_shipped_policies_hash_pbkdf2_and_hash_phone_dob() -> None:
    pbkdf2 = load_policy("hash_pbkdf2")
    assert [s.get_params() for s in pbkdf2.steps] == [
        {
            "column": "phone",
            "method": "pbkdf2",
            "salt_released": True,
            "key_env": "SYNTH_HMAC_KEY",
            "key_file": None,
            "random_state": 0,
            "iterations": 10_000,
            "per_record_salt": False,
            "with_column": None,
            "key_leaked": False,
            "key_name": None,
        }
    ]
    assert "10,000 iterations" in pbkdf2.description and "75 minutes" in pbkdf2.description
    dob = load_policy("hash_phone_dob")
    assert [s.step for s in dob.steps] == ["hash", "drop"]
    assert dob.steps[0].get_params()["with_column"] == "date_of_birth"
    out = dob.fit_transform(RELEASE)
    assert out.columns == ["row_id", "phone", "age"]  # the birth date is hashed, then dropped
    assert out["phone"][1] == hashlib.sha256(b"+9101234567891944-12-31").hexdigest()
    assert dob.released_metadata()["phone_hash"]["with"] == "date_of_birth"


def test_hash_phone_dob_needs_the_birth_date_in_the_release() -> None:
    with pytest.raises(PolicyError) as exc:
        load_policy("hash_phone_dob").check(COLUMNS)
    assert str(exc.value).splitlines() == [
        "policy 'hash_phone_dob', step 1 (hash): with_column = 'date_of_birth': the release has no such column (it "
        "has " + ", ".join(COLUMNS) + "); add 'date_of_birth' to the scenario's release.fields",
        "policy 'hash_phone_dob', step 2 (drop): column 'date_of_birth' is not in the release (it has "
        + ", ".join(COLUMNS)
        + ")",
    ]


def test_bad_input_names_the_policy_and_the_key() -> None:
    steps = [
        {"step": "hash", "method": "pbkdf2", "iterations": 0},
        {"step": "hash", "method": "md5"},
        {"step": "hash", "method": "pbkdf2", "iterations": 2.5, "per_record_salt": "yes"},
        {"step": "hash", "method": "sha256", "per_record_salt": True, "key_leaked": True},
    ]
    policy = policy_from_dict({"policy": {"id": "bad_hash"}, "steps": steps})
    with pytest.raises(PolicyError) as exc:
        policy.check(COLUMNS)
    assert str(exc.value).splitlines() == [
        "policy 'bad_hash', step 1 (hash): iterations = 0: must be a positive whole number",
        "policy 'bad_hash', step 2 (hash): method = 'md5': allowed are sha256, salted, hmac, pbkdf2",
        "policy 'bad_hash', step 3 (hash): iterations = 2.5: must be a positive whole number",
        "policy 'bad_hash', step 3 (hash): per_record_salt = 'yes': allowed is true or false",
        "policy 'bad_hash', step 4 (hash): per_record_salt = true: only the methods salted and pbkdf2 take a salt",
        "policy 'bad_hash', step 4 (hash): key_leaked = true: only the method hmac takes a key",
    ]
    with pytest.raises(PolicyError, match=r"^step 'hash': iterations = -1: must be a positive whole number$"):
        HashColumn(method="pbkdf2", iterations=-1).fit(RELEASE)
    assert RELEASE.columns == ["row_id", "phone", "age", "date_of_birth"]  # nothing touched


def test_bad_input_exits_2_from_the_cli(tmp_path: Path) -> None:
    policy = tmp_path / "bad_hash.toml"
    policy.write_text(
        '[policy]\nid = "bad_hash"\n[[steps]]\nstep = "hash"\nmethod = "pbkdf2"\niterations = 0\n'
        '[[steps]]\nstep = "hash"\nmethod = "md5"\n',
        encoding="utf-8",
    )
    scenario = tmp_path / "bad.toml"
    text = SMOKE.read_text().replace(
        'policies = ["as_exported", "hash_plain", "k5", "sdv_copula"]', 'policies = ["bad_hash.toml", "hash_phone_dob"]'
    )
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    fields = "row_id, phone, name, age, gender, district, taluk, ward, local_body, registry, scheme"
    assert result.stderr.splitlines() == [
        f"error: {scenario}: policies: policy 'bad_hash', step 1 (hash): iterations = 0: must be a positive whole "
        "number",
        f"{scenario}: policies: policy 'bad_hash', step 2 (hash): method = 'md5': allowed are sha256, salted, hmac, "
        "pbkdf2",
        f"{scenario}: policies: policy 'hash_phone_dob', step 1 (hash): with_column = 'date_of_birth': the release "
        f"has no such column (it has {fields}); add 'date_of_birth' to the scenario's release.fields",
        f"{scenario}: policies: policy 'hash_phone_dob', step 2 (drop): column 'date_of_birth' is not in the release "
        f"(it has {fields})",
    ]
    assert not out.exists()
