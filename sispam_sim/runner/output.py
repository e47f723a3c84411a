"""Write results to disk: ``results.json``, ``incidents.csv``, ``timeline.csv``, ``events.csv``.

Files are written atomically (:class:`OutputWriter`: hidden partial files in the same
directory, fsync, then ``os.replace``): a run that is interrupted, or that fails while
writing, never leaves a half-written ``results.json`` where a CI job or a previous run's
reader would pick it up. Either the new files are complete or the old ones are untouched.

CSV cells are formatted without ``repr`` noise: floats with at most three decimals
(``12.5`` not ``12.500000000001``), integers as integers, ``None`` as an empty cell
(the incident never reached that stage).

``incidents.csv`` has the columns of the scenario's format (``ReplicationResult.incident_columns``:
a version 1.1 file adds ``triggered_by``), so its header is written with the first replication's
rows; a version 1 file's outputs stay byte for byte what they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from contextlib import ExitStack, contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from sispam_sim.engine.records import EVENT_COLUMNS, INCIDENT_COLUMNS, TIMELINE_COLUMNS, Event, ReplicationResult
from sispam_sim.runner.lock import claim, partial_name

__all__ = [
    "format_cell",
    "spreadsheet_safe",
    "from_spreadsheet_safe",
    "claimed_out_dir",
    "incidents_csv",
    "timeline_csv",
    "missing_ancestor",
    "remove_created",
    "removed_if_interrupted",
    "results_json",
    "write_outputs",
    "write_texts",
    "write_file",
    "OutputWriter",
    "replication_csv",
    "CSV_FILES",
    "OUTPUT_FILES",
    "relative_to",
]

#: The files :func:`write_outputs` produces, in order.
OUTPUT_FILES = ("results.json", "incidents.csv", "timeline.csv", "events.csv")


#: What a spreadsheet reads as the start of a formula (or of a cell it runs): such a text cell
#: gets a leading ``'``; and so does one that starts with ``'``, so that removing one leading
#: ``'`` always gives the text back (:func:`from_spreadsheet_safe`).
_FORMULA_START = frozenset("=+-@\t\r'")
#: A plain decimal number, which a spreadsheet reads as a number (not ``-inf``: Excel takes
#: a leading ``-`` before a word as a formula).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: ``'=HYPERLINK(..)`` for ``=HYPERLINK(..)``.

    A text that is a plain number (``-3.5``, a value given on the command line) is left as it is:
    a spreadsheet reads it as that number, never as a formula.
    """
    if text and text[0] in _FORMULA_START and not _NUMBER.match(text):
        return "'" + text
    return text


def from_spreadsheet_safe(text: str) -> str:
    """The text of a cell written by :func:`spreadsheet_safe` (for the readers of a run's CSVs)."""
    if text[:1] == "'" and len(text) > 1 and text[1] in _FORMULA_START:
        return text[1:]
    return text


def format_cell(value: Any, decimals: int = 3) -> str:
    """One CSV cell: ``None`` -> ``""``, floats to at most ``decimals`` decimals, ints as ints,
    text made safe to open in a spreadsheet (:func:`spreadsheet_safe`)."""
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
    return spreadsheet_safe(str(value))


#: Columns that need more than the 3 decimals of minutes (1e-3 degree is about 110 m).
_DECIMALS = {"lat": 6, "lon": 6}


#: A text cell holding one of these is written in quotes (quotes doubled), as ``csv.writer``
#: (``QUOTE_MINIMAL``) writes it on CPython 3.11.9, 3.12.3 and later. Older writers leave a cell with a
#: lone ``\r`` unquoted (gh-67044), which no CSV reader reads back whole; the files quote it on every
#: Python, so they are the same bytes wherever they are written.
_QUOTED = re.compile('[,"\n\r]')


def _quoted(text: str) -> str:
    """``text`` as ``csv.writer`` writes a cell: in quotes, quotes doubled, when it holds ``,``,
    ``"`` or a line end (``\\n`` or ``\\r``: :data:`_QUOTED`); as it is otherwise."""
    return '"' + text.replace('"', '""') + '"' if _QUOTED.search(text) else text


def _texts(values: Sequence[str]) -> list[str]:
    """Text cells: :func:`spreadsheet_safe`, then quoted like ``csv.writer``."""
    cells = [spreadsheet_safe(v) if v and v[0] in _FORMULA_START else v for v in values]
    if _QUOTED.search("".join(cells)):
        cells = [_quoted(v) for v in cells]
    return cells


def _column(values: Sequence[Any], decimals: int) -> list[str]:
    """One column's cells, each exactly ``format_cell(value, decimals)`` as ``csv.writer`` writes it.

    The common columns (all floats, floats and ``None``, all ints, all texts) take a list
    comprehension each, over the distinct values only when they repeat (a replication number, a
    site's coordinates); any other mix goes cell by cell through :func:`format_cell` itself.
    """
    kinds = set(map(type, values))
    if not kinds <= _FAST:
        return [_quoted(format_cell(v, decimals)) for v in values]
    distinct = set(values)
    if len(distinct) * 2 <= len(values):
        # equal keys format alike: -0.0 == 0.0 ("0" both), a nan is looked up as itself
        keys = list(distinct)
        return list(map(dict(zip(keys, _cells(keys, kinds, decimals))).__getitem__, values))
    return _cells(values, kinds, decimals)


#: The cell types :func:`_cells` formats without :func:`format_cell` (exactly these: ``bool`` and
#: other subclasses take the general way).
_FAST = frozenset({float, int, str, type(None)})


def _cells(values: Sequence[Any], kinds: set, decimals: int) -> list[str]:
    if kinds <= {float, type(None)}:
        spec = f".{decimals}f"
        if type(None) in kinds:
            cells = ["" if v is None else format(v, spec).rstrip("0").rstrip(".") for v in values]
        else:
            cells = [format(v, spec).rstrip("0").rstrip(".") for v in values]
        # format_cell: -0.0 (and a negative that rounds to it) is "0"; nan and ±inf are str(value),
        # which format() gives as well ("nan", "inf", "-inf")
        return ["0" if c == "-0" else c for c in cells] if "-0" in cells else cells
    if kinds == {int}:
        return list(map(str, values))
    if kinds == {int, type(None)}:
        return ["" if v is None else str(v) for v in values]
    if kinds <= {str, type(None)}:
        return _texts(["" if v is None else v for v in values] if type(None) in kinds else values)
    return [_quoted(format_cell(v, decimals)) for v in values]


def _table(header: Sequence[str], columns: Sequence[Sequence[Any]], with_header: bool = False) -> str:
    """CSV lines of ``columns`` (one sequence of values per name of ``header``), formatted a column
    at a time and joined once: the same text as ``csv.writer`` writing :func:`format_cell` of
    every cell, row by row."""
    lines = [",".join(_quoted(name) for name in header)] if with_header else []
    if columns and len(columns[0]):
        cells = [_column(values, _DECIMALS.get(name, 3)) for name, values in zip(header, columns)]
        lines.extend(map(",".join, zip(*cells)))
    return "\n".join(lines) + "\n" if lines else ""


def _incident_columns(r: ReplicationResult, columns: Sequence[str]) -> list[list[Any]]:
    records = r.incidents
    out = []
    for name in columns:
        if name == "units":
            out.append([";".join(i.units) for i in records])
        elif name == "level_minutes":
            out.append([";".join([f"{m:.3f}" for m in i.level_minutes]) for i in records])
        else:
            out.append(list(map(attrgetter(name), records)))
    return out


def _timeline_columns(r: ReplicationResult, columns: Sequence[str]) -> list[list[Any]]:
    return [list(map(attrgetter(name), r.timeline)) for name in columns]


def _event_columns(r: ReplicationResult, columns: Sequence[str]) -> list[Sequence[Any]]:
    fields = list(zip(*r.events)) or [() for _ in Event._fields]
    by_name = dict(zip(Event._fields, fields), replication=[r.replication] * len(r.events))
    return [by_name[name] for name in columns]


#: The CSV outputs: file name -> (columns, ``columns(result, names)``: one replication's values of
#: those columns, a sequence each). The columns of ``incidents.csv`` are those of a version 1
#: file; a result's own are :func:`columns_of`.
CSV_FILES = {
    "incidents.csv": (INCIDENT_COLUMNS, _incident_columns),
    "timeline.csv": (TIMELINE_COLUMNS, _timeline_columns),
    "events.csv": (EVENT_COLUMNS, _event_columns),
}


#: The key of :func:`replication_csv`'s texts that carries the header of ``incidents.csv`` when it
#: is not a version 1 file's (format 1.1: ``triggered_by``); never a file.
INCIDENT_HEADER = "incidents.csv header"


def columns_of(name: str, result: ReplicationResult | None) -> tuple[str, ...]:
    """The columns ``result``'s rows have in the CSV output ``name``."""
    if name == "incidents.csv" and result is not None:
        return result.incident_columns
    return CSV_FILES[name][0]


def replication_csv(result: ReplicationResult) -> dict[str, str]:
    """The CSV rows (no header) that one replication adds to each CSV output.

    Made where the replication ran (a worker process, a cluster node): only text travels back,
    and the files are the same bytes whichever way the run was spread. A format 1.1 result adds
    the header of its ``incidents.csv`` under :data:`INCIDENT_HEADER`.
    """
    texts = {}
    for name, (_, values) in CSV_FILES.items():
        header = columns_of(name, result)
        texts[name] = _table(header, values(result, header))
    if result.incident_columns != CSV_FILES["incidents.csv"][0]:
        texts[INCIDENT_HEADER] = ",".join(result.incident_columns) + "\n"
    return texts


def _csv(name: str, results: Iterable[ReplicationResult]) -> str:
    results = list(results)
    header, values = columns_of(name, results[0] if results else None), CSV_FILES[name][1]
    columns = [[] for _ in header]
    for r in results:
        for column, part in zip(columns, values(r, header)):
            column.extend(part)
    return _table(header, columns, with_header=True)


def incidents_csv(results: Iterable[ReplicationResult]) -> str:
    """``incidents.csv``: one row per incident per replication (``INCIDENT_COLUMNS``)."""
    return _csv("incidents.csv", results)


def timeline_csv(results: Iterable[ReplicationResult]) -> str:
    """``timeline.csv``: personnel committed / on scene / free by unit type over time."""
    return _csv("timeline.csv", results)


def events_csv(results: Iterable[ReplicationResult]) -> str:
    """``events.csv``: every dispatch, arrival, release, escalation ... in the order it happened."""
    return _csv("events.csv", results)


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


@contextmanager
def claimed_out_dir(out_dir: str | os.PathLike | None) -> Iterator[Path | None]:
    """The ``--out`` folder of a command, ready and held for the whole ``with`` block.

    Created if needed and checked writable (:func:`prepare_out_dir`), then locked for this run
    (:func:`sispam_sim.runner.lock.claim`): a second run into the same folder is refused at once,
    before either does any work, and partial files a killed run left are removed. Ctrl-C (or a
    SIGTERM) inside the block removes the folders the run created. ``None`` (no ``--out``)
    yields ``None`` and does nothing.
    """
    if out_dir is None:
        yield None
        return
    with removed_if_interrupted(out_dir):
        folder = prepare_out_dir(out_dir)
        with claim(folder):
            yield folder


@contextmanager
def removed_if_interrupted(out_dir: str | os.PathLike | None) -> Iterator[None]:
    """Ctrl-C inside the ``with`` removes the folders of ``out_dir`` that did not exist on entry
    (and were left empty), then lets the interrupt go on; ``None`` (no ``--out``) does nothing."""
    created = missing_ancestor(out_dir) if out_dir is not None else None
    try:
        yield
    except KeyboardInterrupt:
        remove_created(out_dir, created)
        raise


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


class OutputWriter:
    """Streams a run's outputs into ``out_dir`` as replications finish: all files or none.

    The CSVs grow in hidden ``.NAME.partial`` files beside their targets (one replication's rows
    at a time, in replication order: memory does not grow with the run); :meth:`finish` writes
    ``results.json`` the same way, flushes everything to disk and only then replaces the
    outputs, so a reader never sees a mix of two runs. :meth:`abort` (or leaving the ``with``
    block on an exception, Ctrl-C included) removes the partial files and leaves the folder as
    it was. Errors name the output (``--out: cannot write incidents.csv in DIR: ...``), never a
    temporary file.
    """

    def __init__(self, out_dir: str | os.PathLike, report=None, extras: Mapping[str, Any] | None = None,
                 pages: Mapping[str, Any] | None = None):
        self.out_dir = prepare_out_dir(out_dir)
        #: ``report(files) -> html``: builds ``report.html`` from the finished partial files, before
        #: any output is replaced, so the report goes in place with the others or not at all
        self.report = report
        #: name -> ``build(document) -> text``: more files made from the finished document (the
        #: targets and headline tables as CSV), written and put in place with the others
        self.extras = dict(extras or {})
        #: name -> ``build(files) -> text``: more pages made, like the report, from the finished partial
        #: files (``replay.html``, the day to watch), and put in place with the others or not at all
        self.pages = dict(pages or {})
        self._names = (OUTPUT_FILES + tuple(self.extras) + (("report.html",) if report is not None else ())
                       + tuple(self.pages))
        self._partial = {name: self.out_dir / partial_name(name) for name in self._names}
        self._files: dict[str, Any] = {}
        #: CSV name -> [line ends, sha256] of what was written so far (results.json's "files")
        self._tallies: dict[str, list] = {name: [0, hashlib.sha256()] for name in CSV_FILES}
        self._claim = ExitStack()
        self._incident_header = False   # written yet?
        try:
            self._claim.enter_context(claim(self.out_dir))   # one writer per folder, for the whole run
            for name, (columns, _) in CSV_FILES.items():
                fh = self._files[name] = self._open(name)
                if name != "incidents.csv":   # its header comes with the first replication (its format's columns)
                    self._write(name, fh, ",".join(columns) + "\n")
        except BaseException:
            self.abort()
            raise

    def _open(self, name: str):
        try:
            return open(self._partial[name], "w", encoding="utf-8", newline="")
        except OSError as err:
            raise OSError(f"--out: cannot write {name} in {self.out_dir}: {err.strerror or err}") from None

    def _write(self, name: str, fh, text: str) -> None:
        try:
            fh.write(text)
        except OSError as err:
            raise OSError(f"--out: cannot write {name} in {self.out_dir}: {err.strerror or err}") from None
        if name in CSV_FILES:   # counted as it is streamed, never by reading the file again
            tally = self._tallies.setdefault(name, [0, hashlib.sha256()])
            tally[0] += text.count("\n")
            tally[1].update(text.encode("utf-8"))   # the file is UTF-8 with newline="": the same bytes

    def files_section(self) -> dict[str, dict[str, Any]]:
        """results.json's ``"files"``: each CSV's rows (line ends after the header) and sha256,
        of everything written so far (:func:`~sispam_sim.report.runfolder.check_run_files` compares them with the files)."""
        return {name: {"rows": max(lines - 1, 0), "sha256": digest.hexdigest()}
                for name, (lines, digest) in self._tallies.items()}

    def standalone(self, document: Mapping[str, Any]) -> Mapping[str, Any]:
        """``document`` as results.json records it, updated in place when it is a dict (so that
        ``run --format json --out DIR`` prints what results.json holds): the scenario's files named
        relative to the out folder (the folder reads the same from any working folder) and
        ``"files"`` (:meth:`files_section`)."""
        out = document if isinstance(document, dict) else dict(document)
        scenario = out.get("scenario")
        if isinstance(scenario, Mapping):
            scenario = dict(scenario)
            if isinstance(scenario.get("file"), str):
                scenario["file"] = relative_to(scenario["file"], self.out_dir)
            scenario["inputs"] = [{**entry, "file": relative_to(entry["file"], self.out_dir)}
                                  if isinstance(entry, Mapping) and isinstance(entry.get("file"), str) else entry
                                  for entry in scenario.get("inputs", [])]
            out["scenario"] = scenario
        out["files"] = self.files_section()
        return out

    def add(self, texts: Mapping[str, str]) -> None:
        """Append one replication's rows (:func:`replication_csv`); replications in index order."""
        self._header(texts.get(INCIDENT_HEADER))
        for name, text in texts.items():
            if name != INCIDENT_HEADER:
                self._write(name, self._files[name], text)

    def _header(self, header: str | None) -> None:
        """Write ``incidents.csv``'s header once: ``header``, or a version 1 file's."""
        if not self._incident_header:
            self._incident_header = True
            self._write("incidents.csv", self._files["incidents.csv"],
                        header or ",".join(CSV_FILES["incidents.csv"][0]) + "\n")

    def finish(self, document: Mapping[str, Any]) -> list[Path]:
        """Write ``results.json`` (:meth:`standalone`), then put every output in place at once; return
        their paths."""
        self._header(None)   # no replication added: a version 1 file's header
        document = self.standalone(document)
        text = results_json(document)   # before anything is replaced: a bad document changes nothing
        self._files["results.json"] = fh = self._open("results.json")
        self._write("results.json", fh, text)
        for name, fh in self._files.items():
            try:
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
            except OSError as err:
                raise OSError(f"--out: cannot write {name} in {self.out_dir}: {err.strerror or err}") from None
        made = {name: build(document) for name, build in self.extras.items()}
        finished = {name: self._partial[name] for name in OUTPUT_FILES}
        if self.report is not None:
            made["report.html"] = self.report(finished)
        for name, build in self.pages.items():
            made[name] = build(finished)
        for name, text in made.items():
            fh = self._open(name)
            self._write(name, fh, text)
            try:
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fh.close()
        paths = []
        for name in self._names:
            target = self.out_dir / name
            try:
                mode = target.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o644
            try:
                os.chmod(self._partial[name], mode)
                os.replace(self._partial[name], target)
            except OSError as err:
                raise OSError(f"--out: cannot replace {target}: {err.strerror or err}") from None
            paths.append(target)
        self._files.clear()
        self._claim.close()
        return paths

    def abort(self) -> None:
        """Close and remove the partial files: the folder is left as it was."""
        for fh in self._files.values():
            try:
                fh.close()
            except OSError:
                pass
        self._files.clear()
        for path in self._partial.values():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self._claim.close()

    def __enter__(self) -> "OutputWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.abort()   # after finish() there is nothing left to remove


def write_texts(out_dir: str | os.PathLike, texts: Mapping[str, str]) -> list[Path]:
    """Write each ``{name: text}`` into ``out_dir``, all or none: every text goes to a hidden
    partial file, is flushed to disk, and only then are the files put in place (``sweep --out``).
    Errors name the output, never a temporary file."""
    folder = prepare_out_dir(out_dir)
    partial = {name: folder / partial_name(name) for name in texts}
    with claim(folder):
        return _write_all(folder, texts, partial)


def write_file(path: str | os.PathLike, text: str, option: str) -> Path:
    """Write ``text`` to the file ``path`` given by ``option`` (``replay --html FILE``) atomically: a hidden
    partial file beside it, flushed to disk, then put in place (a reader never sees half a page). Its folder
    must exist; errors name the option and the file (an :class:`OSError`, exit 2 at the CLI)."""
    path = Path(path)
    folder = path.parent
    if not str(path.name).strip():
        raise FileNotFoundError(f"{option}: the file name is empty")
    if not folder.is_dir():
        raise FileNotFoundError(f"{option}: cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"{option}: cannot write {path}: it is a directory")
    partial = folder / partial_name(path.name)
    try:
        try:
            with open(partial, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, path)
        except OSError as err:
            raise OSError(f"{option}: cannot write {path}: {err.strerror or err}") from None
    finally:
        try:
            os.unlink(partial)
        except FileNotFoundError:
            pass
    return path


def _write_all(folder: Path, texts: Mapping[str, str], partial: Mapping[str, Path]) -> list[Path]:
    try:
        for name, text in texts.items():
            try:
                with open(partial[name], "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as err:
                raise OSError(f"--out: cannot write {name} in {folder}: {err.strerror or err}") from None
        paths = []
        for name in texts:
            try:
                os.replace(partial[name], folder / name)
            except OSError as err:
                raise OSError(f"--out: cannot replace {folder / name}: {err.strerror or err}") from None
            paths.append(folder / name)
        return paths
    finally:
        for path in partial.values():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def write_outputs(
    out_dir: str | os.PathLike,
    document: Mapping[str, Any],
    results: Sequence[ReplicationResult],
) -> list[Path]:
    """Write ``results.json``, ``incidents.csv``, ``timeline.csv`` and ``events.csv`` of finished
    replications into ``out_dir``, all at once (:class:`OutputWriter`)."""
    with OutputWriter(out_dir) as writer:
        for result in results:
            writer.add(replication_csv(result))
        return writer.finish(document)


def relative_to(name: str, folder: str | os.PathLike) -> str:
    """The file ``name`` (as given: relative to the current folder, or absolute) named relative to
    ``folder``, with ``/``; a name that is not an existing file (``<dict>``) is kept as it is."""
    if not name or name.startswith("<") or not os.path.isfile(name):
        return name
    try:
        return Path(os.path.relpath(os.path.abspath(name), os.path.abspath(folder))).as_posix()
    except ValueError:   # another drive (Windows): only the absolute path names it
        return Path(os.path.abspath(name)).as_posix()
