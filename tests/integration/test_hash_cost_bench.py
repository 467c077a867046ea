"""The cost-of-every-hash benchmark at a tiny size, and the README section it writes (regenerated alone, in place)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.report import SECTIONS, hash_costs_section, main, render, replace_section
from benchmarks.test_hash_costs import HASHLIB, _hashlib_rate, _kernel_rate, figures
from synth.core.hash_costs import PRIMITIVE, PRIMITIVES

TITLE = SECTIONS["hash_costs"][0]


def _run() -> dict[str, object]:
    rows = [figures(p, 1e6, 5e5, "hashlib") for p in PRIMITIVES]
    return {"datetime": "2026-01-01", "benchmarks": [{"extra_info": r} for r in rows], "synth_bench": {"command": "x"}}


def test_rates_are_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("benchmarks.test_hash_costs.SECONDS", 0.01)
    calls, seconds = _hashlib_rate(HASHLIB["pbkdf2_1e4"])
    assert calls >= 3 and seconds >= 0.01
    hashed, kernel = _kernel_rate(b"")
    assert hashed >= 1 << 20 and hashed / kernel > 1e5  # the compiled kernel: millions a second


def test_the_section_reads_the_figures() -> None:
    lines = hash_costs_section(_run())
    table = "\n".join(lines)
    pbkdf2 = PRIMITIVE["pbkdf2_1e5"]
    assert (
        "| PBKDF2-HMAC-SHA-256, 10^5 iterations, one salt released | 1,000,000 (hashlib) | 88,568 (mode 10900) | "
        "1.1 hours | 12.5 hours | 1.1 hours | 12.5 hours | 2e-06 s |  |" in table
    )
    assert pbkdf2.seconds(pbkdf2.gpu_rate)[0] == pytest.approx(4e9 / 88_568.3, rel=1e-5)
    assert "| HMAC-SHA-256(key, phone), the key kept | 1,000,000 (hashlib) | none | infeasible | infeasible |" in table
    assert "32 bits kept: 1.93 numbers of the space per digest on average" in table
    assert "mode 1400 (SHA2-256): 21975.5 MH/s" in table
    row = figures(PRIMITIVE["pepper"], 1e6, 5e5, "hashlib")
    assert math.isnan(row["gpu_every_seconds"]) and row["holder_seconds_records"] == pytest.approx(1e7 / 5e5)
    assert f"## {TITLE}" in render(_run(), "run.json")


def test_one_section_is_regenerated_in_place(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\n## Scale\n\nrows\n\n## How each figure is measured\n\nprotocol\n")
    run = tmp_path / "run.json"
    run.write_text(json.dumps(_run()))
    main([str(run), "--section", "hash_costs", "--into", str(readme)])
    once = readme.read_text()
    assert once.index("## Scale") < once.index(f"## {TITLE}") < once.index("## How each figure is measured")
    main([str(run), "--section", "hash_costs", "--into", str(readme)])
    assert readme.read_text() == once  # replaced, not added twice
    assert replace_section(once, TITLE, ["new"]).count(f"## {TITLE}\n\nnew\n## How each") == 1


def test_an_interrupted_regeneration_leaves_the_readme_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\n## How each figure is measured\n\nprotocol\n")
    run = tmp_path / "run.json"
    run.write_text(json.dumps(_run()))

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main([str(run), "--section", "hash_costs", "--into", str(readme)])
    assert readme.read_text() == "# Benchmarks\n\n## How each figure is measured\n\nprotocol\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "run.json"]  # no temporary left behind
