"""Scenarios: a TOML file in, a tidy results table, a report and an exit status out."""

from synth.scenario.spec import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = ["Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]
