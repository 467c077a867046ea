"""Hashing a column: SHA-256 (plain or salted), keyed HMAC-SHA-256, and PBKDF2-HMAC-SHA-256 (key stretching),
of the value alone or of the value followed by another field (a phone number and its holder's birth date).

A plain or salted hash of a phone number can be reversed by enumerating the numbering plan (the attacks
measure how fast); so can a stretched one, only slower; a keyed HMAC cannot without the key. A released
salt (one for the whole release, or one per record in a column beside the digest) is published with the
data; a secret salt (a pepper) and a kept HMAC key are not. The key is read from an environment variable
or a key file when the step is fitted, and never appears in the output, the report or the step's repr
(nor in the release's metadata, unless ``key_leaked`` models its leaking with the data).

The step publishes its scheme beside the data (:meth:`HashColumn.released_metadata`, key
``"<column>_hash"``): the method, the iteration count, where the salt is, whether a key is needed, and
which field follows the value. The attacker is assumed to know it: a data holder's scheme is written in
its code, its documentation or the matching SDK it ships, and a few guesses recover it where it is not
(Kerckhoffs's principle). Secrets are never part of it.

Every message is UTF-8: the value as released (``+91`` and ten digits for a phone) followed, where
``with_column`` is set, by that field as text with no separator (a date as ``YYYY-MM-DD``), so
``+919847012345`` born on 31 May 1961 is hashed as ``+9198470123451961-05-31``.

Cost for the data holder: every method but a per-record salt hashes each distinct message once (hashlib, one
call per distinct value), so PBKDF2 at ``iterations`` costs about ``iterations`` x 0.2 microseconds per
distinct number on one core (10,000 iterations: about 2 ms; a district's 180,000 numbers in about 6
minutes). A per-record salt hashes every row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.policies.base import Step, positive_whole_problems, seed_problems

METHODS = ("sha256", "salted", "hmac", "pbkdf2")
SALTED = ("salted", "pbkdf2")  # the methods that take a salt
DEFAULT_KEY_ENV = "SYNTH_HMAC_KEY"
FINGERPRINT_MESSAGE = b"synth-citizens: the fingerprint of a run's HMAC key"
DEFAULT_ITERATIONS = 10_000
SALT_BYTES = 16
SCHEME_SUFFIX = "_hash"  # metadata key of the published scheme: "<column>_hash"
SALT_SUFFIX = "_salt"  # metadata key of one released salt, or the column of per-record released salts
KEY_SUFFIX = "_key"  # metadata key of a leaked HMAC key (key_leaked only)
DATE_FORMAT = "%Y-%m-%d"


def digest(method: str, message: bytes, salt: bytes = b"", key: bytes = b"", iterations: int = 1) -> bytes:
    """The 32-byte digest of ``message`` under ``method``.

    Parameters
    ----------
    method
        ``"sha256"``: SHA-256(message); ``"salted"``: SHA-256(salt + message); ``"hmac"``: HMAC-SHA-256 under
        ``key``; ``"pbkdf2"``: PBKDF2-HMAC-SHA-256 of the message as password, ``salt``, ``iterations``, 32 bytes.
    message, salt, key, iterations
        The inputs (``salt``, ``key`` and ``iterations`` only where the method takes them).

    Raises
    ------
    ValueError
        An unknown method.

    Examples
    --------
    >>> digest("sha256", b"+919847012345") == hashlib.sha256(b"+919847012345").digest()
    True
    """
    if method == "sha256":
        return hashlib.sha256(message).digest()
    if method == "salted":
        return hashlib.sha256(salt + message).digest()
    if method == "hmac":
        return hmac.digest(key, message, "sha256")
    if method == "pbkdf2":
        return hashlib.pbkdf2_hmac("sha256", message, salt, iterations)
    raise ValueError(f"method = {method!r}: allowed are {', '.join(METHODS)}")


def digests_hex(
    method: str,
    messages: Sequence[bytes],
    salts: Sequence[bytes] | None = None,
    salt: bytes = b"",
    key: bytes = b"",
    iterations: int = 1,
) -> list[str]:
    """Hex digests of ``messages`` (one hashlib call each), with one ``salt`` or one of ``salts`` per message.

    PBKDF2 runs on a thread per core: hashlib releases the GIL while it iterates, so the cores share the work
    (the digests come back in the messages' order).
    """
    per_message = [salt] * len(messages) if salts is None else list(salts)
    if len(per_message) != len(messages):
        raise ValueError(f"{len(messages)} messages but {len(per_message)} salts")

    def one(pair: tuple[bytes, bytes]) -> str:
        return digest(method, pair[0], pair[1], key, iterations).hex()

    pairs = zip(messages, per_message, strict=True)
    if method != "pbkdf2" or len(messages) < 2:
        return [one(p) for p in pairs]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, pairs, chunksize=64))


def _text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return column.dt.strftime(DATE_FORMAT) if dtype == pl.Date else column.cast(pl.String)


def key_fingerprint(key: bytes) -> str:
    """A fingerprint that tells two keys apart without telling anything of either: the first 16 hex digits of
    HMAC-SHA-256 under the key of a fixed message (what a run records of its HMAC key, never the key).

    Examples
    --------
    >>> key_fingerprint(b"k" * 32) == key_fingerprint(b"k" * 32) != key_fingerprint(b"j" * 32)
    True
    """
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def named_key(key: bytes, name: str) -> bytes:
    """The key called ``name`` derived from ``key``: HMAC-SHA-256 under ``key`` of the name, so one secret gives
    any number of independent keys, and equal names the same key.

    Examples
    --------
    >>> named_key(b"k" * 32, "health") == named_key(b"k" * 32, "health") != named_key(b"k" * 32, "revenue")
    True
    """
    return hmac.new(key, b"synth-citizens: the key named " + name.encode(), hashlib.sha256).digest()


def key_name_problems(name: object) -> list[str]:
    """A key's name is None or a non-empty name of letters, digits, '_' and '-'."""
    if name is None or (isinstance(name, str) and name and name.replace("_", "").replace("-", "").isalnum()):
        return []
    return [f"key_name = {name!r}: must be a name of letters, digits, '_' and '-'"]


class HashColumn(Step):
    """Replace a column by a hash of its values (nulls stay null).

    Parameters
    ----------
    column
        The column to hash.
    method
        ``"sha256"`` (plain), ``"salted"`` (SHA-256 of salt + value), ``"hmac"`` (HMAC-SHA-256 under a secret
        key) or ``"pbkdf2"`` (PBKDF2-HMAC-SHA-256 with a salt and ``iterations``).
    salt_released
        For ``"salted"`` and ``"pbkdf2"``: publish the salt beside the data (as happens when a salt ships with
        a contact-matching SDK; per record: a column ``<column>_salt``) or keep it secret (a pepper).
    key_env, key_file
        For ``"hmac"``: where the key is read from (a file wins over the variable).
    random_state
        Seeds the salts.
    iterations
        For ``"pbkdf2"``: the iteration count (a whole number of at least 1).
    per_record_salt
        For ``"salted"`` and ``"pbkdf2"``: a fresh salt for every row instead of one for the whole release
        (each row is then hashed on its own: the data holder's cost is per row, not per distinct value).
    with_column
        A field whose text follows the value in the hashed message (``"date_of_birth"``: the phone and its
        holder's birth date). The field stays in the release: drop it with a later step where it must go.
    key_leaked
        For ``"hmac"``: the key leaks with the data (shipped in an app or an SDK); it is then published in the
        release's metadata, which is never written out, and the digests fall like a released salt's.
    key_name
        For ``"hmac"``: which key of several (releases of one scenario that name the same key share it; other
        names are independent keys): the key is :func:`named_key` of the key read from ``key_env`` or
        ``key_file`` and this name. None: that key itself.

    Examples
    --------
    >>> data = pl.DataFrame({"row_id": [0], "phone": ["+919847012345"]})
    >>> out = HashColumn(method="sha256").fit_transform(data)
    >>> out["phone"][0] == hashlib.sha256(b"+919847012345").hexdigest()
    True
    """

    step = "hash"

    def safeguard(self) -> str:
        """Obfuscation, as the DPDP Rules 2025 name it; keyed (HMAC) or not (what reversal recovers is measured)."""
        keyed = "a keyed hash (HMAC)" if self.method == "hmac" else f"an unkeyed {self.method} hash"
        return f"obfuscation (Rule 6(1)(a)): {keyed}"

    def __init__(
        self,
        column: str = "phone",
        method: str = "sha256",
        salt_released: bool = False,
        key_env: str = DEFAULT_KEY_ENV,
        key_file: str | None = None,
        random_state: int = 0,
        iterations: int = DEFAULT_ITERATIONS,
        per_record_salt: bool = False,
        with_column: str | None = None,
        key_leaked: bool = False,
        key_name: str | None = None,
    ) -> None:
        self.column = column
        self.method = method
        self.salt_released = salt_released
        self.key_env = key_env
        self.key_file = key_file
        self.random_state = random_state
        self.iterations = iterations
        self.per_record_salt = per_record_salt
        self.with_column = with_column
        self.key_leaked = key_leaked
        self.key_name = key_name

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        salt_column = self.column + SALT_SUFFIX
        if self._salted_per_record() and self.salt_released and salt_column not in columns:
            return [*columns, salt_column]
        return list(columns)

    def _salted_per_record(self) -> bool:
        return self.method in SALTED and self.per_record_salt is True

    def _key(self) -> bytes | None:
        key = self._read_key()
        return key if key is None or self.key_name is None else named_key(key, self.key_name)

    def _read_key(self) -> bytes | None:
        if self.key_file:
            try:
                key = Path(self.key_file).read_bytes().strip()
            except OSError:
                return None
            return key or None
        value = os.environ.get(self.key_env, "")
        return value.encode() or None

    def key_fingerprint(self) -> str | None:
        """For ``"hmac"``: :func:`key_fingerprint` of the key (None while no key is set)."""
        key = self._key() if self.method == "hmac" else None
        return None if key is None else key_fingerprint(key)

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if self.method not in METHODS:
            problems.append(f"method = {self.method!r}: allowed are {', '.join(METHODS)}")
        elif self.method == "hmac" and self._key() is None:
            where = (
                f"key file {self.key_file} (missing or empty)"
                if self.key_file
                else (f"environment variable {self.key_env} (unset or empty)")
            )
            problems.append(f"no HMAC key: set the {where}")
        problems += positive_whole_problems(self, "iterations")
        problems += seed_problems(self.random_state)
        for name in ("salt_released", "per_record_salt", "key_leaked"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name} = {getattr(self, name)!r}: allowed is true or false")
        if self.per_record_salt is True and self.method in METHODS and self.method not in SALTED:
            problems.append(f"per_record_salt = true: only the methods {' and '.join(SALTED)} take a salt")
        if self.key_leaked is True and self.method in METHODS and self.method != "hmac":
            problems.append("key_leaked = true: only the method hmac takes a key")
        problems += key_name_problems(self.key_name)
        if self.key_name is not None and self.method in METHODS and self.method != "hmac":
            problems.append(f"key_name = {self.key_name!r}: only the method hmac takes a key")
        if self.with_column is not None:
            if not isinstance(self.with_column, str) or self.with_column == self.column:
                problems.append(f"with_column = {self.with_column!r}: must name another column of the release")
            elif self.with_column not in columns:
                problems.append(
                    f"with_column = {self.with_column!r}: the release has no such column (it has "
                    f"{', '.join(columns)}); add '{self.with_column}' to the scenario's release.fields"
                )
        return problems

    def _fit(self, data: pl.DataFrame) -> None:
        if self.method in SALTED and not self.per_record_salt:
            rng = np.random.default_rng(self.random_state)
            self.salt_ = rng.bytes(SALT_BYTES)

    def _messages(self, data: pl.DataFrame) -> pl.Series:
        """The UTF-8 text hashed for each row: the value, then the ``with_column`` field (null: nothing)."""
        value = pl.col(self.column).cast(pl.String)
        if self.with_column is not None:
            extra = _text(pl.col(self.with_column), data.schema[self.with_column]).fill_null("")
            value = value + extra
        return data.select(value.alias("_message")).to_series()

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        messages = self._messages(data)
        key = b""
        if self.method == "hmac":
            found = self._key()
            assert found is not None  # checked at fit
            key = found
        if self._salted_per_record():
            return self._transform_per_record(data, messages)
        present = messages.drop_nulls().unique(maintain_order=True)
        salt = getattr(self, "salt_", b"")
        digests = digests_hex(
            self.method, [m.encode() for m in present.to_list()], salt=salt, key=key, iterations=self.iterations
        )
        mapping = pl.DataFrame(
            {"_message": present, "_digest": digests}, schema={"_message": pl.String, "_digest": pl.String}
        )
        out = data.with_columns(messages).join(mapping, on="_message", how="left", maintain_order="left")
        return out.with_columns(pl.col("_digest").alias(self.column)).drop("_message", "_digest")

    def _transform_per_record(self, data: pl.DataFrame, messages: pl.Series) -> pl.DataFrame:
        """Every row hashed with a salt of its own, drawn from ``random_state`` in row order."""
        rng = np.random.default_rng([self.random_state, 1])
        present = messages.is_not_null().to_numpy()
        raw = rng.bytes(SALT_BYTES * int(present.sum()))
        salts = [raw[i : i + SALT_BYTES] for i in range(0, len(raw), SALT_BYTES)]
        texts = [m.encode() for m in messages.drop_nulls().to_list()]
        digests = digests_hex(self.method, texts, salts=salts, iterations=self.iterations)
        column = np.full(data.height, None, dtype=object)
        column[present] = digests
        out = data.with_columns(pl.Series(self.column, column, dtype=pl.String))
        if self.salt_released:
            salt_column = np.full(data.height, None, dtype=object)
            salt_column[present] = [s.hex() for s in salts]
            out = out.with_columns(pl.Series(self.column + SALT_SUFFIX, salt_column, dtype=pl.String))
        return out

    def scheme(self) -> dict[str, Any]:
        """What the release says about how the column was hashed (no secret): see the module docstring."""
        salt = "none"
        if self.method in SALTED:
            where = "per_record" if self.per_record_salt else "released"
            salt = where if self.salt_released else f"secret_{where}" if self.per_record_salt else "secret"
        scheme: dict[str, Any] = {
            "method": self.method,
            "salt": salt,
            "key": ("leaked" if self.key_leaked else "kept") if self.method == "hmac" else "none",
            "with": self.with_column,
        }
        if self.method == "pbkdf2":
            scheme["iterations"] = self.iterations
        return scheme

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "salt_released": self.method in SALTED and self.salt_released}
        if self.method == "pbkdf2":
            out["iterations"] = self.iterations
        if self.per_record_salt:
            out["per_record_salt"] = True
        if self.with_column is not None:
            out["with_column"] = self.with_column
        return out

    def released_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.column + SCHEME_SUFFIX: self.scheme()}
        if self.method in SALTED and self.salt_released and not self.per_record_salt:
            out[self.column + SALT_SUFFIX] = self.salt_.hex()
        if self.method == "hmac" and self.key_leaked:
            key = self._key()
            assert key is not None  # checked at fit
            out[self.column + KEY_SUFFIX] = key.hex()
        return out
