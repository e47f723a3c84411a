"""Read a run's ``--out`` folder back, checked before anything is used (``report``, ``replay``).

A folder is a run's when it holds the files asked for; ``results.json`` is read within bounds
(size, nesting depth, shape), and each CSV must be the one ``results.json`` records (rows and
sha256, counted while the run wrote it): a damaged, truncated or foreign file is a located
error, never a silent partial story.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from sispam_sim.runner.output import CSV_FILES

__all__ = ["require_run_files", "read_results", "check_run_files", "read_run"]


def require_run_files(folder: str | os.PathLike, names: Sequence[str]) -> Path:
    """``folder`` as a Path, after checking it is a run's ``--out`` folder holding ``names``;
    :class:`FileNotFoundError` (exit 2 at the CLI) naming what is missing otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder (expected a run's --out folder)")
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}: not the --out folder of a run "
                                f"(sispam-sim run FILE --out {folder} writes them)")
    return folder


def _json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON ``text`` (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        char = match.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_results(path: str | os.PathLike) -> dict[str, Any]:
    """A run's ``results.json``, read within bounds: at most 64 MiB, nesting at most 64 deep (a
    crafted file cannot exhaust memory or the stack), a JSON object whose ``scenario``,
    ``manifest`` and ``files`` are objects. :class:`~sispam_sim.errors.ScenarioError` (exit 2),
    located to the line and key, otherwise."""
    from sispam_sim.errors import Problem, ScenarioError
    from sispam_sim.scenario.limits import MAX_DATA_FILE_BYTES, MAX_DEPTH

    def fail(message: str, line: int | None = None, col: int | None = None, key: str = "") -> ScenarioError:
        return ScenarioError([Problem(str(path), line, col, key, message)])

    size = os.path.getsize(path)
    if size > MAX_DATA_FILE_BYTES:
        raise fail(f"file is larger than {MAX_DATA_FILE_BYTES // 2**20} MiB ({size / 2**20:.1f} MiB): not a run's "
                   "results.json")
    with open(path, "rb") as fh:
        raw = fh.read(MAX_DATA_FILE_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise fail(f"not UTF-8 text (byte {err.start + 1}): not a run's results.json") from None
    if _json_depth(text) > MAX_DEPTH:
        raise fail(f"nesting deeper than {MAX_DEPTH} levels: not a run's results.json")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise fail(f"not valid JSON: {err.msg}", err.lineno, err.colno) from None
    except ValueError as err:   # e.g. an integer of more digits than Python reads
        raise fail(f"not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise fail(f"expected a JSON object (a run's results), found {type(document).__name__}")
    for key in ("scenario", "manifest", "files"):
        if key in document and not isinstance(document[key], dict):
            raise fail(f"expected an object, found {type(document[key]).__name__}", key=key)
    return document


def _digest(path: Path) -> tuple[int, str, bool]:
    """``(line ends, sha256, ends with a line end)`` of ``path``, read in chunks."""
    lines, digest, last = 0, hashlib.sha256(), b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            digest.update(chunk)
            last = chunk[-1:]
    return lines, digest.hexdigest(), last == b"\n"


def check_run_files(folder: Path, results: Mapping[str, Any], names: Sequence[str]) -> None:
    """Check each CSV of ``names`` against the rows and sha256 ``results.json`` records of it
    (``"files"``); :class:`~sispam_sim.errors.ScenarioError` (exit 2) naming every file that is
    damaged, cut short or from another run. A results.json of an older version, without
    ``"files"``, cannot be checked: nothing is said."""
    from sispam_sim.errors import Problem, ScenarioError

    recorded = results.get("files")
    if recorded is None:
        return
    problems = []
    again = f"the file is damaged, cut short or from another run (sispam-sim run FILE --out {folder} writes it again)"
    for name in (n for n in names if n in CSV_FILES):
        entry = recorded.get(name)
        if not (isinstance(entry, dict) and isinstance(entry.get("rows"), int) and isinstance(entry.get("sha256"), str)):
            problems.append(Problem(str(folder / "results.json"), None, None, f"files.{name}",
                                    'expected {"rows": N, "sha256": "..."}'))
            continue
        lines, digest, whole = _digest(folder / name)
        rows = max(lines - 1, 0)
        if not whole:
            message = f"ends in the middle of a row ({rows:,} whole rows; results.json records {entry['rows']:,})"
        elif rows != entry["rows"]:
            message = f"has {rows:,} rows, but results.json records {entry['rows']:,}"
        elif digest != entry["sha256"]:
            message = "its sha256 differs from the one results.json records (same number of rows)"
        else:
            continue
        problems.append(Problem(str(folder / name), None, None, "", f"{message}: {again}"))
    if problems:
        raise ScenarioError(problems)


def read_run(folder: str | os.PathLike, names: Sequence[str]) -> tuple[Path, dict[str, Any]]:
    """A run's ``--out`` folder, checked before anything is read from it: ``names`` are there
    (:func:`require_run_files`), ``results.json`` is a bounded JSON object (:func:`read_results`)
    and every CSV of ``names`` is the one it records (:func:`check_run_files`).
    Returns the folder and the results document."""
    from sispam_sim.runner.lock import tidy_if_idle

    folder = require_run_files(folder, names)
    tidy_if_idle(folder)   # partial files a killed run left: removed unless a run is writing here now
    results = read_results(folder / "results.json")
    check_run_files(folder, results, names)
    return folder, results
