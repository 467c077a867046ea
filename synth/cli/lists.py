"""``synth list presets | policies | attacks | measures``: what the package ships, by stable id."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from synth.cli.common import out

list_app = typer.Typer(
    no_args_is_help=True,
    help="List what is available: calibration presets, policies, attacks and measures (--json for scripts).",
)


@list_app.command("presets")
def list_presets(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Calibration presets shipped with the package."""
    from synth.world.preset import available_presets, load_preset

    rows = []
    for name in available_presets():
        p = load_preset(name)
        rows.append(
            {
                "name": name,
                "description": p.params["preset"].get("description", ""),
                "population": p.params["preset"]["state_population"],
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"[bold]{r['name']}[/]  {r['description']} ({r['population']:,} people)")


@list_app.command("policies")
def list_policies(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Minimization policies shipped with the package (stable ids for CI gates)."""
    from synth.policies.library import load_policy, policy_ids

    rows = []
    for pid in policy_ids():
        p = load_policy(pid)
        rows.append({"id": pid, "description": p.description, "steps": [s.step for s in p.steps]})
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"[bold]{r['id']:<22}[/] {r['description']}", highlight=False)


@list_app.command("attacks")
def list_attacks(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Attacks by stable id, in the order a chain runs them: the sources each needs, the facts it reads from
    and adds to the attacker's knowledge, and its parameters with their defaults; then the attacks a scenario of
    several releases runs across them (``across_releases`` in the JSON)."""
    from synth.attacks.registry import ACROSS_RELEASES, ATTACKS, run_order

    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "sources": list(a.sources),
            "reads": list(a.reads),
            "adds": list(a.adds),
            "params": a.defaults(),
            "summary": a.summary,
        }
        for a in (ATTACKS[i] for i in run_order(ATTACKS))
    ]
    across = [{"id": i, "summary": summary, "across_releases": True} for i, summary in ACROSS_RELEASES.items()]
    if as_json:
        print(json.dumps(rows + across, indent=2))
        return
    for r in rows:
        needs = f" (needs {', '.join(r['sources'])})" if r["sources"] else ""
        params = ", ".join(f"{k} = {v!r}" for k, v in r["params"].items())
        out.print(f"[bold]{r['id']:<22}[/] {r['summary']}{needs}", highlight=False)
        if params:
            out.print(f"{'':<23}parameters: {params}", highlight=False)
    out.print("Across releases (a scenario of [[releases]] runs them on its releases):", highlight=False)
    for r in across:
        out.print(f"[bold]{r['id']:<22}[/] {r['summary']}", highlight=False)


@list_app.command("measures")
def list_measures(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every measure's stable name and meaning (the names results files and CI thresholds use)."""
    from synth.measure.names import MEASURES

    if as_json:
        print(json.dumps([{"measure": k, "meaning": v} for k, v in MEASURES.items()], indent=2))
        return
    for name, meaning in MEASURES.items():
        out.print(f"[bold]{name:<32}[/] {meaning}", highlight=False)
