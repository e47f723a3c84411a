"""What every command that runs a scenario shares: its options, and how a run is carried out.

``run`` and ``check`` (and later ``compare`` and ``sweep``) declare the same options with the
aliases below and hand them to :func:`execute`, which picks the executor, shows progress on
stderr, streams ``--out`` to disk and, on Ctrl-C, stops the workers and leaves the output
folder as it was before the interrupt goes on to the one boundary (:func:`sispam_sim.cli.app.main`).
It computes nothing: the library does.
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Literal, Optional, Sequence

import typer

from sispam_sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED

__all__ = [
    "RunOptions", "execute", "load", "load_all", "parse_replications", "parse_precision",
    "FileArg", "ReplicationsOpt", "SeedOpt", "JobsOpt", "ClusterOpt", "PrecisionOpt", "MaxReplicationsOpt",
    "AllowOutsideOpt", "FolderAllowOutsideOpt", "QuietOpt", "LangOpt", "Lang", "SetOpt", "DEFAULT_MAX_REPLICATIONS", "Format",
    "format_option",
]

#: ``--replications auto`` stops here unless ``--max-replications`` says otherwise.
DEFAULT_MAX_REPLICATIONS = 2_000
#: How often a plain progress line is printed where stderr is not a terminal (CI logs).
PLAIN_PROGRESS_SECONDS = 5.0


def parse_replications(value: Optional[str]) -> Optional[str]:
    """``--replications``: a whole number from 1 to MAX_REPLICATIONS, or ``auto``."""
    if value is None or value == "auto":
        return value
    try:
        n = int(value) if len(value) <= 12 else None
    except ValueError:
        n = None
    if n is None or not 1 <= n <= MAX_REPLICATIONS:
        raise typer.BadParameter(f"expected a whole number from 1 to {MAX_REPLICATIONS:,}, or auto; found {value!r}")
    return value


def parse_precision(value: Optional[str]) -> Optional[float]:
    """``--precision``: ``5%`` or ``0.05``, strictly between 0 and 100%."""
    if value is None:
        return None
    text = value.strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        number = float("nan")
    if not 0 < number < 1:
        raise typer.BadParameter(f'expected a share such as "5%" or 0.05 (more than 0, less than 100%); found {value!r}')
    return number


def _check_precision(value: Optional[str]) -> Optional[str]:
    parse_precision(value)
    return value


#: What ``--cluster`` accepts, for the message that refuses anything else.
CLUSTER_FORMS = ("local, tcp://HOST:PORT or HOST:PORT "
                 "(HOST a name, an IPv4 address or an [IPv6] address; PORT from 1 to 65535)")


def parse_cluster(value: Optional[str]) -> Optional[str]:
    """``--cluster``: ``local``, or a Dask scheduler's address, ``tcp://HOST:PORT`` or ``HOST:PORT``.

    Checked as the command line is read, before anything runs; whether a scheduler answers there is
    known only when the run connects to it (:class:`sispam_sim.runner.executors.Dask`).
    """
    if value is None or value == "local":
        return value
    host, colon, port = value.removeprefix("tcp://").rpartition(":")
    if not (colon and port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535
            and _is_host(host)):
        raise typer.BadParameter(f"expected {CLUSTER_FORMS}; found {value!r}")
    return value


def _is_host(host: str) -> bool:
    """A host name (RFC 1123 labels; ``_`` too, as container names have), an IPv4 address, or an
    IPv6 address in brackets."""
    import ipaddress
    import re

    labels = host.split(".")
    try:
        if host.startswith("[") and host.endswith("]"):
            ipaddress.IPv6Address(host[1:-1])
            return True
        if labels[-1].isascii() and labels[-1].isdigit():   # no top-level domain is a number
            ipaddress.IPv4Address(host)
            return True
    except ValueError:
        return False
    label = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
    return len(host) <= 253 and all(label.fullmatch(part) for part in labels)


class Lang(str, Enum):
    en = "en"
    id = "id"


class Format(str, Enum):
    """Every ``--format`` of every command; each command takes the few it prints (:func:`format_option`)."""

    table = "table"
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    csv = "csv"


def format_option(*choices: Format, help: str):
    """The ``--format`` / ``-f`` option of a command that prints ``choices``: its help lists exactly
    those (``--format <table|json>``), anything else is refused, and the value is a :class:`Format`."""
    return Annotated[Literal[choices], typer.Option("--format", "-f", help=help)]


FileArg = Annotated[Path, typer.Argument(help="The scenario file.", show_default=False, metavar="FILE")]
ReplicationsOpt = Annotated[Optional[str], typer.Option(
    "--replications", "-r", metavar="N|auto", callback=parse_replications,
    help="Number of replications (default: the scenario's), or auto: add replications until --precision is met.")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Override the scenario's seed.")]
JobsOpt = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", min=1, max=1024,
    help="Worker processes (default: the usable cores; one when the run is too small to gain from more).")]
ClusterOpt = Annotated[Optional[str], typer.Option(
    "--cluster", metavar="ADDRESS", callback=parse_cluster,
    help="Run on a Dask cluster: a scheduler address (tcp://host:8786), or local to start one on this machine. "
         "Needs sispam-sim[dask].")]
PrecisionOpt = Annotated[Optional[str], typer.Option(
    "--precision", metavar="SHARE", callback=_check_precision,
    help="With --replications auto: the 95% interval half-width each targeted statistic must reach, "
         "relative to its value (default 5%).")]
MaxReplicationsOpt = Annotated[int, typer.Option(
    "--max-replications", min=2, max=MAX_REPLICATIONS, help="With --replications auto: stop here at the latest.")]
AllowOutsideOpt = Annotated[bool, typer.Option(
    "--allow-outside", help="Let the scenario read files outside its own folder tree (and the current folder's).")]
#: ``--allow-outside`` of the commands that read a run's folder (report, replay).
FolderAllowOutsideOpt = Annotated[bool, typer.Option(
    "--allow-outside",
    help="Read the scenario results.json names (scenario.file) even when its path is absolute or it lies "
         "outside both DIR's parent folder tree and the current folder's (after symlinks are resolved). "
         "Without it such a path is refused (exit 2): a run folder from elsewhere cannot make the command "
         "read any file.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Labels in English (en) or Indonesian (id).")]
SetOpt = Annotated[Optional[List[str]], typer.Option(
    "--set", metavar="KEY.PATH=VALUE",
    help="Override a scenario value before it is checked (repeatable; a later one wins): "
         "dispatch.reserve.crowd_control=60, forces.units[patrol].count=8, incidents[0].rate=4/h, "
         "incidents[label=110 call].at=17:00, incidents[*].rate=x1.5 (multiplies every rate). "
         "See docs/scenario-format.md.")]


@dataclass(frozen=True)
class RunOptions:
    """The options of a run, as the command line gave them."""

    replications: Optional[str] = None
    seed: Optional[int] = None
    jobs: Optional[int] = None
    cluster: Optional[str] = None
    precision: Optional[str] = None
    max_replications: int = DEFAULT_MAX_REPLICATIONS
    allow_outside: bool = False
    quiet: bool = False
    #: ``--set KEY.PATH=VALUE`` overrides, in the order given (:mod:`sispam_sim.scenario.overrides`)
    set: Sequence[str] = ()

    @property
    def auto(self) -> bool:
        return self.replications == "auto"

    def count(self, scenario) -> int:
        """The replications a fixed-size run plays (the scenario's unless ``-r N``)."""
        return scenario.spec.replications if self.replications in (None, "auto") else int(self.replications)

    def check(self) -> None:
        if self.precision is not None and not self.auto:
            raise typer.BadParameter("--precision goes with --replications auto", param_hint="'--precision'")


def load_all(files: list[Path], options: RunOptions, github: bool = False) -> list:
    """Every scenario, loaded and checked; every problem of every bad file reported (also as GitHub
    annotations with ``github``), then exit 2 before anything runs."""
    from sispam_sim.cli.app import EXIT_BAD_INPUT, print_problems
    from sispam_sim.cli.validate import github_annotation
    from sispam_sim.errors import ScenarioError

    scenarios, problems = [], []
    for file in files:
        try:
            scenarios.append(load(file, options))
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        if github:
            for problem in problems:
                print(github_annotation(problem))
        print_problems(problems)
        print(f"sispam-sim: {len({p.file for p in problems})} of {len(files)} file(s) invalid: nothing was run",
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    return scenarios


def load(file: Path, options: RunOptions):
    """Load and check the scenario (with the sites ``--seed`` generates and the ``--set``
    overrides applied); print its warnings."""
    from sispam_sim.cli.app import print_problems
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario(file, seed=options.seed, allow_outside=options.allow_outside,
                             overrides=tuple(options.set or ()))
    print_problems(scenario.warnings)
    return scenario


def _report(scenario, lang: str):
    """What writes ``report.html`` beside the other outputs (matplotlib is imported only then)."""
    def build(files):
        from sispam_sim.report.html import build_report

        return build_report(files, lang=lang, scenario=scenario)
    return build


def _pages(scenario, lang: str) -> dict:
    """``replay.html`` beside the report: the typical and the worst day to watch (jinja2 imported only then)."""
    def build(files):
        from sispam_sim.report.dayview import build_dayview

        return build_dayview(files, lang=lang, scenario=scenario)
    return {"replay.html": build}


def _tables(lang: str) -> dict:
    """``targets.csv`` and ``headline.csv`` beside the outputs: the tables a command post pastes."""
    from sispam_sim.report.markdown import headline_csv, targets_csv

    return {"targets.csv": targets_csv, "headline.csv": headline_csv}


class _Progress:
    """Replications done, rate and time left, on stderr: a bar on a terminal, a plain line every
    few seconds elsewhere (CI logs), nothing with ``--quiet``."""

    def __init__(self, label: str, quiet: bool):
        self.quiet, self.label = quiet, label
        self.console = None   # rich's, made only when progress may be shown (not with --quiet)
        self.bar = None
        self.printed = False
        self.start = self.last = time.monotonic()

    def __enter__(self) -> "_Progress":
        if not self.quiet:
            from rich.console import Console

            self.console = Console(stderr=True)
        if self.console is not None and self.console.is_terminal:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                       TimeRemainingColumn)
            from sispam_sim.report.terminal import plain

            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=self.console,
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task(plain(self.label), total=None, rate="")
        return self

    def __call__(self, done: int, total: Optional[int]) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        rate = done / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, rate=f"{rate:,.1f}/s")
        elif now - self.last >= PLAIN_PROGRESS_SECONDS or (self.printed and total is not None and done == total):
            self.last, self.printed = now, True   # a run shorter than a few seconds prints nothing
            left = f", about {(total - done) / rate:,.0f} s left" if total and rate > 0 else ""
            of = f"/{total:,}" if total else ""
            print(f"sispam-sim: {done:,}{of} replications, {rate:,.1f}/s{left}", file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def execute(scenario, options: RunOptions, out: Optional[str], invocation: list[str], label: str = "Running",
            lang: str = "en"):
    """Run ``scenario`` as ``options`` say; with ``out``, stream the outputs there and finish them.

    Returns the :class:`~sispam_sim.runner.pipeline.RunOutput`. On Ctrl-C it stops the workers and
    removes partial files and any folder the run created, then lets ``KeyboardInterrupt`` go on.
    """
    from sispam_sim.runner.output import OutputWriter, claimed_out_dir
    from sispam_sim.report.i18n import t
    from sispam_sim.runner import pipeline
    from sispam_sim.runner.executors import make_executor

    options.check()
    command = shlex.join(["sispam-sim", *invocation])
    count = options.max_replications if options.auto else options.count(scenario)
    with claimed_out_dir(out):   # checked and held before the run: a second run into it is refused at once
        writer = (OutputWriter(out, report=_report(scenario, lang), extras=_tables(lang), pages=_pages(scenario, lang))
                  if out is not None else None)
        try:
            with make_executor(options.jobs, options.cluster, count,
                               scenario.size.with_replications(count).seconds) as ex, \
                    _Progress(f"{label} {scenario.spec.name}", options.quiet) as progress:
                if options.auto:
                    precision = parse_precision(options.precision) if options.precision else 0.05
                    result = pipeline.simulate_to_precision(scenario, precision,
                                                            max_replications=options.max_replications,
                                                            executor=ex, writer=writer, command=command,
                                                            progress=progress)
                else:
                    result = pipeline.simulate(scenario, count, executor=ex, writer=writer, command=command,
                                               progress=progress)
            if writer is not None:
                written = writer.finish(result.document)
                print(t("wrote", lang, files=", ".join(p.name for p in written), folder=out), file=sys.stderr)
            return result
        finally:
            if writer is not None:
                writer.abort()   # nothing left after finish(); partial files after an error or Ctrl-C
