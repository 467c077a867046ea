"""The report's summary: one plain sentence per policy (who can be re-identified, contacted and profiled, what
hash reversal recovers, who is singled out, and what the policy keeps of each purpose)."""

from __future__ import annotations

from html import escape

from synth.measure.names import (
    HEADLINE,
    LINKAGE,
    PURPOSE_MEASURE,
    REACH,
    RECONSTRUCTION,
    SINGLING_OUT,
    reconstruction_sentence,
)
from synth.report.figures import HASH, PROBABILISTIC, Figures, notes_by_attack, num, pct


def policy_sentence(fig: Figures, policy: str, notes: list[str]) -> str:
    released = fig.get(policy, REACH, "people_released") or fig.get(policy, "utility", "outreach_people_released")
    parts = [f"<b>{escape(policy)}</b>: "]
    link = fig.linkage(policy)
    if link is not None:
        attack, correct, recall = link
        precision = fig.get(policy, attack, "precision")
        groups = _by_group(fig, policy, attack, "recall")
        best = fig.best_chain(policy, attack)
        how = (
            f"by any chain of attacks (most by {escape(best[0].replace('>', ' then ').replace('_', ' '))}: "
            f"{num(best[1])})"
            if attack == HEADLINE and best
            else f"by {attack.replace('_', ' ')}"
        )
        guesses = fig.get(policy, attack, "guesses")
        right = (
            ", and links no row at all (so no precision to give)"
            if guesses == 0
            else f", with {pct(precision)} of the rows it links right"
        )
        parts.append(
            f"the strongest attacker re-identifies {num(correct)} released rows ({pct(recall)} of them{groups}) "
            f"{how}{right}"
        )
        said = notes_by_attack(notes, policy)
        bounds = [f"{a.replace('_', ' ')} {m}" for a in LINKAGE for m in said.get(a, []) if "lower bound" in m]
        if bounds:
            parts.append(f" (a lower bound: {escape('; '.join(bounds))})")
        # a linkage attack of the scenario that did not run is not a 0: say why beside the figure it leaves out
        skipped = [
            f"{a.replace('_', ' ')}: {m.removeprefix(f'attack {a!r}: ')}"
            for a in LINKAGE
            if fig.get(policy, a, "correct") is None
            for m in said.get(a, [])
        ]
        if skipped:
            parts.append(f" (did not run: {escape('; '.join(skipped))})")
        parts.append(_at_precision(fig, policy))
    elif rebuilt := reconstruction_sentence(lambda m: fig.get(policy, RECONSTRUCTION, m)):
        attached = fig.get(policy, RECONSTRUCTION, "attached_recall")
        claims_right = fig.get(policy, RECONSTRUCTION, "attached_precision")
        chance = fig.get(policy, RECONSTRUCTION, "attached_baseline")
        parts.append(f"the release holds no rows of people, but {rebuilt}")
        if attached is not None and claims_right is not None:
            parts.append(
                f"; matched to the electoral roll, they attach the right registry to a named voter for "
                f"{pct(attached)} of the release's memberships, {pct(claims_right)} of the claims right"
                + ("" if chance is None else f" (from records drawn at random from the margins: {pct(chance)})")
            )
    else:
        parts.append("no released row can be linked to a named person (the release holds no rows of people)")
    contact, fraud = fig.get(policy, REACH, "contactable"), fig.get(policy, REACH, "fraud_ready")
    if contact is not None:
        share = f" ({pct(contact / released)})" if released else ""
        parts.append(
            f"; {num(contact)} people can be phoned{share} and {num(fraud)} vulnerable people profiled"
            f"{_by_group(fig, policy, REACH, 'fraud_ready', ' (rows ready for fraud: ')}"
        )
    recovered = fig.get(policy, HASH, "correct")
    if recovered is not None:
        cands, plan = fig.get(policy, HASH, "candidates"), fig.get(policy, HASH, "plan_size")
        core, gpu = (
            fig.get(policy, HASH, "real_space_cpu_core_seconds"),
            fig.get(policy, HASH, "real_space_gpu_seconds"),
        )
        part = (
            f" in a slice of {num(cands)} of the plan's {num(plan)} numbers "
            "(a lower bound: the whole plan recovers more)"
            if cands and plan and cands < plan
            else f" over the whole plan of {num(plan)} numbers (exactly what hashing every number recovers)"
        )
        cost = (
            f"; the real mobile space takes {core / 3600:,.1f} core-hours, {gpu:,.1f} s on one GPU"
            if core and gpu and recovered
            else f"; enumerating the real mobile space ({core / 3600:,.1f} core-hours, {gpu:,.1f} s on one GPU) "
            "recovers none of them"
            if core and gpu
            else ""
        )
        parts.append(
            f"; hash reversal recovered {num(recovered)} phone numbers "
            f"({pct(fig.get(policy, HASH, 'recall'))} of the digests){part}{cost}"
        )
    unique = fig.get(policy, SINGLING_OUT, "unique_in_population")
    named = fig.get(policy, SINGLING_OUT, "with_names_unique_in_population")
    if named is not None:
        parts.append(
            f"; {pct(named)} of rows single out one person in the whole population "
            f"({pct(unique)} on age, sex and place alone)"
        )
    elif unique is not None:
        parts.append(f"; {pct(unique)} of rows single out one person in the whole population")
    keeps = []
    for purpose, (measure, _) in PURPOSE_MEASURE.items():
        v = fig.get(policy, "utility", measure)
        if v is not None:
            keeps.append(f"{purpose.replace('_', ' ')} {pct(v)}")
    baseline = fig.get(policy, "utility", "research_baseline")
    accuracy = fig.get(policy, "utility", "research_accuracy")
    if keeps and accuracy is not None and baseline is not None and accuracy <= baseline:
        keeps[-1] += ", no better than always guessing the majority class"
    ceiling = fig.get(policy, "utility", "research_ceiling")
    if keeps:
        extra = (
            f" (the original release gives {pct(ceiling)})" if ceiling is not None and "research" in keeps[-1] else ""
        )
        parts.append(f". It keeps: {', '.join(keeps)}{extra}.")
    else:
        parts.append(". It keeps none of the measured purposes.")
    return "".join(parts)


def _at_precision(fig: Figures, policy: str) -> str:
    """``; an attacker who sets probabilistic linkage's threshold for 90% precision links ...``, where measured."""
    at = {level: fig.get(policy, PROBABILISTIC, f"recall_at_precision_{level}") for level in (90, 95, 99)}
    if at[90] is None:
        return ""
    return (
        f"; an attacker who sets probabilistic linkage's threshold for 90% of its links right links {pct(at[90])} "
        f"of the rows by it alone ({pct(at[95])} at 95%, {pct(at[99])} at 99%; "
        f"{pct(fig.get(policy, PROBABILISTIC, 'recall'))} at the scenario's threshold)"
    )


def _by_group(fig: Figures, policy: str, attack: str, measure: str, lead: str = ": ") -> str:
    """``: employees 80%, pensioners 85%, ...``, the share of each registry group's rows, if broken down."""
    shares = [
        f"{g.split('=', 1)[1].replace('_', ' ')} {pct(v)}"
        for g in fig.groups(attack, "registry")
        if (v := fig.get(policy, attack, measure, g)) is not None
    ]
    if not shares:
        return ""
    return f"{lead}{', '.join(shares)}" + (")" if lead.startswith(" (") else "")
