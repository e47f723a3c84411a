"""Golden results of the example scenarios: any change in what they produce shows up here.

Each example in ``scenarios/`` is run through ``sispam-sim run FILE -r 5 --out DIR`` with
the scenario's own seed. The ``results.json`` document, minus what depends on the
machine (``scenario.file``, ``manifest.command``, ``manifest.python``,
``manifest.sispam_sim``) and with floats rounded to 6 decimals, must equal
``expected/<name>.json``; ``incidents.csv`` and ``timeline.csv`` must be byte-identical
to the run that wrote ``expected/<name>.files.json`` (row count and sha256).

A failure means the numbers changed. If that is a bug (e.g. an optimisation that was
meant to keep outputs identical), fix the code. If the change is intended (a model
change, a scenario edit), regenerate and review the diff before committing it:

    python -m tests.golden.regenerate                          # from the repository root
    SISPAM_REGENERATE_GOLDEN=1 python -m pytest tests/golden   # the same thing
    git diff tests/golden/expected                             # then explain why in the commit

Regenerating rewrites the expected files and skips the comparisons (the skip says so).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from sispam_sim.runner.pipeline import STATISTICS_METHOD

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
EXPECTED = Path(__file__).resolve().parent / "expected"
EXAMPLES = ("rapid-response", "station-disruption", "crowd-buildup", "jember-pilkada-2024")
REPLICATIONS = 5
DECIMALS = 6
#: Two floats equal to 6 decimals may still round to neighbours (a value on a rounding
#: boundary, or a last-bit difference of a platform's libm): allow one unit in the 6th place.
FLOAT_TOLERANCE = 1.5 * 10 ** -DECIMALS
REGENERATE = os.environ.get("SISPAM_REGENERATE_GOLDEN", "") not in ("", "0")
#: Fields that depend on where and how the run was made, not on what it computed.
MACHINE_DEPENDENT = {"scenario": ("file",), "manifest": ("command", "python", "sispam_sim", "numpy", "simpy")}


def normalise(value: Any) -> Any:
    """Floats rounded to 6 decimals (and -0.0 made 0.0), recursively; everything else kept."""
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def golden_document(results: dict) -> dict:
    doc = {section: dict(body) if isinstance(body, dict) else body for section, body in results.items()}
    for section, keys in MACHINE_DEPENDENT.items():
        for key in keys:
            doc[section].pop(key, None)
    # Input files are named as given on the command line; their digests are what matters.
    doc["scenario"]["inputs"] = [entry["sha256"] for entry in doc["scenario"].get("inputs", [])]
    return normalise(doc)


def file_digest(path: Path) -> dict:
    data = path.read_bytes()
    return {"rows": data.count(b"\n") - 1, "sha256": hashlib.sha256(data).hexdigest()}


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place where ``actual`` differs from ``expected`` (floats within FLOAT_TOLERANCE)."""
    def is_number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if is_number(expected) and is_number(actual):
        if math.isclose(expected, actual, rel_tol=0.0, abs_tol=FLOAT_TOLERANCE):
            return []
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    if type(expected) is not type(actual):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, dict):
        found = []
        for key in expected.keys() | actual.keys():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            elif key not in expected:
                found.append(f"{path}.{key}: unexpected (value {actual[key]!r})")
            else:
                found.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        if not found and list(expected) != list(actual):
            found.append(f"{path}: keys in another order: expected {list(expected)}, got {list(actual)}")
        return sorted(found)
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


HOW_TO_REGENERATE = ("if the change is intended, regenerate with `python -m tests.golden.regenerate` "
                     "and review `git diff tests/golden/expected`")


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_results_are_unchanged(cli, tmp_path, name):
    out = tmp_path / "out"
    result = cli("run", SCENARIOS / f"{name}.yaml", "-r", str(REPLICATIONS), "--out", out, "--format", "json")
    assert result.code == 0, result.err
    raw = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert raw == json.loads(result.out)
    actual = golden_document(raw)
    digests = {f: file_digest(out / f) for f in ("incidents.csv", "timeline.csv", "events.csv")}
    results_file, files_file = EXPECTED / f"{name}.json", EXPECTED / f"{name}.files.json"

    if REGENERATE:
        write_json(results_file, actual)
        write_json(files_file, digests)
        pytest.skip(f"regenerated {results_file.relative_to(REPO)} and {files_file.relative_to(REPO)}")

    assert results_file.exists(), f"no golden file {results_file}: run `python -m tests.golden.regenerate`"
    expected = json.loads(results_file.read_text(encoding="utf-8"))
    found = differences(expected, actual)
    assert not found, (f"{name}: results.json differs from {results_file.name} in {len(found)} place(s):\n  "
                       + "\n  ".join(found[:25]) + f"\n{HOW_TO_REGENERATE}")
    expected_files = json.loads(files_file.read_text(encoding="utf-8"))
    assert digests == expected_files, (f"{name}: incidents.csv / timeline.csv changed although results.json "
                                       f"did not (row order, unit ids, timeline points?); {HOW_TO_REGENERATE}")


def test_expected_files_match_the_examples():
    if REGENERATE:
        pytest.skip("regenerating")
    names = {p.name for p in EXPECTED.glob("*.json")}
    assert names == {f"{n}.json" for n in EXAMPLES} | {f"{n}.files.json" for n in EXAMPLES}


def test_golden_documents_keep_the_contract_shape():
    """The stored documents themselves follow the output contract (guards a bad regeneration)."""
    for name in EXAMPLES:
        path = EXPECTED / f"{name}.json"
        if not path.exists():
            pytest.skip(f"{path} not generated yet")
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert list(doc) == ["scenario", "manifest", "metrics", "units", "targets", "findings", "slowest", "files"]
        # each CSV's rows and sha256, recorded while streaming: the same as the bytes the golden run wrote
        assert doc["files"] == json.loads(
            (EXPECTED / f"{name}.files.json").read_text(encoding="utf-8"))
        assert doc["scenario"]["sha256"] == hashlib.sha256((SCENARIOS / f"{name}.yaml").read_bytes()).hexdigest(), (
            f"scenarios/{name}.yaml changed since {path.name} was generated; {HOW_TO_REGENERATE}")
        assert doc["manifest"] == {"seed": doc["manifest"]["seed"], "replications": REPLICATIONS,
                                   "executor": "serial", "workers": 1, "statistics": STATISTICS_METHOD}
        assert doc["metrics"]["all"]["response_time"]["n"] >= 1
        assert doc["targets"], f"{name} has no targets"


def test_every_example_and_plan_validates_without_warnings(cli):
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "plans").glob("*.yaml"))
    assert len(files) >= 5
    result = cli("validate", *files)
    assert result.code == 0
    assert result.out == ""
    *sizes, summary = result.err.splitlines()
    assert summary == f"{len(files)} file(s) checked: valid (0 error(s), 0 warning(s))"
    assert [line.split(": info: run size: ")[0] for line in sizes] == [str(f) for f in files]
    strict = cli("validate", "--strict", *files)
    assert strict.code == 0
