"""Write ``benchmarks/README.md`` from the JSON of one benchmark run (``make bench``); nothing in it is typed.

Usage::

    python -m benchmarks.report out/bench/benchmark.json --out benchmarks/README.md

Every figure comes from the run's JSON (``pytest --benchmark-json``, with the machine, the versions and the
command that :mod:`benchmarks.conftest` adds). Where one of our figures and anonymeter's disagree by more than
their intervals (the intervals do not overlap), the explanation of that disagreement follows the table.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.engine.io import atomic_bytes

TARGETS = {"faker": 50.0, "sdv": 10.0}
LABELS = {
    "ours": "ours (1 worker)",
    "ours_2_workers": "ours (2 workers)",
    "faker": "Faker (en_IN)",
    "mimesis": "mimesis (en)",
    "indian_fakedata": "indian-fakedata (Kerala)",
    "sdv": "SDV Gaussian copula",
}
PAIRS = {  # our attack -> anonymeter's evaluators asking the same question
    "singling_out": ("singling_out_matched", "singling_out"),
    "exact_linkage": ("linkability",),
    "attribute_inference": ("inference",),
}
EXPLANATIONS = {
    "so_matched": (
        "Same question, same predicates (all six quasi-identifiers, each compared for equality), same population: "
        "anonymeter estimates from 500 of the release's distinct combinations what we count over all of them, so "
        "the two should agree. A difference beyond both intervals is sampling (each is a 95% interval, which "
        "misses about one time in twenty), made a little likelier by anonymeter's rate being the Wilson midpoint "
        "(n + z²/2)/(N + z²) rather than n/N, which lifts a small rate by about 2/500."
    ),
    "so_native": (
        "Different denominators. We score the predicates of the rows unique in the release (a row that shares its "
        "combination with another released row is no predicate); anonymeter first drops duplicate rows, so every "
        "distinct combination of the release becomes a predicate, including the combinations two or more "
        "released rows share, which can never describe one person. Its rate is therefore about ours times (rows "
        "unique in the release ÷ distinct combinations). Our own count with anonymeter's denominator is the "
        "'ours, as anonymeter' column, which agrees with it."
    ),
    "so_default": (
        "A different attacker. anonymeter's default predicate uses 3 of the 6 quasi-identifiers, chosen at random, "
        'and compares numbers (age, ward number) with >= or <= towards the extreme ("age >= 87"), where ours uses '
        "all six with equality. Its predicate must first single out one released row, and then is checked against "
        "the whole population: three columns with an open age range rarely describe exactly one person of a "
        "population of lakhs, while six exact columns (down to the ward and the year of age) often do. Neither "
        "is wrong: they measure different attackers, and ours is the one the release's own columns allow. Few of "
        "its candidate predicates single out one released row of a large release, so its search (capped here at "
        "50,000 candidates, where its default of 10 million runs for hours) finds fewer than 500, and it counts "
        "the missing ones as failures: its rate is then an underestimate, as anonymeter itself warns."
    ),
    "link_attack": (
        "Nearest neighbour against an exact, unique match. anonymeter links a target when the released row nearest "
        "to its roll entry (Gower distance: a differing text value counts 1, an age its difference over the age "
        "range) is the released row nearest to its phone. A nearest row always exists, so a roll entry whose name "
        "the roll spells another way (Sreedevi/Sridevi), whose age on the roll is a year off or whose roll "
        "address is an old one still links when no other row is closer; our exact linkage, which needs every key "
        "equal and exactly one roll entry to match, makes no guess there. The other way, where several released "
        "rows tie for nearest (a person in two registries, a family sharing one phone), anonymeter's sort may pick "
        "a different row for each half and miss a link we make. 'Ours, as anonymeter' counts, over every released "
        "person on the roll, whether one of their rows was linked to their own roll entry."
    ),
    "link_native": (
        "Different targets. Our recall is over every released row, including rows of people the roll does not "
        "list (the roll misses some residents and lists some at an old address), who cannot be linked to it; "
        "anonymeter's targets are released people on the roll only, matched by nearest neighbour (see above)."
    ),
    "link_control": (
        "A voter not released carries a phone that no released row carries, so neither attack links one "
        "(anonymeter's control rate is the Wilson midpoint of its count, about 0.004 for 0 of 500, not 0)."
    ),
    "link_risk": (
        "The risks follow the attack rates: with controls near zero, (attack - control) / (1 - control) is about "
        "the attack rate, so the reason is that of the attack rates above."
    ),
    "inf_attack": (
        "A lookup against a model. anonymeter guesses the secret of the released row nearest to the target's "
        "quasi-identifiers; for a released voter that row is most often the voter's own (distance 0), so it reads "
        "the answer off the release unless other released rows share the same age, gender and ward. Our attack "
        "fits a classifier (gradient boosting) on the release and gives everyone with the same quasi-identifiers "
        "the likeliest label: a released member of the women's scheme in a cell where most released rows are not "
        "members gets 'none'. Ours measures what the release teaches about everybody, anonymeter's what it gives "
        "away about the people in it."
    ),
    "inf_control": (
        "On voters not released (almost none of them in the scheme: the export holds every member) anonymeter "
        "copies the secret of the nearest released row, which for a woman of the scheme's ages in a ward with "
        "members is often 'yes'; our classifier says 'yes' only where members are the likelier label. Our rate "
        "counts every voter not released, anonymeter's 500 of a seeded sample of them."
    ),
    "inf_risk": (
        "The risks follow the two rates: (attack - control) / (1 - control) magnifies differences when the control "
        "rate is high, as it is here (most people are not in the scheme, and both attacks say so). anonymeter "
        "propagates the two errors; ours combines the Wilson bounds conservatively."
    ),
    "inf_native": (
        "Different targets. Our accuracy is over every voter on the roll, released or not (mostly 'none'), against "
        "the majority-class baseline; anonymeter's attack rate is over released voters only."
    ),
}


@dataclass(frozen=True)
class Comparison:
    """One of our figures beside anonymeter's, with both intervals."""

    rows: int
    question: str
    ours_label: str
    ours: Sequence[float]  # value, low, high
    theirs_label: str
    theirs: Sequence[float]  # value, low, high
    key: str
    note: str = ""

    @property
    def agrees(self) -> bool:
        return self.ours[1] <= self.theirs[2] and self.theirs[1] <= self.ours[2]


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def _int(x: float | None) -> str:
    return "n/a" if x is None else f"{round(x):,}"


def _interval(v: Sequence[float]) -> str:
    return f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


def _anonymeter(rate: Sequence[float] | None) -> list[float]:
    """anonymeter's ``[value, error]`` as ``[value, low, high]`` clipped to [0, 1]."""
    if rate is None:
        return [math.nan, math.nan, math.nan]
    v, e = rate
    return [v, max(0.0, v - e), min(1.0, v + e)]


def _load(point: dict[str, Any]) -> str:
    """The machine's load averages before and after a measured point: ``1.2 / 0.9 / 0.5 → 2.0 / 1.4 / 0.7``."""
    return " / ".join(str(x) for x in point["load_before"]) + " → " + " / ".join(str(x) for x in point["load_after"])


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _extra(run: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b["extra_info"] for b in run["benchmarks"] if b.get("extra_info", {}).get("kind") == kind]


def generation_section(run: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The throughput and realism tables, and per world the ratio of our persons per second to each peer's."""
    results = _extra(run, "generation")
    lines: list[str] = []
    ratios: dict[str, dict[str, float]] = {}
    for world in dict.fromkeys(r["world"] for r in results):
        mine = [r for r in results if r["world"] == world]
        ours = next((r for r in mine if r["label"] == "ours"), None)
        people = mine[0]["world_people"]
        lines += [f"### {world.replace('_', ' ')} ({people:,} people)", ""]
        rows = []
        for r in sorted(mine, key=lambda r: list(LABELS).index(r["label"])):
            ratio = ours["persons_per_second"] / r["persons_per_second"] if ours else math.nan
            if not r["label"].startswith("ours"):
                ratios.setdefault(world, {})[r["label"]] = ratio
            rows.append(
                [
                    LABELS[r["label"]],
                    r["version"],
                    _int(r["rows"]),
                    _num(r["seconds"], 2),
                    _int(r["persons_per_second"]),
                    "1" if r["label"] == "ours" else _num(ratio, 1),
                    _int(r["peak_rss_mb"]),
                    _int(r["peak_rss_mb"] - r["rss_before_mb"]),
                    _num(r["setup_seconds"], 1),
                ]
            )
        header = [
            "generator",
            "version",
            "rows",
            "seconds",
            "persons/s",
            "ours (1 worker) ÷ this",
            "peak MiB",
            "MiB added generating",
            "setup s",
        ]
        lines += [*_table(header, rows), ""]
        real = []
        for r in sorted(mine, key=lambda r: list(LABELS).index(r["label"])):
            m = r["realism"]
            real.append(
                [
                    LABELS[r["label"]],
                    m["geography"],
                    _num(m["district_share_tvd"]),
                    f"{_int(m['sex_ratio'])} ({_int(m['sex_ratio_target'])})",
                    _share(m["sex_ratio_error"]),
                    f"{_share(m['share_60_plus'])} ({_share(m['share_60_plus_target'])})",
                    _share(m["share_60_plus_error"]),
                    _share(m["womens_scheme_men"]),
                    _share(m["old_age_pension_under_60"]),
                    _share(m["ward_outside_district"]),
                    f"{_share(m['any_rule'])} ({m['violations']:,})",
                ]
            )
        header = [
            "generator",
            "held to",
            "district shares TVD",
            "women per 1,000 men (target)",
            "error",
            "aged 60+ (target)",
            "error",
            "men in women's scheme",
            "old-age pensioners under 60",
            "ward outside district",
            "rows breaking a rule (count)",
        ]
        lines += ["Realism of the same output:", "", *_table(header, real), ""]
    return lines, ratios


def targets_section(run: dict[str, Any], ratios: dict[str, dict[str, float]]) -> list[str]:
    """Did we meet the issue's targets; if not, by how much and why (from the profile)."""
    results = _extra(run, "generation")
    if not ratios:
        return ["No generation results in this run.", ""]
    world = list(ratios)[-1]  # the largest world measured
    rows, missed = [], []
    for peer, target in TARGETS.items():
        got = ratios[world].get(peer)
        if got is None:
            continue
        met = got >= target
        rows.append(
            [f"ours ÷ {LABELS[peer]}, persons/s ({world})", f">= {target:g}", _num(got, 1), "yes" if met else "no"]
        )
        if not met:
            missed.append((peer, target, got))
    ours_bad = sum(r["realism"]["violations"] for r in results if r["label"].startswith("ours"))
    peers_bad = {r["label"]: r["realism"]["violations"] for r in results if not r["label"].startswith("ours")}
    rows.append(
        ["rows breaking an eligibility rule, ours (all worlds)", "0", f"{ours_bad:,}", "yes" if not ours_bad else "no"]
    )
    some = all(v > 0 for v in peers_bad.values())
    listed = ", ".join(f"{LABELS[k]} {v:,}" for k, v in peers_bad.items())
    rows.append(["... where every peer breaks some", "> 0 each", listed, "yes" if some else "no"])
    lines = [*_table(["claim", "target", "measured", "met"], rows), ""]
    if missed:
        lines += [
            "**Missed.** "
            + " ".join(
                f"Against {LABELS[p]} we are {g:.1f} times as fast where the target is {t:g}: short by a factor of "
                f"{t / g:.1f}."
                for p, t, g in missed
            ),
            "",
        ]
        lines += why_missed(run)
    return lines


def why_missed(run: dict[str, Any]) -> list[str]:
    """Why a throughput target is missed: what the profile says our generation spends its time on."""
    profiles = _extra(run, "profile")
    lines = [
        "Why: the records are not the same work. A peer draws seven independent values per record; our generator "
        "builds a world in which those seven fields are consistent, and everything they are consistent with: "
        "people in households with family links, given names by community, sex and birth cohort and relatives' "
        "names, phones shared by households, four registries drawn by their eligibility rules, the electoral roll "
        "(with spelling variants, moves and ghosts) and the caller-ID directory, all rendered to text and written "
        "to compressed Parquet with a checksum per file, about ten tables where the peers make one. The clock "
        "covers all of it, and the reading of the seven fields back from the files.",
        "",
    ]
    for p in profiles:
        phases = [ph for ph in p["phases"] if not ph[0].startswith(" ")]
        top = max(phases, key=lambda ph: ph[1])
        lines += [
            f"Profile of our generation on {p['world'].replace('_', ' ')} ({p['people']:,} people, "
            f"{p['total_seconds']:.1f} s under cProfile, one worker); steps indented are part of the one above "
            f"them. The largest part is **{top[0]}** ({100 * top[2]:.0f}% of the time).",
            "",
            *_table(
                ["step", "seconds", "share"],
                ([ph[0].replace("  ", "&nbsp;&nbsp;"), _num(ph[1], 2), f"{100 * ph[2]:.1f}%"] for ph in p["phases"]),
            ),
            "",
        ]
    return lines


def _comparisons(run: dict[str, Any]) -> list[Comparison]:
    attacks = _extra(run, "attack")
    ours = {(r["rows"], r["attack"]): r for r in attacks if r["side"] == "ours"}
    theirs = {(r["rows"], r["evaluator"]): r for r in attacks if r["side"] == "anonymeter"}
    out: list[Comparison] = []
    for rows in sorted({r["rows"] for r in attacks}):
        so, link, inf = (ours.get((rows, a)) for a in ("singling_out", "exact_linkage", "attribute_inference"))
        matched, default = theirs.get((rows, "singling_out_matched")), theirs.get((rows, "singling_out"))
        linkability, inference = theirs.get((rows, "linkability")), theirs.get((rows, "inference"))
        q = "singling out: predicates describing one person"
        if so and matched:
            a = _anonymeter(matched["attack_rate"])
            out.append(
                Comparison(
                    rows,
                    q,
                    "ours, as anonymeter",
                    so["ours_as_anonymeter"]["attack_rate"],
                    "anonymeter, our predicate",
                    a,
                    "so_matched",
                )
            )
            out.append(
                Comparison(rows, q, "ours", so["ours"]["precision"], "anonymeter, our predicate", a, "so_native")
            )
        if so and default:
            out.append(
                Comparison(
                    rows,
                    q,
                    "ours",
                    so["ours"]["precision"],
                    "anonymeter, its defaults",
                    _anonymeter(default["attack_rate"]),
                    "so_default",
                    f"it found {default.get('queries_generated', default['n_attacks']):,} of its "
                    f"{default['n_attacks']} predicates within {default.get('max_attempts', 0):,} candidates",
                )
            )
        # Linkability and inference: the same four rows each (ours as anonymeter, ours natively, control, risk).
        for prefix, theirs_row, mine_row, q, native_label, native in (
            (
                "link",
                linkability,
                link,
                "linkability: roll entry tied to the person's phone",
                "ours (recall)",
                "recall",
            ),
            ("inf", inference, inf, "inference: women's-scheme membership right", "ours (all voters)", "accuracy"),
        ):
            if not (mine_row and theirs_row):
                continue
            mine = mine_row["ours_as_anonymeter"]
            name = q.split(":")[0]
            attack = _anonymeter(theirs_row["attack_rate"])
            out += [
                Comparison(
                    rows, q, "ours, as anonymeter", mine["attack_rate"], "anonymeter", attack, f"{prefix}_attack"
                ),
                Comparison(rows, q, native_label, mine_row["ours"][native], "anonymeter", attack, f"{prefix}_native"),
                Comparison(
                    rows,
                    f"{name}: control",
                    "ours, as anonymeter",
                    mine["control_rate"],
                    "anonymeter",
                    _anonymeter(theirs_row["control_rate"]),
                    f"{prefix}_control",
                ),
                Comparison(
                    rows,
                    f"{name}: risk",
                    "ours, as anonymeter",
                    mine["risk"],
                    "anonymeter",
                    theirs_row["risk"],
                    f"{prefix}_risk",
                ),
            ]
    return out


def attacks_section(run: dict[str, Any]) -> list[str]:
    """Throughput of our attacks and anonymeter's, and the agreement of their figures, with explanations."""
    attacks = _extra(run, "attack")
    if not attacks:
        return ["No attack results in this run.", ""]
    ours = {(r["rows"], r["attack"]): r for r in attacks if r["side"] == "ours"}
    theirs = {(r["rows"], r["evaluator"]): r for r in attacks if r["side"] == "anonymeter"}
    rows = []
    for size in sorted({r["rows"] for r in attacks}):
        for attack, evaluators in PAIRS.items():
            mine = ours.get((size, attack))
            for evaluator in evaluators:
                other = theirs.get((size, evaluator))
                rows.append(
                    [
                        f"{size:,}",
                        attack.replace("_", " "),
                        _num(mine["seconds"], 2) if mine else "n/a",
                        _int(mine["rows_covered"]) if mine else "n/a",
                        evaluator.replace("_", " "),
                        _num(other["seconds"], 2) if other else "n/a",
                        f"{other.get('queries_generated', other['n_attacks']):,}" if other else "n/a",
                        _num(other["seconds"] / mine["seconds"], 1) if mine and other and mine["seconds"] else "n/a",
                        _num(
                            (mine["rows_covered"] / mine["seconds"])
                            / (other.get("queries_generated", other["n_attacks"]) / other["seconds"]),
                            0,
                        )
                        if mine and other and mine["seconds"]
                        else "n/a",
                        _int(other["peak_rss_mb"]) if other and other.get("rss") == "VmHWM" else "n/a",
                    ]
                )
    header = [
        "release rows",
        "our attack",
        "our seconds",
        "rows (or voters) we cover",
        "anonymeter evaluator",
        "its seconds",
        "attacks it makes (of 500)",
        "its seconds ÷ ours",
        "our rows/s ÷ its attacks/s",
        "its peak MiB",
    ]
    lines = ["### Throughput", "", *_table(header, rows), ""]
    comparisons = _comparisons(run)
    table = [
        [
            f"{c.rows:,}",
            c.question,
            f"{c.ours_label}: {_interval(c.ours)}",
            f"{c.theirs_label}: {_interval(c.theirs)}",
            "yes" if c.agrees else f"**no** ({c.ours[0] - c.theirs[0]:+.3f}; see {c.key})",
        ]
        for c in comparisons
    ]
    lines += [
        "### Agreement",
        "",
        "Values with 95% intervals: ours are Wilson intervals of exact counts over every row; anonymeter's are its "
        "own (500 attacks). 'Ours, as anonymeter' is our attack scored on anonymeter's targets with anonymeter's "
        "definition, counted over all of them.",
        "",
        *_table(["release rows", "question", "ours", "anonymeter", "intervals overlap"], table),
        "",
    ]
    disagreeing = sorted({c.key for c in comparisons if not c.agrees}, key=list(EXPLANATIONS).index)
    if disagreeing:
        lines += ["### Why they disagree", ""]
        for key in disagreeing:
            where = "; ".join(
                f"{c.rows:,} rows" + (f": {c.note}" if c.note else "")
                for c in comparisons
                if c.key == key and not c.agrees
            )
            lines += [f"- **{key}** ({where}): {EXPLANATIONS[key]}", ""]
    return lines


def scale_section(run: dict[str, Any]) -> list[str]:
    """Our generation and the default scenario at 1, 2, 4 (and 14) districts."""
    points = _extra(run, "scale")
    if not points:
        return ["No scale results in this run.", ""]
    rows = []
    for n in sorted({p["districts"] for p in points}):
        build = next((p for p in points if p["districts"] == n and p["step"] == "generation"), None)
        scenario = next((p for p in points if p["districts"] == n and p["step"] == "scenario"), None)
        people = (build or scenario or {}).get("people")
        rows.append(
            [
                str(n),
                _int(people),
                _num(build["seconds"], 1) if build else "not run",
                _int(people / build["seconds"]) if build and people else "n/a",
                _int(build["peak_rss_mb"]) if build else "n/a",
                _num(scenario["seconds"], 1) if scenario else "not run",
                _int(scenario["peak_rss_mb"]) if scenario else "n/a",
            ]
        )
    header = [
        "districts",
        "people",
        "build seconds (2 workers)",
        "persons/s",
        "build peak MiB",
        "default scenario seconds",
        "scenario peak MiB",
    ]
    return [*_table(header, rows), ""]


def _seconds(x: float | None) -> str:
    """A time in the largest readable unit; "infeasible" where it is not a number (a secret kept)."""
    from synth.core.hash_costs import duration

    return duration(math.nan if x is None else x)


def hash_costs_section(run: dict[str, Any]) -> list[str]:
    """The time-to-reverse table: each primitive's rate on one CPU core (measured) and on one GPU (published)."""
    rows = _extra(run, "hash_cost")
    if not rows:
        return ["No hash-cost results in this run (`pytest benchmarks/test_hash_costs.py --benchmark-only`).", ""]
    meta = run.get("synth_bench", {})
    machine = meta.get("machine", {})
    first = rows[0]
    lines = [
        f"Measured by `{meta.get('command', 'unknown')}` on {run.get('datetime', 'unknown')}, "
        f"{machine.get('cpu', '?')} ({machine.get('cores', '?')} cores), one core. Time to reverse is the worst case "
        f'(the whole space: half that on average) over the {first["space"]:,} Indian mobile numbers; "every record" '
        f"is a release of {first['records']:,} records (about 1 crore people were messaged).",
        "",
    ]
    table = []
    for r in rows:
        mode = f"{_int(r['gpu_rate'])} (mode {r['gpu_mode']})" if r["gpu_mode"] is not None else "none"
        note = r["infeasible"]
        if r["truncated_bits"]:
            note = f"{r['truncated_bits']} bits kept: {r['ambiguity']:.2f} numbers of the space per digest on average"
        elif r["birth_dates"] > 1:
            note = (
                f"{r['birth_dates']:,} birth dates per number for one record, {r['birth_dates_all']:,} for every record"
            )
        elif r["salt"] == "per_record":
            note = "one enumeration per record"
        table.append(
            [
                r["label"],
                f"{_int(r['cpu_rate'])} ({r['implementation']})",
                mode,
                _seconds(r["cpu_one_seconds"]),
                _seconds(r["gpu_one_seconds"]),
                _seconds(r["cpu_every_seconds"]),
                _seconds(r["gpu_every_seconds"]),
                _seconds(r["holder_seconds_per_value"]),
                note,
            ]
        )
    header = [
        "primitive",
        "hashes/s, one CPU core (measured)",
        "hashes/s, one RTX 4090 (published)",
        "one record, CPU core",
        "one record, GPU",
        "every record, CPU core",
        "every record, GPU",
        "data holder, per value",
        "note",
    ]
    sources = sorted({r["gpu_source"] for r in rows if r["gpu_mode"] is not None})
    return [
        *lines,
        *_table(header, table),
        "",
        "- **Model.** No salt, or one salt or key released with the data: one enumeration recovers every record. A "
        "salt per record released beside it (bcrypt's is in every digest): one enumeration per record. A pepper or a "
        "kept HMAC key: the secret (2^128 salts, 2^256 keys) would have to be guessed for every number: infeasible, "
        "not a figure. A leaked HMAC key: like a released salt, at hashcat's HMAC-SHA256 (key = $salt) rate (the "
        "key is known, the number is the message; mode 1450, key = $pass, is 4333.9 MH/s). Phone + birth date: the "
        "space times the dates tried, 366 (the year of life a released age leaves) for one record, the dates of "
        "110 years (ages 0 to 109) where no age is released, and for every record the union of the years of life "
        "of the released ages (as much). A truncated digest costs what the full one does and is ambiguous.",
        "- **CPU.** The attacker's best implementation here: the compiled SHA-256 kernel of the hash reversal where "
        "it applies (SHA-256 of the number, plain or after one released salt), hashlib or the bcrypt package "
        "otherwise, one call per candidate. The data holder hashes each distinct value once with hashlib (bcrypt: "
        "each record); 'data holder, per value' is that cost.",
        "- **GPU.** hashcat's published rates on one RTX 4090 (slow hashes scaled by their work factor: PBKDF2 from "
        "999 iterations, bcrypt from cost 5, i.e. 32 rounds):",
        "",
        *[f"  - {source}" for source in sources],
        "",
    ]


SCENARIO_TARGETS = {  # issue 17: (seconds, peak MiB of the whole process tree) by the start of the point's name
    "ci_smoke": (15.0, None),
    "default, Wayanad": (60.0, None),
    "default, whole state": (20 * 60.0, 12 * 1024.0),
}


def _target(point: str) -> tuple[float | None, float | None]:
    return next((t for name, t in SCENARIO_TARGETS.items() if point.startswith(name)), (None, None))


def _measured_by(run: dict[str, Any]) -> str:
    """Which command measured a section, when, on what machine and at which commit."""
    meta = run.get("synth_bench", {})
    machine = meta.get("machine", {})
    commit = run.get("commit_info", {})
    dirty = " (with uncommitted changes)" if commit.get("dirty") else ""
    return (
        f"Measured by `{meta.get('command', 'unknown')}` on {run.get('datetime', 'unknown')}, "
        f"{machine.get('cpu', '?')} ({machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB), "
        f"commit {str(commit.get('id', 'unknown'))[:12]}{dirty}."
    )


# What got slower since the tables were last measured, and why (dropped when they are measured again)
SINCE_MEASURED = [
    (
        "Changed since these figures, and why (2026-12-07, stop 58): the tables above replace stop 57's (ba09f0a: "
        "ci_smoke 12.8 s, Wayanad 156.5 s, 4,292 MiB in all and 2,301 MiB in its largest process). The initials each "
        "roll entry supports are read a part of the roll at a time, and probabilistic linkage reads the roll of given "
        "names (what names learnt from caller-ID labels are compared with) once for an attack and its baseline, not "
        "once each: the whole state's as_exported cell took 9:01 at 11.7 GiB against 10:30 at 11.8, and drop_names' "
        "probabilistic linkage peaked at 12.05 GiB against 12.59 (README). Wayanad read 131.7 s against 156.5: "
        "probabilistic linkage 136.4 unit-seconds against 160.0, and the units this stop did not touch faster too "
        "(attribute inference 19.9 against 23.6, reconstruction 15.1 against 18.8): the machine, mostly. ci_smoke read "
        "14.0 s against 12.8, with units this stop did not touch slower (hash reversal 1.8 unit-seconds against 1.1, "
        "the policies' steps 3.2 against 2.8); by hand, alternated with the code before (40f9a87, its own tree; "
        "before, this, before, this; load 1.6 to 1.8), 14.15 and 13.53 s against 16.21 and 12.78 s, the same bytes "
        "(`d047c14de2272166`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 57): the tables above replace stop 56's (f7b687c: "
        "ci_smoke 12.2 s, Wayanad 134.5 s, 4,594 MiB in all and 2,334 MiB in its largest process). A cell's chain "
        "state now waits in its files while the attacks that never read it run (singling out, attribute inference, "
        "membership inference, reconstruction), and attribute inference's labels are categoricals: the whole state's "
        "as_exported cell peaked at 11.8 GiB against 13.4 (README). Wayanad read 156.5 s against 134.5, with every "
        "unit slower, those this stop did not touch too (the policies' steps 18.6 unit-seconds against 13.8, "
        "reconstruction 18.8 against 14.2, probabilistic linkage 160.0 against 143.5): the machine. Alternated in "
        "process with the code before (a517b7c, its own tree; before, this, before, this; load 1.8 to 2.7), Wayanad's"
        " default scenario took 3:13.97 and 3:04.41 against 3:10.95 and 3:22.58, the same bytes (`195aa7c2f1a31a22`);"
        " ci_smoke by hand 13.60 and 12.66 s against 17.46 and 12.73 s, the same bytes (`d047c14de2272166`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 56): the tables above replace stop 55's (690e5d6: "
        "ci_smoke 15.3 s as the run's first point, Wayanad 141.3 s, 4,772 MiB in all and 2,314 MiB in its largest "
        "process). The granted roll holds its house numbers, house names, relatives' names and types, and its places'"
        " names as enums (4 bytes an entry where a string view holds 16), and the initials each entry supports too: "
        "the context took 880 MiB against 949 on Wayanad, the whole state's as_exported cell peaked at 13.4 GiB "
        "against 16.5. Only the context reads slower on Wayanad (1.1 s against 0.9: the enums' categories are read as"
        " the roll is collected); ci_smoke ran at load 1.4, where stop 55's first point ran cold. At state scale the "
        "casts to the release's strings cost exact linkage about 4 s of 80 (README). The results are the same bytes "
        "(Wayanad `195aa7c2f1a31a22`, by `synth run`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 55): the tables above replace stop 54's (0f7f8bc: "
        "ci_smoke 15.4 s, Wayanad 144.8 s, 4,667 MiB in all and 2,374 MiB in its largest process). Hash reversal "
        "writes the plan's numbers a block's run at a time and before its timer (`NumberingPlan.numbers_between`): "
        "its units took 1.7 s against 2.8 s on ci_smoke and 5.3 unit-seconds against 6.6 on Wayanad, and the CPU "
        "rate it measures reads higher (the numbers' first writes had been timed with the hashing). ci_smoke was "
        "this run's first point: run alone right after, the benchmark read 13.4 and 12.8 s (load 2.4 and 2.1). The "
        "results are the same bytes (Wayanad `195aa7c2f1a31a22`, by `synth run`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 54): the tables above replace stop 53's (093b61b: "
        "ci_smoke 12.6 s, Wayanad 136.2 s, 4,477 MiB in all and 2,410 MiB in its largest process). Probabilistic "
        "linkage now scores the pairs its SQL blocks in the query that blocks them (`synth/attacks/pair_scores.py`); "
        "the same links. This run read slower on the whole: units this stop did not touch took 15% to 21% longer "
        "(attribute inference 22.3 unit-seconds against 19.4, reconstruction 16.3 against 13.9, singling out 14.7 "
        "against 12.1, the policies 15.0 against 12.9), where probabilistic linkage took 151.2 against 148.8 (1.6%). "
        "Alternated with the code before on the same machine, the default scenario in process took 2:48.61 against "
        "2:55.91, probabilistic linkage 89.2 unit-seconds against 94.3. A largest peak marked ≥ was sampled "
        "(`peak_rss_exact`, stop 53): the tables before had no such column. The results are the same bytes "
        "(Wayanad `195aa7c2f1a31a22`, by `synth run`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 53): the tables above replace stop 52's (5b43cf2: "
        "ci_smoke 16.3 s, Wayanad 155.2 s, 4,566 MiB in all and 2,543 MiB in its largest process). Exact linkage "
        "now pairs each released name with the roll's entries of its given name and other keys and keeps the pairs "
        "whose initials fit (`synth/attacks/fitting_matches.py`), instead of listing the roll once per subset of "
        "the initials each entry supports; the same links. On Wayanad its units took 13.0 unit-seconds against "
        "17.3. Most of the rest of the difference is the machine: units this stop did not touch read faster too "
        "(probabilistic linkage 148.8 unit-seconds against 165.7, reconstruction 13.9 against 17.8), and ci_smoke's "
        "12.6 s is one run where stop 52 read 15.9 to 22.3 s by hand. The results are the same bytes (Wayanad "
        "`195aa7c2f1a31a22`, by `synth run`)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 52): the tables above replace stop 50's (888e95f: "
        "ci_smoke 14.7 s, Wayanad 159.7 s, 4,830 MiB in all and 1,506 MiB in its largest process). A unit no longer "
        "resets its worker's high-water mark to measure its own peak (`synth/engine/meter.py`): the reset had made a "
        "worker's `ru_maxrss`, which the largest process's column reads, the peak since the worker's last unit began,"
        " not the worker's peak. So Wayanad's largest process reads 2,543 MiB, the peak of its probabilistic linkage "
        "in `whatif_age_drop` (before: 1,506 MiB, below the 2,467 MiB of that unit's own figure); the units' own "
        "peaks and the whole tree's (sampled every 0.2 s) are measured as before. ci_smoke read 16.3 s against 14.7: "
        "by hand, alternating the code before (775f911, its own tree) and this, a fresh world cache each, 15.9, 17.0 "
        "and 22.3 s against 16.4, 18.0 and 20.6 s (load 1.2 to 1.5), the same bytes; sampling a unit's memory every "
        "10 ms cost nothing measurable (a pure-Python loop, metered and not, 0.55 to 0.70 s both ways)."
    ),
    (
        "Changed since these figures, and why (2026-12-07, stop 50): stop 50's tables replaced stop 40's (d0a2400: "
        "ci_smoke 13.4 s, Wayanad 249.4 s, 4,277 MiB in all and 1,229 MiB in its largest process; 4 districts "
        "1,197.8 s and 9,738 MiB, not rerun). A scenario's Dask workers now reuse the memory they free for a while "
        "before giving it back (`REUSE_FREED_MEMORY` in `synth/engine/executors.py`), so a worker holds more: "
        "alternating with the code before (5adef1f, a worktree; new, before, new, before, load 1.59 to 3.37), "
        "Wayanad's largest process peaked at 1,506 and 1,528 MiB against 1,337 and 1,380, the whole tree at 4,830 "
        "and 4,728 MiB against 4,189 and 4,897 (sampled every 0.2 s). Wayanad took 159.7 and 184.5 s against 183.5 "
        "and 185.0 s: its units other than probabilistic linkage 119.3 and 134.0 unit-seconds against 160.5 and "
        "163.6 (the policies' steps 15.5 and 17.8 against 27.6 and 27.0, membership inference 6.7 and 8.2 against "
        "17.8 and 17.7), probabilistic linkage 172.1 and 210.8 against 177.4 and 178.9 (DuckDB's memory, which "
        "this does not touch: the second run's spread). ci_smoke runs in one process, which this does not touch: "
        "14.7 and 17.1 s against 19.4 and 19.0 s, run-to-run spread."
    ),
    (
        "Slower since these figures, and why (2026-12-05, stop 40): the tables above replace stop 39's (07fb075: "
        "ci_smoke 13.2 s, Wayanad 239.7 s and 4,640 MiB, 4 districts 1,132.1 s and 10,236 MiB). They were measured "
        "at d0a2400: the roll is held without the columns no attack reads, its initials are read once per name and "
        "set of letters, singling out's keys hold places as codes, and linkage inputs count namesakes once per key "
        "and set of initials; every result is the same. The peaks fell (4 districts 9,738 MiB, Wayanad 4,277 MiB) "
        "and singling out took 106.4 unit-seconds at 4 districts against 142.6. Slower: the 4-district run "
        "1,197.8 s against 1,132.1 (load 3.18 to 2.41, against 3.35 to 2.21), with reconstruction 212.1 "
        "unit-seconds against 160.6, utility 164.7 against 137.4, membership inference 62.1 against 49.3, "
        "attribute inference 260.6 against 245.9 and caller-ID lookup 74.2 against 68.7; Wayanad 249.4 s against "
        "239.7 (attribute inference 42.4 against 37.8, hash reversal 8.2 against 6.2). Measured alone with one "
        "worker, the code before first (the 4-district world, ward_tables and dp_counts_eps1 with every attack, "
        "load 0.15 to 1.67), this code took 154.9 s against 177.6 and reconstruction 133.1 unit-seconds against "
        "155.0, with the same results: the spread comes from which units overlap on two workers of a shared machine."
    ),
    (
        "Slower since these figures, and why (2026-12-05, stop 39): the tables above replace stop 38's (1b33f4f: "
        "ci_smoke 14.4 s, Wayanad 235.7 s, 4 districts 1,154.7 s and 13,894 MiB). Only singling out's counts with "
        "names changed: they are counted for the keys the release and its baseline print, not for every "
        "combination the population could print, the same counts. At 4 districts singling out took 142.6 "
        "unit-seconds against 235.6 and peaks at 3,704 MiB against 7,096; attribute inference, which ran next in "
        "the same worker and started with what singling out had not given back, at 3,516 MiB against 6,814; the "
        "run at 10,236 MiB against 13,894. Slower with code that did not change, so run-to-run spread on this "
        "shared machine: on Wayanad (load 2.43 to 3.35, against 1.82 to 3.35) probabilistic linkage 261.6 "
        "unit-seconds against 248.7, exact linkage 35.2 against 32.0 (peak 2,344 MiB against 2,152), "
        "reconstruction 26.0 against 22.1, attribute inference 37.8 against 36.6, and the whole run 239.7 s against "
        "235.7; at 4 districts reconstruction 160.6 against 144.5, the policies' steps 96.7 against 90.9, "
        "caller-ID lookup 68.7 against 65.0; ci_smoke's units moved by 0.4 s or less either way."
    ),
    (
        "Stop 38 (2026-12-05): its tables (1b33f4f) replaced one measured earlier "
        "the same day at commit 4bff327 (ci_smoke 14.2 s, Wayanad 251.9 s, 4 districts 1,144.6 s and 13,884 MiB), "
        "which replaced stop 37's (82bd44e: 17.7 s, 265.0 s, 1,276.5 s and 13,957 MiB). In between only memory "
        "changed: singling out's counts with names are expanded a run of local bodies at a time (2.6 GB alone at 4 "
        "districts, 6.1 GB before) and content keys stream frames into the hash; the results are the same bytes. "
        "At 4 districts probabilistic linkage took 992.2 unit-seconds against 926.6 and local_body_not_ward 404.0 "
        "against 392.4, with the same code: run-to-run spread on this shared machine (load 3.35 to 2.78, against "
        "3.34 to 2.81). The peak did not fall: singling out's unit still peaks at 7,096 MiB (7,113 before), so its "
        "counts with names, which the result store keeps after their first computation, do not set it."
    ),
    (
        "Slower since these figures, and why (2026-12-04, issue 21's name formats): `make run` (the default scenario on"
        " Wayanad) took 7 min 39 s against 4 min 34 s the day before on the same machine, peak 1.54 GiB against 1.43 "
        "GiB. Probabilistic linkage went from 291 s to 518 s of cell wall time: a registry and the roll write names in "
        "different formats, so a pair's names agree on the given name's key and initials that fit, not on the whole "
        "name, and the first blocking rule is the place and the given name's key (wider blocks than the whole name's); "
        "every pair down to a match probability of 10^-4 is scored so that a row's candidates compete. Singling out "
        "(103 s) and exact linkage (81 s, from 10) read each name as its given name and initials. Since 2026-12-05 "
        "(stop 33) probabilistic linkage reads each input once and singling out keeps its count of the people by "
        "written name for every policy that releases names: the scenario (world cached, 2 workers, alternating with "
        "the code before) took 398.6 and 421.6 s against 506.0 and 474.0 s (the units of the second pair: 769 "
        "worker-seconds against 864), the same results byte for byte."
    ),
    (
        "Slower since these figures, and why (2026-12-04, issue 21's households): in the profile of our generation "
        "on Wayanad, **households and family links** took 0.83 s against 0.47 s before the calibration (cProfile, "
        "one worker, the same machine, side by side): household sizes are calibrated to the district's, a linear "
        "program (HiGHS) per local body and two rounds of pairing who joins whom. Names are now written template by "
        "template over each format's own rows (render 1.20 s against 1.14 s before the name formats, which wrote "
        "every template over every row and took 1.59 s) and ids and phones reach Arrow without a copy, so a whole "
        "Wayanad build took 4.29-4.44 s against 3.93-3.96 s for the code before issue 21's name formats (commit "
        "0fd2335; three runs each, alternating, one worker): 9% slower for name formats and calibrated households "
        "together."
    ),
    (
        "Slower since these figures, and why (2026-12-04, issue 21's name formats): the composed run took 1 min 55 s "
        "against 59.2 s, peak 2,179 MiB against 1,587 (`synth run scenarios/kerala_2026_composed.toml --workers 2`, "
        "world built, load 1.03 before, 1.52 after). Each of its 120 exact linkages reads names across formats: the "
        "roll once per subset of the initials each entry supports, joined on the given name and initials. The roll's "
        "supported initials are now read once per source instead of once per linkage (3 min 20 s before that, the "
        "results identical)."
    ),
    (
        "Slower since these figures, and why (2026-12-05, issue 21's moves across districts): a world of two "
        "districts or more builds in two phases (every shard's tables with its roll staged, then every shard's roll"
        " with the entries of other districts listed at its households), and household sizes are calibrated (a "
        "linear program and two rounds of pairing per local body). Measured side by side in one run after the "
        "render's speed-ups of the same day (commit a6ff759, 2 workers, load 2.37 before, 2.45 after): the "
        "4-district build of the scale table took 21.1 s (twice) against 18.1-19.9 s for the code before issue 21 "
        "(commit 0fd2335) and 23.0-25.4 s before the speed-ups (commit 2a2180e): households, staging the roll and "
        "the wait between the phases. The whole state took 127.7 s against 125.9 s (0fd2335) and 155.9 s "
        "(2a2180e); Wayanad, one worker, 4.20-4.36 s against 4.18-4.63 s."
    ),
]


def scenario_costs_section(run: dict[str, Any]) -> list[str]:
    """The default scenario's time and memory at each point, against issue 17's targets, and where they go: by
    policy and by attack (from each run's own ``timings.parquet``)."""
    points = _extra(run, "scenario_costs")
    if not points:
        return ["No scenario-cost results in this run.", ""]
    rows = []
    for p in points:
        seconds, memory = _target(p["point"])
        met = [
            ok
            for ok in (
                None if seconds is None else p["seconds"] <= seconds,
                None if memory is None else p["peak_tree_rss_mb"] <= memory,
            )
            if ok is not None
        ]
        rows.append(
            [
                p["point"],
                _int(p["people"]),
                _num(p["seconds"], 1),
                "n/a" if seconds is None else _num(seconds, 0),
                _int(p["peak_tree_rss_mb"]),
                _int(p["peak_rss_mb"]),
                "n/a" if memory is None else _int(memory),
                _load(p),
                ("yes" if all(met) else "no") if met else "n/a",
            ]
        )
    header = [
        "point",
        "people",
        "seconds",
        "target s",
        "peak MiB, all processes",
        "peak MiB, largest process",
        "target MiB",
        "load (1/5/15 min) before → after",
        "met",
    ]
    lines = [_measured_by(run), "", *_table(header, rows), ""]
    for p in points:
        lines += [f"### Where the time goes: {p['point']}", "", *_cost_tables(p["costs"]), ""]
    lines.append(
        "Seconds are wall seconds in the worker that ran the unit (two workers run side by side, so the units add "
        "up to about twice the run's seconds); CPU seconds count every thread of the worker; the peak is the worker's "
        "largest resident memory while the unit ran (what the worker holds for every unit, the export and the roll, "
        "included): exact where the unit raised the worker's high-water mark, as the unit of a worker's peak always "
        "does, else sampled every 10 ms, a lower bound marked ≥ (`synth/engine/meter.py`; the mark is never reset, so "
        "the largest process's peak is the kernel's). `policy` is applying the policy, `context` building the "
        "export, the leak and the attacker's sources (once per worker)."
    )
    return [*lines, "", *SINCE_MEASURED, ""]


def _cost_tables(costs: list[dict[str, Any]]) -> list[str]:
    """By policy (the units summed, the peak the largest) and by attack (the policies summed)."""

    def grouped(key: str) -> list[list[str]]:
        totals: dict[str, list[float]] = {}
        exact: dict[str, bool] = {}
        for c in costs:
            t = totals.setdefault(c[key], [0.0, 0.0, 0.0])
            t[0] += c["wall_seconds"]
            t[1] += c["cpu_seconds"]
            peak, is_exact = c["peak_rss_bytes"] / 2**20, bool(c.get("peak_rss_exact", 1.0))
            if peak > t[2] or (peak == t[2] and is_exact):
                t[2], exact[c[key]] = peak, is_exact
        ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])

        def shown(name: str, peak: float) -> str:  # a sampled peak is a lower bound
            return _int(peak) if exact.get(name, True) else f"≥ {_int(peak)}"

        return [[name, _num(w, 1), _num(cpu, 1), shown(name, peak)] for name, (w, cpu, peak) in ranked]

    by_policy = _table(["policy", "seconds", "CPU seconds", "peak MiB"], grouped("policy"))
    by_attack = _table(["attack or unit", "seconds", "CPU seconds", "peak MiB"], grouped("attack"))
    return [*by_policy, "", *by_attack]


def blocking_section(run: dict[str, Any]) -> list[str]:
    """Probabilistic linkage's candidate pairs, the recall its blocking loses, and its pairs per second."""
    points = _extra(run, "blocking")
    if not points:
        return ["No blocking results in this run.", ""]
    rows = [
        [
            p["shape"],
            "; ".join(f"`{r}`" for r in p["rules"]),
            _int(p["release_rows"]),
            _int(p["roll_rows"]),
            _int(p["candidate_pairs"]),
            _int(p["true_pairs"]),
            f"{100 * p['recall_lost_to_blocking']:.2f}%",
            _int(p["pairs_per_second"]),
            f"{p['pairs_per_second'] / p['anchor_pairs_per_second']:.2f}",
        ]
        for p in points
    ]
    header = [
        "release",
        "blocking rules",
        "release rows",
        "roll rows",
        "candidate pairs",
        "true pairs",
        "recall lost to blocking",
        "pairs/s",
        "÷ anchor (8.3 M/s)",
    ]
    return [
        _measured_by(run),
        "",
        *_table(header, rows),
        "",
        "The anchor: Splink on DuckDB deduplicates about 7 million records (about 10^9 comparisons) in about 2 "
        "minutes on a cloud machine of many cores; ours is one process of the machine above, scoring every "
        "comparison level (the name's Jaro-Winkler included) with term frequencies.",
        "",
    ]


def search_costs_section(run: dict[str, Any]) -> list[str]:
    """The searched frontier's time and memory against its budget, with what the screen and the frontier cost per
    candidate (their units' wall seconds summed over both workers)."""
    points = _extra(run, "search_costs")
    if not points:
        return ["No search-cost results in this run.", ""]
    rows = [
        [
            p["point"],
            _int(p["candidates"]),
            _int(p["frontier"]),
            _num(p["seconds"], 1),
            _int(p["budget_seconds"]),
            _num(p["screen_unit_seconds"] / p["candidates"], 1),
            _num(p["frontier_unit_seconds"] / max(p["frontier"], 1), 1),
            _int(p["peak_tree_rss_mb"]),
            _load(p),
            "yes" if p["seconds"] <= p["budget_seconds"] else "no",
        ]
        for p in points
    ]
    header = [
        "point",
        "candidates",
        "frontier",
        "seconds",
        "budget s",
        "screen s a candidate",
        "every attack, s a frontier policy",
        "peak MiB, all processes",
        "load (1/5/15 min) before → after",
        "met",
    ]
    note = (
        "Seconds are the whole `synth run --workers 2` (the scenario's own policy, the screen and the frontier); "
        "the per-candidate figures sum the units' wall seconds over both workers."
    )
    return [_measured_by(run), "", *_table(header, rows), "", note, ""]


def reconstruction_costs_section(run: dict[str, Any]) -> list[str]:
    """Reconstruction of ward tables: the whole run's time and memory, and the attack's own seconds per ward."""
    points = _extra(run, "reconstruction_costs")
    if not points:
        return ["No reconstruction-cost results in this run.", ""]
    rows = [
        [
            p["point"],
            _int(p["wards"]),
            _num(p["seconds"], 1),
            _num(p["reconstruction_seconds"], 1),
            _num(1000 * p["reconstruction_seconds"] / p["wards"], 1),
            _int(p["peak_tree_rss_mb"]),
            _load(p),
        ]
        for p in points
    ]
    header = [
        "point",
        "wards",
        "seconds, whole run",
        "reconstruction s",
        "ms a ward",
        "peak MiB, all processes",
        "load (1/5/15 min) before → after",
    ]
    note = (
        "The whole run is `synth run --workers 2` of `ward_tables` with the reconstruction attack alone (release, "
        "tables, utility and attack); reconstruction's seconds are its unit's own: three integer programs a ward "
        "(the records, their uniqueness, the baseline's draw) and the attachment to the roll."
    )
    return [_measured_by(run), "", *_table(header, rows), "", note, ""]


def composed_costs_section(run: dict[str, Any]) -> list[str]:
    """Several releases at once: the whole run's time and memory, with its people and combinations."""
    points = _extra(run, "composed_costs")
    if not points:
        return ["No composed-scenario results in this run.", ""]
    rows = [
        [
            p["point"],
            _int(p["people"]),
            _int(p["combinations"]),
            _num(p["seconds"], 1),
            _int(p["peak_tree_rss_mb"]),
            _load(p),
        ]
        for p in points
    ]
    header = ["point", "people", "combinations", "seconds, whole run", "peak MiB, all processes", "load before → after"]
    note = (
        "The whole run is `synth run --workers 2` of `scenarios/kerala_2026_composed.toml` (the 2026 export with "
        "HMAC'd phones, the women's scheme's plain list, the 2020 quarantine list with masked phones, the vendor's "
        "send list): hash reversal, caller-ID lookup and exact linkage on each list, then every pair and all four "
        "linked and attacked again until a round teaches nothing new. One seed is one task, so the second worker "
        "idles."
    )
    return [_measured_by(run), "", *_table(header, rows), "", note, ""]


SECTIONS = {
    "blocking": ("Probabilistic linkage: blocking, recall lost to it, pairs per second", blocking_section),
    "hash_costs": ("The cost of every hash: one CPU core (measured), one GPU (published)", hash_costs_section),
    "scenario_costs": ("The default scenario: time and memory, and where they go", scenario_costs_section),
    "search_costs": ("The searched frontier: 64 candidate policies on Wayanad", search_costs_section),
    "reconstruction_costs": ("Reconstruction of published ward tables", reconstruction_costs_section),
    "composed_costs": ("Several releases at once: the four lists of kerala_2026_composed", composed_costs_section),
}


def replace_section(text: str, title: str, lines: Sequence[str]) -> str:
    """``text`` (a README) with the section headed ``## title`` replaced by ``lines`` (added before the protocol
    where it is not there yet)."""
    head = f"## {title}"
    out = text.splitlines()
    body = [head, "", *lines]
    if head in out:
        start = out.index(head)
        end = next((i for i in range(start + 1, len(out)) if out[i].startswith("## ")), len(out))
        out[start:end] = body
    else:
        protocol = "## How each figure is measured"
        at = out.index(protocol) if protocol in out else len(out)
        out[at:at] = body
    return "\n".join(out).rstrip() + "\n"


PROTOCOL = """\
- **Same fields.** Every generator makes one record per person with name, gender, age, district, ward (the
  state-wide ward code), phone and group (the person's registry, or none): see `benchmarks/generators.py`.
  Faker (`en_IN`) and mimesis draw every field through their own seeded random API, names and phones from their
  own providers (mimesis has no Indian locale: English names, an Indian phone mask); Kerala, which they do not
  know, is given to them as vocabularies: the 14 districts, the wards of each district (a ward is drawn from the
  drawn district's wards, so the peers never put a ward outside its district) and the 10 groups, each drawn
  uniformly, as a list is. indian-fakedata generates its own profile with `state = "Kerala"` (its whole profile,
  about a hundred fields: it has no way to make fewer); its ward and group are drawn from the same
  vocabularies. SDV's Gaussian copula is fitted, with the metadata SDV detects, on a seeded sample of 100,000 of
  our world's records and sampled.
- **Clocks.** Each generator runs in a process of its own (`python -m benchmarks.generators`); imports, the
  vocabularies and SDV's fit are outside the clock (SDV's fit time is in its notes), generation inside it. Ours
  is timed from the spec to the seven fields read back from the world's files: the build of every table and
  its Parquet files included. Peak memory is that process's `ru_maxrss`; "MiB added generating" is the rise
  during the clocked part (every process carries the benchmark's own imports, polars and numpy).
- **Realism.** Peers are held to the whole state's calibration (they are asked for Kerala); ours and SDV's
  output to the geography of our world. District shares are compared by total variation distance; rules are
  shares of the rows they apply to (men among women's-scheme rows, under-60s among old-age-pension rows, rows
  whose ward lies in another district).
- **Attacks.** A release of each size is the alleged export (phone, name, age, gender, district, taluk, ward,
  local body, registry) cut with a seeded sample from Wayanad's (10 thousand and 100 thousand rows) or four
  districts' (1 million rows); the attacker holds the electoral roll. Ours run over the whole release and are
  scored with exact counts; anonymeter 1.1.0 runs in its own environment (`.venv-anonymeter`: it pins numpy
  below 1.27 and pyarrow below 22) at its default 500 attacks, on the same data passed as Parquet files (see
  `benchmarks/anonymeter_runner.py` for how each evaluator is set up; its default singling-out search is
  capped at 50,000 candidate predicates instead of 10 million). Every draw is seeded, anonymeter's included.
- **Scale.** `synth world build` and `synth run` (the default scenario with its districts replaced), each
  measured as a command in a process of its own, with 2 workers.
"""


def merge(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One run out of several (their benchmarks together), keeping each run's date, command and settings."""
    first = runs[0]
    return {
        **first,
        "benchmarks": [b for run in runs for b in run["benchmarks"]],
        "runs": [
            {
                "datetime": run.get("datetime", "unknown"),
                "command": run.get("synth_bench", {}).get("command", "unknown"),
                "environment": run.get("synth_bench", {}).get("environment", {}),
                "kinds": sorted({b.get("extra_info", {}).get("kind", "other") for b in run["benchmarks"]}),
            }
            for run in runs
        ],
    }


def render(run: dict[str, Any], source: str) -> str:
    """The whole README for one run (or several, :func:`merge`)."""
    meta = run.get("synth_bench", {})
    machine, versions = meta.get("machine", {}), meta.get("versions", {})
    commit = run.get("commit_info", {})
    runs = run.get("runs") or [
        {
            "datetime": run.get("datetime", "unknown"),
            "command": meta.get("command", "unknown"),
            "environment": meta.get("environment", {}),
            "kinds": [],
        }
    ]
    described = []
    for r in runs:
        settings = ", ".join(f"{k}={v}" for k, v in r["environment"].items()) or "defaults"
        what = f" ({', '.join(r['kinds'])})" if len(runs) > 1 else ""
        described.append(f"- **Run{what}:** {r['datetime']}: `{r['command']}`; settings: {settings}")
    head = [
        "# Benchmarks: ours against the peers",
        "",
        f"<!-- Generated by `python -m benchmarks.report {source}`. Do not edit: rerun `make bench`, which runs "
        "the benchmarks and then writes this file. -->",
        "",
        *described,
        f"- **Machine:** {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory_gib', '?')} GiB memory, {machine.get('system', '?')}, "
        f"Python {machine.get('python', '?')}",
        f"- **Commit:** {commit.get('id', 'unknown')}{' (with uncommitted changes)' if commit.get('dirty') else ''}",
        "",
        *_table(["package", "version"], ([k, v] for k, v in versions.items())),
        "",
    ]
    generation, ratios = generation_section(run)
    body = [
        "## Targets of issue 6",
        "",
        *targets_section(run, ratios),
        "## Generation: persons per second, memory and realism",
        "",
        *generation,
        "## Attacks: ours over the whole release, anonymeter at its default 500 attacks",
        "",
        *attacks_section(run),
        "## Scale: generation and the default scenario by districts",
        "",
        *scale_section(run),
        f"## {SECTIONS['hash_costs'][0]}",
        "",
        *hash_costs_section(run),
        f"## {SECTIONS['blocking'][0]}",
        "",
        *blocking_section(run),
        f"## {SECTIONS['scenario_costs'][0]}",
        "",
        *scenario_costs_section(run),
        f"## {SECTIONS['search_costs'][0]}",
        "",
        *search_costs_section(run),
        f"## {SECTIONS['reconstruction_costs'][0]}",
        "",
        *reconstruction_costs_section(run),
        f"## {SECTIONS['composed_costs'][0]}",
        "",
        *composed_costs_section(run),
        "## How each figure is measured",
        "",
        PROTOCOL,
    ]
    return "\n".join(head + body).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.report RUN.json [RUN.json ...] [--out README.md]`` (standard output without --out), or
    ``... --section hash_costs --into README.md`` to regenerate one section of an existing README in place."""
    args = list(sys.argv[1:] if argv is None else argv)
    options: dict[str, str] = {}
    for flag in ("--out", "--section", "--into"):
        if flag in args:
            i = args.index(flag)
            options[flag], args = args[i + 1], args[:i] + args[i + 2 :]
    usage = (
        "usage: python -m benchmarks.report RUN.json [RUN.json ...] [--out README.md] "
        f"| [--section {'|'.join(SECTIONS)} --into README.md]"
    )
    if (
        not args
        or ("--section" in options) != ("--into" in options)
        or options.get("--section", "hash_costs") not in SECTIONS
    ):
        raise SystemExit(usage)
    runs = [json.loads(Path(a).read_text()) for a in args]
    run = runs[0] if len(runs) == 1 else merge(runs)
    if "--section" in options:
        title, section = SECTIONS[options["--section"]]
        readme = Path(options["--into"])
        # written whole or not at all: an interruption must not leave the README cut short
        atomic_bytes(readme, replace_section(readme.read_text(), title, section(run)).encode())
        return
    out = Path(options["--out"]) if "--out" in options else None
    text = render(run, " ".join(args))
    if out is not None:
        atomic_bytes(out, text.encode())
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
