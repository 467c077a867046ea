"""Measures of a release itself: the k-anonymity distribution and l-diversity on declared quasi-identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw


@dataclass(frozen=True)
class KAnonymityProfile:
    """Equivalence classes of a release on its quasi-identifiers."""

    k: int  # the release is k-anonymous for this k (its smallest class)
    classes: int
    rows_in_classes_below: dict[int, int]  # for thresholds 2, 5, 10: rows in classes smaller than that


@dataclass(frozen=True)
class LDiversityProfile:
    """Distinct values of a sensitive column within each equivalence class."""

    l: int  # noqa: E741 - the measure's own name
    classes_with_one_value: int  # classes where the sensitive value is certain (homogeneity)
    rows_in_homogeneous_classes: int


def k_anonymity(
    release: Any, quasi_identifiers: Sequence[str], thresholds: Sequence[int] = (2, 5, 10)
) -> KAnonymityProfile:
    """Class sizes on ``quasi_identifiers`` (written against Narwhals: any backend)."""
    f = nw.from_native(release)
    sizes = f.group_by(list(quasi_identifiers)).agg(nw.len().alias("_size"))
    if hasattr(sizes, "collect"):
        sizes = sizes.collect()
    values = [int(v) for v in sizes["_size"].to_list()]
    below = {t: sum(v for v in values if v < t) for t in thresholds}
    return KAnonymityProfile(k=min(values) if values else 0, classes=len(values), rows_in_classes_below=below)


def l_diversity(release: Any, quasi_identifiers: Sequence[str], sensitive: str) -> LDiversityProfile:
    """Distinct sensitive values per class on ``quasi_identifiers``."""
    f = nw.from_native(release)
    per_class = f.group_by(list(quasi_identifiers)).agg(
        nw.col(sensitive).n_unique().alias("_l"), nw.len().alias("_size")
    )
    if hasattr(per_class, "collect"):
        per_class = per_class.collect()
    ls = [int(v) for v in per_class["_l"].to_list()]
    sizes = [int(v) for v in per_class["_size"].to_list()]
    return LDiversityProfile(
        l=min(ls) if ls else 0,
        classes_with_one_value=sum(1 for v in ls if v == 1),
        rows_in_homogeneous_classes=sum(s for v, s in zip(ls, sizes, strict=True) if v == 1),
    )
