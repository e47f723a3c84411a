"""Load a scenario file: YAML -> schema -> cross-checks -> a :class:`LoadedScenario`.

This is the only entry point the rest of the program uses; everything a user wrote is
checked here, and all problems are raised together as one :class:`ScenarioError`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from sispam_sim.errors import OVERRIDE_FILE, Problem, ScenarioError
from sispam_sim.scenario.schema import Scenario
from sispam_sim.scenario.sites import Site, Unit
from sispam_sim.scenario.size import RunSize

from sispam_sim.scenario.yamlio import Position


@dataclass(frozen=True)
class TravelMatrix:
    """Minutes between place ids (rows = from), read from ``map.travel.matrix``."""

    ids: tuple[str, ...]
    minutes: np.ndarray  # shape (len(ids), len(ids)); NaN where the CSV left a cell empty

    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with everything expanded: what the engine consumes."""

    spec: Scenario
    file: str
    sha256: str
    sites: tuple[Site, ...]
    units: tuple[Unit, ...]
    matrix: TravelMatrix | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    #: every file the scenario was built from (the file, its extends bases, sites file, travel
    #: matrix) with the SHA-256 of its bytes: what a result can be traced back to
    inputs: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: expected incidents per replication and the scenario's replications (``size.with_replications(r)``)
    size: RunSize | None = None
    #: where each target's limit was written (``TargetSpec.path`` -> file, line, col; the file is
    #: the ``extends`` base when the limit comes from there), so ``check`` can point at it
    target_positions: dict[tuple, Position] = field(default_factory=dict)
    #: the ``--set KEY.PATH=VALUE`` overrides applied to the file's data, as written, in order
    #: (``sha256`` and ``inputs`` are the files' digests; these say what was changed on top)
    overrides: tuple[str, ...] = ()
    #: format 1.1 ``map.boundaries``: the districts' shapes read from the GeoJSON file, for the report's
    #: map (:class:`~sispam_sim.scenario.boundaries.Boundaries`); None without the key
    boundaries: Any = None


def load_scenario(path: str | os.PathLike, *, with_warnings: bool = True, seed: int | None = None,
                  allow_outside: bool = False, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Read, validate and expand a scenario file; raise :class:`ScenarioError` with every problem.

    ``seed`` replaces the file's seed before the whole-scenario checks, so that they check
    the sites that seed generates (``run --seed``). Files the scenario names (``extends``,
    sites file, travel matrix) must lie inside its folder tree or the current one, after
    symlinks are resolved, unless ``allow_outside`` (``--allow-outside``). ``overrides``
    (``--set KEY.PATH=VALUE``, :mod:`~sispam_sim.scenario.overrides`) change the data after
    ``extends`` is merged and before it is checked; a problem they cause is located at the
    override.
    """
    from sispam_sim.scenario.overrides import apply_overrides, parse_overrides
    from sispam_sim.scenario.yamlio import load_document

    problems = []
    try:
        parsed = parse_overrides(overrides)
    except ScenarioError as err:
        problems, parsed = err.problems, []
    try:
        document = load_document(path, allow_outside=allow_outside)
    except ScenarioError as err:
        raise ScenarioError(err.problems + problems) from None
    if problems:
        raise ScenarioError(problems)
    raw = Path(path).read_bytes()
    applied = apply_overrides(document, parsed)
    try:
        loaded = _build(document.data, document, hashlib.sha256(raw).hexdigest(), with_warnings, seed)
    except ScenarioError as err:
        raise ScenarioError(applied.relocate(err.problems)) from None
    if not parsed:
        return loaded
    positions = {path: (Position(OVERRIDE_FILE, None, None) if applied.overridden(path) else pos)  # type: ignore[arg-type]
                 for path, pos in loaded.target_positions.items()}
    return replace(loaded, warnings=tuple(applied.relocate(loaded.warnings)), target_positions=positions,
                   overrides=tuple(overrides))


def scenario_from_dict(data: dict, base_dir: str | os.PathLike | None = None,
                       file: str = "<dict>", *, seed: int | None = None, allow_outside: bool = False) -> LoadedScenario:
    """Validate a scenario given as plain data (tests, programmatic use); keywords as for load_scenario."""
    from sispam_sim.scenario.yamlio import load_document_text
    import json

    text = json.dumps(data)  # JSON is YAML: reuse the one reader, positions and all
    document = load_document_text(text, file=file, base_dir=base_dir, allow_outside=allow_outside)
    return _build(document.data, document, hashlib.sha256(text.encode()).hexdigest(), True, seed)


def _build(data: Any, document, sha256: str, with_warnings: bool, seed: int | None = None) -> LoadedScenario:
    from pydantic import ValidationError

    from sispam_sim.scenario.errors import problems_from_validation
    from sispam_sim.scenario.validate import check_scenario

    try:
        spec = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(problems_from_validation(err, document)) from None
    if seed is not None:
        spec = spec.model_copy(update={"seed": seed})
    parts, problems = check_scenario(spec, document)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems)
    inputs = [(document.file, sha256)] + [(str(f), _sha256(f)) for f in document.files[1:]]
    inputs += [(str(f), _sha256(f)) for f in parts.data_files]
    return LoadedScenario(
        spec=spec, file=document.file, sha256=sha256, sites=tuple(parts.sites), units=tuple(parts.units),
        matrix=parts.matrix, warnings=tuple(problems) if with_warnings else (),
        inputs=tuple(inputs), size=parts.size, boundaries=parts.boundaries,
        target_positions={row.path: document.locate(row.path) for row in spec.targets.rows()},
    )


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

