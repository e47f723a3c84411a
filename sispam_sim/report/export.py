"""Write results to disk: ``results.json``, ``incidents.csv``, ``timeline.csv``, ``events.csv``.

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

from sispam_sim.engine.records import EVENT_COLUMNS, INCIDENT_COLUMNS, TIMELINE_COLUMNS, ReplicationResult

__all__ = [
    "atomic_write_text",
    "format_cell",
    "incidents_csv",
    "timeline_csv",
    "missing_ancestor",
    "remove_created",
    "results_json",
    "write_outputs",
    "OUTPUT_FILES",
]

#: The files :func:`write_outputs` produces, in order.
OUTPUT_FILES = ("results.json", "incidents.csv", "timeline.csv", "events.csv")


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


def format_cell(value: Any, decimals: int = 3) -> str:
    """One CSV cell: ``None`` -> ``""``, floats to at most ``decimals`` decimals, ints as ints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


#: Columns that need more than the 3 decimals of minutes (1e-3 degree is about 110 m).
_DECIMALS = {"lat": 6, "lon": 6}


def _csv(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    decimals = [_DECIMALS.get(name, 3) for name in header]
    for row in rows:
        writer.writerow([format_cell(row[name], d) for name, d in zip(header, decimals)])
    return buf.getvalue()


def incidents_csv(results: Iterable[ReplicationResult]) -> str:
    """``incidents.csv``: one row per incident per replication (``INCIDENT_COLUMNS``)."""
    return _csv(INCIDENT_COLUMNS, (i.as_row() for r in results for i in r.incidents))


def timeline_csv(results: Iterable[ReplicationResult]) -> str:
    """``timeline.csv``: personnel committed / on scene / free by unit type over time."""
    rows = ({name: getattr(p, name) for name in TIMELINE_COLUMNS} for r in results for p in r.timeline)
    return _csv(TIMELINE_COLUMNS, rows)


def events_csv(results: Iterable[ReplicationResult]) -> str:
    """``events.csv``: every dispatch, arrival, release, escalation ... in the order it happened."""
    rows = ({"replication": r.replication, **e._asdict()} for r in results for e in r.events)
    return _csv(EVENT_COLUMNS, rows)


def results_json(document: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN/Infinity, which other tools reject), 2-space indent, UTF-8 text."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def missing_ancestor(out_dir: str | os.PathLike) -> Path | None:
    """The outermost folder of ``out_dir``'s path that does not exist yet (``None``: it exists).

    What :func:`prepare_out_dir` is about to create, so that an interrupted run can remove
    exactly that (:func:`remove_created`) and nothing else.
    """
    out_dir = Path(out_dir).absolute()
    missing = None
    for part in (out_dir, *out_dir.parents):
        if part.exists():
            break
        missing = part
    return missing


def remove_created(out_dir: str | os.PathLike, created: Path | None) -> None:
    """Remove the empty folders from ``out_dir`` up to ``created`` (what the run made); keep anything else."""
    if created is None:
        return
    part = Path(out_dir).absolute()
    while True:
        try:
            part.rmdir()   # only an empty folder goes
        except OSError:
            return
        if part == created or part.parent == part:
            return
        part = part.parent


def prepare_out_dir(out_dir: str | os.PathLike) -> Path:
    """Create ``out_dir`` if needed and check that files can be written in it.

    Says so plainly (an ``OSError`` naming ``--out``) if the path is empty, if it (or a
    parent) is a file, if an output is a directory, or if the folder is not writable. The
    CLI calls this before a run, so a typo in ``--out`` does not cost a whole run.
    """
    if not str(out_dir).strip():
        raise FileNotFoundError('--out: the folder name is empty; give a folder, e.g. --out results (or "." for here)')
    out_dir = Path(out_dir)
    for part in (out_dir, *out_dir.parents):
        if part.exists():
            if not part.is_dir():
                raise NotADirectoryError(f"--out: {part} is a file, expected a directory")
            break
    for name in OUTPUT_FILES:
        if (out_dir / name).is_dir():
            raise IsADirectoryError(f"--out: cannot write {name}: {out_dir / name} is a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".sispam-sim-write-check.")
    except OSError as err:
        raise PermissionError(f"--out: cannot write in {out_dir}: {err.strerror or err}") from None
    os.close(fd)
    os.unlink(probe)
    return out_dir


def write_outputs(
    out_dir: str | os.PathLike,
    document: Mapping[str, Any],
    results: Sequence[ReplicationResult],
) -> list[Path]:
    """Write ``results.json``, ``incidents.csv``, ``timeline.csv`` and ``events.csv`` into ``out_dir``.

    Everything is serialised and written to temporary files before the first output is
    replaced, so an error in the data or a full disk cannot leave a mix of new and old
    files. ``out_dir`` is created if missing; :func:`prepare_out_dir` says (with an ``OSError``)
    when it is an existing file or when one of the outputs is a directory.
    """
    texts = {
        "results.json": results_json(document),
        "incidents.csv": incidents_csv(results),
        "timeline.csv": timeline_csv(results),
        "events.csv": events_csv(results),
    }
    out_dir = prepare_out_dir(out_dir)
    staged: list[tuple[str, Path]] = []
    try:
        for name in OUTPUT_FILES:
            tmp = out_dir / f".{name}.partial"
            try:
                atomic_write_text(tmp, texts[name])
            except OSError as err:   # name the output, not the temporary file
                raise OSError(f"--out: cannot write {name} in {out_dir}: {err.strerror or err}") from None
            staged.append((tmp, out_dir / name))
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as err:
                raise OSError(f"--out: cannot replace {path}: {err.strerror or err}") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path for _, path in staged]
