"""The JSON Schema of scenario formats 1 and 1.1, generated from the pydantic models.

Editors (through yaml-language-server) use it for completion and checks while a
planner types; ``sispam-sim validate`` remains the authority (cross-references,
feasibility and load are beyond what a JSON Schema can say).
"""

from __future__ import annotations

from sispam_sim import __version__
from sispam_sim.scenario.schema import Scenario

SCHEMA_ID = "https://sispam-sim.invalid/schema/scenario-v1.json"


def scenario_json_schema() -> dict:
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Deep-merge this file over another scenario file (path relative to this file)",
    }
    # A file that extends another is complete only once merged: require the keys only without extends.
    required = schema.pop("required", [])
    schema["if"] = {"required": ["extends"]}
    schema["else"] = {"required": required}
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sispam-sim scenario, format 1 and 1.1",
        "description": f"Scenario file for sispam-sim {__version__} (sispam-sim validate is the authority)",
        **schema,
    }
