"""Release specification: which registries and which fields an export takes.

The default reproduces the alleged K-SMART export of 31 December 2025: phone, name, age, gender,
district, taluk, ward and local body of every member of the four registries, with the registry
each row came from. ``recipients`` widens it to the list that was allegedly messaged (about 1 crore
people): the export, plus a seeded sample of other adult residents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as _date
from typing import Any

from synth.checks import seed_problem, whole
from synth.errors import SpecError, did_you_mean

REGISTRIES = ("employees", "pensioners", "entrepreneurs", "womens_scheme")
EXPORT_FIELDS = ("phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry")
EXTRA_FIELDS = ("date_of_birth", "relative_name", "house_number", "scheme", "ration_card")
ALLOWED_FIELDS = EXPORT_FIELDS + EXTRA_FIELDS
OTHER_RESIDENT = "other_resident"  # the registry label of rows beyond the export (see ReleaseSpec.recipients)
ADULT_AGE = 18
KEYS = ("registries", "fields", "seed", "recipients", "date")


@dataclass(frozen=True)
class ReleaseSpec:
    """Which registries and fields an export holds.

    Parameters
    ----------
    registries
        Registries whose members are exported (one row per membership).
    fields
        Columns of the export, from :data:`ALLOWED_FIELDS`.
    seed
        Seeds the row order, so that the order of the file reveals nothing about the people, and the
        sample of other residents.
    recipients
        Total rows of the release, or None (the default) for the export alone. Rows beyond the export
        are other residents, one row each: people aged 18 or more with a contact phone who are in none
        of ``registries``, sampled without replacement (seeded by ``seed`` and the world's seed) and
        labelled ``registry = "other_resident"``, with no scheme and no ration card. It models the
        allegation that the export was used to message about 1 crore people. :func:`make_release`
        raises :class:`~synth.errors.SpecError` where it is fewer than the exported rows or more than
        the exported rows plus the eligible residents of the world.
    date
        The export's reference date (an ISO date), or None for the world's own: ages are whole years on this
        date, and people born after it are not in the export. The world is a picture of its own reference
        date: registries hold their members of that date, and nobody who has died or moved since is brought
        back (a limitation of an earlier date).

    Examples
    --------
    >>> ReleaseSpec(recipients=10_000_000).recipients  # the export plus other adults, 1 crore rows
    10000000
    """

    registries: tuple[str, ...] = REGISTRIES
    fields: tuple[str, ...] = EXPORT_FIELDS
    seed: int = 0
    recipients: int | None = None
    date: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.date is not None and reference_date(self.date) is None:
            problems.append(f"release.date = {self.date!r}: must be an ISO date (YYYY-MM-DD)")
        for r in self.registries:
            if r not in REGISTRIES:
                problems.append(
                    f"release.registries: unknown registry '{r}'; allowed are {', '.join(REGISTRIES)}"
                    + did_you_mean(r, list(REGISTRIES))
                )
        for f in self.fields:
            if f not in ALLOWED_FIELDS:
                problems.append(
                    f"release.fields: unknown field '{f}'; allowed are {', '.join(ALLOWED_FIELDS)}"
                    + did_you_mean(f, list(ALLOWED_FIELDS))
                )
        if not self.registries:
            problems.append("release.registries: empty; name at least one registry")
        if not self.fields:
            problems.append("release.fields: empty; name at least one field")
        if len(set(self.fields)) != len(self.fields):
            problems.append("release.fields: a field is named twice")
        if (problem := seed_problem(self.seed, "release.seed")) is not None:
            problems.append(problem)
        n = self.recipients
        if n is not None and not whole(n, 1):
            problems.append(
                f"release.recipients = {n!r}: must be a positive whole number (total rows of the release), "
                "or absent for the export alone"
            )
        if problems:
            raise SpecError("\n".join(problems))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReleaseSpec:
        """A spec from a mapping (a scenario file's ``[release]`` table); absent keys take their defaults."""
        unknown = sorted(set(d) - set(KEYS))
        if unknown:
            raise SpecError(
                f"release: unknown key '{unknown[0]}'; allowed are {', '.join(KEYS)}"
                + did_you_mean(unknown[0], list(KEYS))
            )
        return cls(
            registries=tuple(d.get("registries", REGISTRIES)),
            fields=tuple(d.get("fields", EXPORT_FIELDS)),
            seed=d.get("seed", 0),
            recipients=d.get("recipients"),
            date=None if d.get("date") is None else str(d["date"]),
        )


def reference_date(text: str) -> _date | None:
    """The date an ISO text names (a TOML date reads as one too), or None when it names none."""
    try:
        return _date.fromisoformat(str(text))
    except ValueError:
        return None
