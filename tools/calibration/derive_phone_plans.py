"""Derive the two numbering plans for generated phone numbers from libphonenumber's metadata.

A plan is a list of national-number prefixes ("blocks"); a block of length L holds the 10**(10 - L)
ten-digit numbers that start with it. Written to ``synth/world/calibration/phone_plans/``:

``in_mobile.csv`` (the opt-in realistic plan)
    Every six-digit prefix that India's mobile pattern can still match: numbers of exactly the
    structure and search space of real Indian mobile numbers.
``in_safe.csv`` (the default)
    Blocks (4 to 7 digits) where *no* Indian ten-digit pattern (fixed line, mobile, toll free, UAN)
    can match any completion, trimmed so that the plan holds exactly as many numbers as the
    realistic one. No number in it can ring anybody.

The check uses the ``regex`` module's partial matching, which answers exactly "could a string that
starts with this prefix match the pattern?". Needs ``pip install regex phonenumbers``; run from the
repository root: ``python tools/calibration/derive_phone_plans.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers
import regex
from phonenumbers import PhoneMetadata

OUT = Path("synth/world/calibration/phone_plans")
TEN_DIGIT_TYPES = ("fixed_line", "mobile", "toll_free", "uan")


def _patterns(types: tuple[str, ...]) -> list[regex.Pattern[str]]:
    md = PhoneMetadata.metadata_for_region("IN")
    return [regex.compile(f"(?:{getattr(md, t).national_number_pattern})") for t in types]


def _could_match(prefix: str, pats: list[regex.Pattern[str]]) -> bool:
    return any(p.fullmatch(prefix, partial=True) for p in pats)


def mobile_blocks() -> list[str]:
    pats = _patterns(("mobile",))
    return [s for s in (f"{p:06d}" for p in range(600_000, 1_000_000)) if _could_match(s, pats)]


ALL_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def safe_blocks(max_len: int = 7) -> list[str]:
    """Blocks no completion of which libphonenumber would accept as an Indian number.

    A national number with leading zeros is validated as the digits after them (``+91 0180012345``
    parses as ``180012345``, a toll-free number), so such blocks are checked without their zeros
    against every number type of any length.
    """
    ten_digit = _patterns(TEN_DIGIT_TYPES)
    md = PhoneMetadata.metadata_for_region("IN")
    present = [t for t in ALL_TYPES if getattr(md, t) is not None and getattr(md, t).national_number_pattern]
    by_length = {n: _patterns(tuple(t for t in present if n in getattr(md, t).possible_length)) for n in range(1, 11)}

    def unsafe(prefix: str) -> bool:
        if not prefix.startswith("0"):
            return _could_match(prefix, ten_digit)
        rest = prefix.lstrip("0")
        return rest == "" or _could_match(rest, by_length[10 - (len(prefix) - len(rest))])

    out: list[str] = []
    stack = [f"{p:04d}" for p in range(9_999, -1, -1)]
    while stack:
        s = stack.pop()
        if not unsafe(s):
            out.append(s)
        elif len(s) < max_len:
            stack.extend(s + str(d) for d in range(9, -1, -1))
    return out


def size(blocks: list[str]) -> int:
    return sum(10 ** (10 - len(b)) for b in blocks)


def trim(blocks: list[str], target: int) -> list[str]:
    """Keep blocks in order until the plan holds exactly ``target`` numbers, splitting the last."""
    kept: list[str] = []
    total = 0
    queue = list(blocks)
    while total < target:
        b = queue.pop(0)
        n = 10 ** (10 - len(b))
        if total + n <= target:
            kept.append(b)
            total += n
        else:
            queue[:0] = [b + str(d) for d in range(10)]
    return kept


def compact(blocks: list[str]) -> list[str]:
    """Merge ten sibling blocks into their parent block, repeatedly (same numbers, shorter file)."""
    current = sorted(set(blocks))
    while True:
        by_parent: dict[str, list[str]] = {}
        for b in current:
            if len(b) > 1:
                by_parent.setdefault(b[:-1], []).append(b)
        full = {p for p, kids in by_parent.items() if len(kids) == 10}
        if not full:
            return current
        current = sorted({b[:-1] if b[:-1] in full else b for b in current})


def write(name: str, blocks: list[str], note: str) -> None:
    blocks = compact(blocks)
    with open(OUT / name, "w", newline="") as f:
        f.write(f"# {note}; phonenumbers {phonenumbers.__version__}; {len(blocks)} blocks, {size(blocks)} numbers\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["prefix"])
        w.writerows([b] for b in blocks)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    mobile = mobile_blocks()
    safe = trim(safe_blocks(), size(mobile))
    assert size(safe) == size(mobile)
    write("in_mobile.csv", mobile, "Indian mobile series (realistic plan)")
    write("in_safe.csv", safe, "blocks no Indian number can fall in (safe plan)")
    print(f"mobile: {len(mobile)} blocks, {size(mobile):,} numbers; safe: {len(safe)} blocks, {size(safe):,} numbers")


if __name__ == "__main__":
    main()
