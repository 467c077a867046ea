"""What hash reversal (:mod:`synth.attacks.hash_reversal`) reads of how a column was hashed: the scheme the
release's metadata states, with what of it the attacker holds and its cost model; the numbers in use; and the
oracle of the message behind each released digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synth.core.hash_costs import (
    GPU_HMAC_KEY_SALT,
    GPU_PBKDF2,
    GPU_SALTED_SHA256,
    GPU_SHA256,
    PRIMITIVE,
    GpuRate,
    Primitive,
)
from synth.core.numbering import COUNTRY_CODE
from synth.errors import SpecError
from synth.policies.hashing import KEY_SUFFIX, METHODS, SALT_SUFFIX, SCHEME_SUFFIX, digest
from synth.release.build import AttackerView


@dataclass(frozen=True)
class Scheme:
    """How the release says a column was hashed, and what of it the attacker holds.

    ``salt``: ``"none"``, ``"released"`` (one salt, in ``salt_bytes``), ``"per_record"`` (a column beside the
    digests), ``"secret"`` or ``"secret_per_record"``; ``key``: ``"none"``, ``"leaked"`` (in ``key_bytes``) or
    ``"kept"``; ``with_column``: the field whose text follows the number in the message (the birth date).
    """

    method: str = "sha256"
    salt: str = "none"
    key: str = "none"
    with_column: str | None = None
    iterations: int = 1
    salt_bytes: bytes = field(default=b"", repr=False)
    key_bytes: bytes = field(default=b"", repr=False)

    @property
    def computable(self) -> bool:
        """Whether the attacker holds every input but the message (no secret salt, no kept key)."""
        return not self.salt.startswith("secret") and self.key != "kept"

    @property
    def per_record(self) -> bool:
        return self.salt == "per_record"

    @property
    def compiled(self) -> bool:
        """Whether the compiled SHA-256 kernel hashes it: the number alone, plain or after one released salt (and
        every scheme the attacker cannot compute, which it tries as plain SHA-256)."""
        simple = self.method in ("sha256", "salted") and self.salt in ("none", "released")
        return not self.computable or (simple and self.with_column is None)

    @property
    def expensive(self) -> bool:
        """Too slow to hash every number in use on a district (read from the oracle where there is one)."""
        return self.method == "pbkdf2" or self.per_record or self.with_column is not None

    def digest(self, message: bytes, salt: bytes | None = None) -> bytes:
        """The digest of ``message`` under this scheme (``salt``: a per-record salt)."""
        return digest(self.method, message, self.salt_bytes if salt is None else salt, self.key_bytes, self.iterations)

    @property
    def gpu(self) -> GpuRate | None:
        """The published GPU rate of the primitive (None when the attacker cannot compute it)."""
        if not self.computable:
            return None
        return {"sha256": GPU_SHA256, "salted": GPU_SALTED_SHA256, "hmac": GPU_HMAC_KEY_SALT, "pbkdf2": GPU_PBKDF2}[
            self.method
        ]

    @property
    def label(self) -> str:
        """The primitive in words."""
        name = {
            "sha256": "SHA-256",
            "salted": "SHA-256 of a salt and",
            "hmac": "HMAC-SHA-256",
            "pbkdf2": f"PBKDF2-HMAC-SHA-256 ({self.iterations:,} iterations)",
        }[self.method]
        message = "phone + " + self.with_column.replace("_", " ") if self.with_column else "phone"
        salt = {
            "released": ", one salt released",
            "per_record": ", a salt per record released beside it",
            "secret": ", the salt kept secret",
            "secret_per_record": ", a secret salt per record",
        }.get(self.salt, "")
        key = {"leaked": ", the key leaked", "kept": ", the key kept by the controller"}.get(self.key, "")
        return f"{name}({message}){salt}{key}" if self.method != "salted" else f"{name} the {message}{salt}"

    def primitive(self, birth_dates: int = 1, birth_dates_all: int = 1) -> Primitive:
        """The cost model of this scheme (see :class:`synth.core.hash_costs.Primitive`)."""
        if not self.computable:
            infeasible = PRIMITIVE["hmac_kept"].infeasible if self.key == "kept" else PRIMITIVE["pepper"].infeasible
            return Primitive(self.method, self.label, None, salt="secret", infeasible=infeasible)
        return Primitive(
            self.method,
            self.label,
            self.gpu,
            work=self.iterations if self.method == "pbkdf2" else 0,
            salt="per_record" if self.per_record else "released" if self.salt == "released" else "none",
            birth_dates=birth_dates,
            birth_dates_all=birth_dates_all,
        )


def scheme_of(metadata: Any, column: str = "phone") -> Scheme:
    """The scheme the release's metadata states for ``column`` (a release without one: SHA-256, after the
    released salt ``<column>_salt`` where there is one).

    Raises
    ------
    SpecError
        The metadata names a method the attack does not know.
    """
    salt_hex = str(metadata.get(column + SALT_SUFFIX, "") or "")
    raw = metadata.get(column + SCHEME_SUFFIX)
    if raw is None:
        return Scheme("salted", "released", salt_bytes=bytes.fromhex(salt_hex)) if salt_hex else Scheme()
    method = raw.get("method")
    if method not in METHODS:  # the attack names itself where it calls this (its id lives in its own module)
        raise SpecError(f"the release's scheme names method {method!r}; known are {', '.join(METHODS)}")
    salt, key = str(raw.get("salt", "none")), str(raw.get("key", "none"))
    key_hex = str(metadata.get(column + KEY_SUFFIX, "") or "")
    if key == "leaked" and not key_hex:
        key = "kept"  # said to leak, but not in the release: the attacker does not hold it
    return Scheme(
        method=method,
        salt=salt,
        key=key,
        with_column=raw.get("with"),
        iterations=int(raw.get("iterations", 1)),
        salt_bytes=bytes.fromhex(salt_hex) if salt == "released" else b"",
        key_bytes=bytes.fromhex(key_hex) if key == "leaked" else b"",
    )


def _national(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_prefix(COUNTRY_CODE).cast(pl.Int64, strict=False)


def numbers_in_use(people: pl.LazyFrame) -> np.ndarray:
    """The distinct ten-digit national numbers (int64, sorted) somebody holds: ``phone`` and ``contact_phone`` of
    a world's ``people`` where the table has it, nulls left out."""
    columns = [c for c in ("phone", "contact_phone") if c in people.collect_schema().names()]
    if not columns:
        return np.zeros(0, dtype=np.int64)
    stacked = pl.concat([people.select(number=pl.col(c).cast(pl.String)) for c in columns])
    numbers = stacked.select(_national("number")).drop_nulls().unique().collect()["number"].to_numpy()
    return np.sort(numbers).astype(np.int64)


def released_messages(exported: pl.DataFrame, view: AttackerView, column: str = "phone") -> pl.DataFrame:
    """The oracle behind :attr:`synth.attacks.base.Cell.preimages`: the message behind each released digest.

    One row per distinct released digest (with its per-record salt where the release has a column of them):
    the national ``number`` (Int64) the data holder hashed, and the ``date_of_birth`` where its scheme appends
    it. It is read from the rows as exported (the truth side), and only through
    :func:`~synth.attacks.hash_reversal.hash_reversal`, which keeps the messages a full enumeration of the
    attacker's space reaches and verifies a sample by hashing: it stands for the attacker's own enumeration, not
    for knowledge of who a row is.

    Parameters
    ----------
    exported
        The rows as exported before the policy (``row_id``, ``phone``, and ``date_of_birth`` where released).
    view
        The attacker's view of the release after the policy.
    column
        The hashed column.
    """
    if column not in view.data.columns or column not in exported.columns:
        return pl.DataFrame()
    keys = [column, *([column + SALT_SUFFIX] if column + SALT_SUFFIX in view.data.columns else [])]
    scheme = scheme_of(view.metadata, column)
    extra = [scheme.with_column] if scheme.with_column and scheme.with_column in exported.columns else []
    truth = exported.select("row_id", _national(column).alias("number"), *extra)
    if extra:
        truth = truth.rename({extra[0]: "date_of_birth"})
    released = view.data.select("row_id", *keys).drop_nulls(column)
    return released.join(truth, on="row_id", how="inner").drop("row_id").unique(keys, keep="first").sort(keys)
