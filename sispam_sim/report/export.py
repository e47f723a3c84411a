"""Write results to disk: ``results.json``, ``incidents.csv``, ``timeline.csv``.

Files are written atomically (temporary file in the same directory, fsync, then
``os.replace``): a run that is interrupted, or that fails while writing, never
leaves a half-written ``results.json`` where a CI job or a previous run's reader
would pick it up. Either the new file is complete or the old one is untouched.

CSV cells are formatted without ``repr`` noise: floats with at most three decimals
(``12.5`` not ``12.500000000001``), integers as integers, ``None`` as an empty cell
(the incident never reached that stage).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from sispam_sim.engine.records import INCIDENT_COLUMNS, TIMELINE_COLUMNS, ReplicationResult

__all__ = [
    "atomic_write_text",
    "format_cell",
    "incidents_csv",
    "timeline_csv",
    "results_document",
    "results_json",
    "write_outputs",
    "OUTPUT_FILES",
]

#: The files :func:`write_outputs` produces, in order.
OUTPUT_FILES = ("results.json", "incidents.csv", "timeline.csv")


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) all at once.

    On any failure the temporary file is removed and the existing file, if any, is
    left exactly as it was. A new file gets mode 0644; a replaced one keeps its mode.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def format_cell(value: Any) -> str:
    """One CSV cell: ``None`` -> ``""``, floats to at most 3 decimals, ints as ints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        text = f"{value:.3f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(row[name]) for name in header])
    return buf.getvalue()


def incidents_csv(results: Iterable[ReplicationResult]) -> str:
    """``incidents.csv``: one row per incident per replication (``INCIDENT_COLUMNS``)."""
    return _csv(INCIDENT_COLUMNS, (i.as_row() for r in results for i in r.incidents))


def timeline_csv(results: Iterable[ReplicationResult]) -> str:
    """``timeline.csv``: personnel committed / on scene / free by unit type over time."""
    rows = ({name: getattr(p, name) for name in TIMELINE_COLUMNS} for r in results for p in r.timeline)
    return _csv(TIMELINE_COLUMNS, rows)


def results_document(scenario_info: dict, manifest: dict, summary: dict) -> dict:
    """The ``results.json`` document: scenario, manifest, metrics, units, targets (in that order)."""
    return {
        "scenario": scenario_info,
        "manifest": manifest,
        "metrics": summary["metrics"],
        "units": summary["units"],
        "targets": summary["targets"],
    }


def results_json(document: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN/Infinity, which other tools reject), 2-space indent, UTF-8 text."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _prepare_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"--out: {out_dir} is a file, expected a directory")
    out_dir.mkdir(parents=True, exist_ok=True)


def write_outputs(
    out_dir: str | os.PathLike,
    document: Mapping[str, Any],
    results: Sequence[ReplicationResult],
) -> list[Path]:
    """Write ``results.json``, ``incidents.csv`` and ``timeline.csv`` into ``out_dir``.

    Everything is serialised before the first file is touched, so an error in the
    data cannot leave a mix of new and old files. ``out_dir`` is created if missing;
    if it is an existing file a :class:`NotADirectoryError` (an ``OSError``) says so.
    """
    out_dir = Path(out_dir)
    texts = {
        "results.json": results_json(document),
        "incidents.csv": incidents_csv(results),
        "timeline.csv": timeline_csv(results),
    }
    _prepare_dir(out_dir)
    written: list[Path] = []
    for name in OUTPUT_FILES:
        path = out_dir / name
        atomic_write_text(path, texts[name])
        written.append(path)
    return written
