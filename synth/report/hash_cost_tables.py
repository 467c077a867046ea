"""The report's tables of the cost of every hash: the scenario's hashed policies as measured in the run, and every
primitive a data holder might choose, projected to one GPU."""

from __future__ import annotations

import math
from html import escape

from synth.core import hash_costs
from synth.report.figures import HASH, Figures, num


def hash_costs_section(fig: Figures, policies: list[str]) -> str:
    """Time to reverse a hashed phone: the scenario's hashed policies as measured in this run, then every primitive a
    data holder might choose, projected to one GPU. Shown always: the choice of a hash is made before a scenario
    compares a few of them (see :mod:`synth.core.hash_costs` for the model and the sources)."""

    def took(policy: str, measure: str) -> str:
        value = fig.get(policy, HASH, measure)
        return hash_costs.duration(math.nan if value is None else value)

    rows = []
    for policy in policies:
        digests = fig.get(policy, HASH, "rows")
        if digests is None:
            continue
        head = (
            f"<tr><td>{escape(policy)}</td><td class='num'>{num(fig.get(policy, HASH, 'correct'))} of {num(digests)}"
            f"</td><td class='num'>{num(fig.get(policy, HASH, 'hashes_per_second'))}</td>"
        )
        if fig.get(policy, HASH, "reversible") == 0:
            rows.append(
                f"{head}<td colspan='6'>infeasible: the digests need a secret the release does not hold</td></tr>"
            )
            continue
        counts = [fig.get(policy, HASH, m) for m in ("gpu_hashes_per_second", "birth_dates", "enumerations")]
        times = [
            took(policy, m) for m in ("real_space_cpu_core_seconds", "real_space_gpu_seconds", "per_record_gpu_seconds")
        ]
        rows.append(head + "".join(f"<td class='num'>{v}</td>" for v in [*map(num, counts), *times]) + "</tr>")
    measured = (
        "<table><tr><th>policy</th><th>digests recovered</th><th>hashes/s, one CPU core (measured)</th>"
        "<th>hashes/s, one GPU (published)</th><th>birth dates per number</th><th>enumerations</th>"
        "<th>every digest, one CPU core</th><th>every digest, one GPU</th><th>one record, one GPU</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No policy of this scenario released hashed phone numbers.</p>"
    )
    space, records = hash_costs.REAL_MOBILE_SPACE, hash_costs.RECORDS
    reference = []
    for p in hash_costs.PRIMITIVES:
        one, every = p.seconds(p.gpu_rate, space, records)
        note = p.infeasible or (
            f"ambiguous: {p.ambiguity(space):.2f} numbers per digest on average" if p.truncated_bits else ""
        )
        reference.append(
            f"<tr><td>{escape(p.label)}</td><td class='num'>{num(p.gpu_rate) if p.reversible else 'none'}</td>"
            f"<td class='num'>{hash_costs.duration(one)}</td><td class='num'>{hash_costs.duration(every)}</td>"
            f"<td>{escape(note)}</td><td>{p.gpu.mode if p.gpu else ''}</td></tr>"
        )
    sources = sorted({p.gpu.source for p in hash_costs.PRIMITIVES if p.gpu is not None})
    return (
        '<p class="note">Time to recover hashed phone numbers by enumerating every number they can be (the '
        f"{space:,.0f} Indian mobile numbers; worst case, half that on average): on one CPU core at the rate "
        "measured in this run for each policy's own primitive, and on one GPU at hashcat's published RTX 4090 rate. "
        "A salt per record multiplies the work by the records; a birth date hashed with the phone multiplies it by "
        "the birth dates tried: the 366 of the year of life a released age leaves for one record, the dates of "
        f"{hash_costs.DOB_YEARS} years (or of the released ages' years of life) for every record.</p>"
        + measured
        + f"<h3>Every primitive, one GPU, {space:,.0f} numbers, {records:,.0f} records</h3>"
        '<p class="note">Projected from the published rates below (the CPU rate of each primitive is measured by '
        '<code>make bench</code>: benchmarks/README.md). "Infeasible": the secret must be guessed for every '
        "number.</p>"
        "<table><tr><th>primitive</th><th>hashes/s, one GPU</th><th>one record</th><th>every record</th>"
        "<th>note</th><th>hashcat mode</th></tr>" + "".join(reference) + "</table>"
        '<ul class="note">' + "".join(f"<li>{escape(s)}</li>" for s in sources) + "</ul>"
    )
