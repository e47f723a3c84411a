"""``sispam-sim schema``: the JSON Schema of scenario format v1, for editors."""

from __future__ import annotations

import json

from sispam_sim.cli.app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario format v1 (for yaml-language-server and other editors)."""
    from sispam_sim.scenario.jsonschema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
