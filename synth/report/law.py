"""The law, concretely (not legal advice): for each policy, which safeguard it is in the words of the DPDP Rules
2025, what it measurably achieves in this world, the two questions EU guidance asks of pseudonymised data
(Article 29 Working Party, Opinion 05/2014: can a person be singled out, can records be linked), and what a
breach of it would have to be intimated (Rule 7)."""

from __future__ import annotations

from html import escape
from typing import Any

from synth.measure.decision import Decision, Figure, Ranked
from synth.measure.names import SINGLING_OUT
from synth.report.figures import Figures, pct

INTIMATION = {
    "rows": "personal data: a breach is intimated to the Board and to each person affected without delay, and "
    "reported in detail to the Board within 72 hours",
    "synthetic": "personal data if the synthetic rows disclose who was in the source (membership inference above): "
    "then the same duty as for rows",
    "counts": "personal data if people can be reconstructed from the counts (the reconstruction attack, where the "
    "scenario runs it, says how many records the tables give away): then the same duty as for rows",
    "nothing": "nothing leaves the controller: there is no recipient whose breach would need intimating",
}


def law_section(decision: Decision, fig: Figures, resolved: dict[str, Any]) -> str:
    """The table of the section and its two lines of context."""
    safeguards = {p["id"]: p.get("safeguards", []) for p in resolved.get("policies", [])}
    rows = "".join(_row(r, fig, safeguards.get(r.policy, [])) for r in decision.ranking)
    return (
        '<p class="note">Not legal advice. The DPDP Act 2023 asks for purpose limitation and consent (sections 4 to '
        "6), data minimisation (section 6(1): only the personal data necessary for the purpose) and reasonable "
        "security safeguards (section 8(5)); Rule 6(1)(a) of the DPDP Rules 2025 names encryption, obfuscation, "
        "masking and virtual tokens; Rule 7 sets the breach intimation. EU guidance on pseudonymised data asks "
        "whether a person can be singled out and whether records can be linked: answered here with this run's "
        "figures.</p>"
        '<table class="rank" id="law"><tr><th>policy</th><th>what it is</th><th>what it achieves here</th>'
        "<th>can a person be singled out?</th><th>can records be linked?</th><th>if it leaks</th></tr>"
        f"{rows}</table>"
    )


def _row(r: Ranked, fig: Figures, safeguards: list[str]) -> str:
    what = "; ".join(dict.fromkeys(safeguards)) or "no safeguard: the release as exported"
    cells = [
        f"<td><b>{escape(r.policy)}</b></td>",
        f"<td>{escape(what)}</td>",
        f"<td>{escape(_achieves(r))}</td>",
        f"<td>{escape(_singled_out(r, fig))}</td>",
        f"<td>{escape(_linked(r.exposure))}</td>",
        f"<td>{escape(INTIMATION.get(r.releases, INTIMATION['rows']))}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _achieves(r: Ranked) -> str:
    if r.exposure.value is None:
        return f"re-identification not measured ({r.exposure.reason})"
    parts = [f"{pct(r.exposure.value)} of released rows re-identified"]
    if r.contactable.value is not None:
        parts.append(f"{pct(r.contactable.value)} of the people released can be phoned")
    kept = [f"{p.replace('_', ' ')} {pct(f.value)}" for p, f in r.keeps.items() if f.value is not None]
    if kept:
        parts.append(f"it keeps {', '.join(kept)}")
    return "; ".join(parts)


def _singled_out(r: Ranked, fig: Figures) -> str:
    if r.releases == "nothing":
        return "no: nothing is released"
    named = fig.get(r.policy, SINGLING_OUT, "with_names_unique_in_population")
    unique = fig.get(r.policy, SINGLING_OUT, "unique_in_population")
    share = named if named is not None else unique
    if share is None:
        return "not measured"
    if share == 0:
        return "no row singles out one person"
    return f"yes: {pct(share)} of rows single out one person in the whole population"


def _linked(exposure: Figure) -> str:
    if exposure.value is None:
        return f"not measured ({exposure.reason})"
    if exposure.value == 0:
        return "no row was linked to the right named voter" + (" (a lower bound)" if exposure.lower_bound else "")
    bound = ", at least" if exposure.lower_bound else ""
    return f"yes{bound}: {pct(exposure.value)} of rows linked to the right named voter ({exposure.source})"
