"""``sispam-sim validate FILE...``: check scenario files before anything runs (for planners and CI)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Sequence

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_OK, app
from sispam_sim.cli.common import Format, SetOpt, format_option
from sispam_sim.errors import printable


ValidateFormatOpt = format_option(
    Format.text, Format.json, Format.github,
    help="text (FILE:LINE:COL: error: KEY.PATH: message), json (a list; each valid file adds an item of severity "
         "info with its run_size), or github (workflow annotations).")


def github_annotation(problem) -> str:
    """A GitHub Actions workflow annotation (``::error file=...,line=...,col=...::message``).

    User text is made printable first (no escape code reaches the log), then escaped as
    workflow commands require: ``%``, CR and LF everywhere, ``:`` and ``,`` in properties.
    """
    def escape(text: str, prop: bool = False) -> str:
        text = printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    fields = [f"file={escape(problem.file, True)}"]
    if problem.line is not None:
        fields.append(f"line={problem.line}")
    if problem.col is not None:
        fields.append(f"col={problem.col}")
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return f"::{problem.severity} {','.join(fields)}::{escape(message)}"


def unique_files(files: List[Path]) -> List[Path]:
    """The files in the order given, each once (a file named twice is checked and counted once)."""
    seen: dict[str, Path] = {}
    for file in files:
        seen.setdefault(os.path.realpath(file), file)
    return list(seen.values())


def check_files(files: List[Path], allow_outside: bool = False, overrides: Sequence[str] = ()) -> tuple[list, dict]:
    """Every problem (errors and warnings) of every file, in the order given, with ``overrides``
    (``--set``) applied to each; and the run size of each valid file."""
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    problems, sizes = [], {}
    for file in files:
        try:
            scenario = load_scenario(file, allow_outside=allow_outside, overrides=overrides)
        except ScenarioError as err:
            problems.extend(err.problems)
        else:
            problems.extend(scenario.warnings)
            sizes[str(file)] = scenario.size
    return problems, sizes


@app.command()
def validate(
    files: List[Path] = typer.Argument(..., help="Scenario files to check.", show_default=False, metavar="FILE"),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 2)."),
    output: ValidateFormatOpt = Format.text,
    allow_outside: bool = typer.Option(False, "--allow-outside",
                                       help="Read files a scenario names (extends, sites file, travel matrix) "
                                            "even outside its folder and the current one."),
    set_: SetOpt = None,
) -> None:
    """Check scenario files: schema, references, feasibility, offered load and run size.

    Reports every problem of every file at once, and for each valid file the expected
    size of a run (incidents per replication and in all, on stderr). Exit 0 when all
    are valid (warnings allowed unless --strict), 2 otherwise.
    """
    files = unique_files(files)
    problems, sizes = check_files(files, allow_outside, tuple(set_ or ()))
    problems = list(dict.fromkeys(problems))   # a bad --set is the same problem in every file
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if output is Format.json:
        infos = [{"file": file, "line": None, "col": None, "path": "", "severity": "info",
                  "message": f"run size: {size.describe()}", "run_size": size.as_dict()}
                 for file, size in sizes.items()]
        print(json.dumps([p.as_dict() for p in problems] + infos, indent=2))
    else:
        for problem in problems:
            print(github_annotation(problem) if output is Format.github else problem.format())
        for file, size in sizes.items():
            print(f"{printable(file)}: info: run size: {size.describe()}", file=sys.stderr)
    failed = errors > 0 or (strict and warnings > 0)
    if output is Format.text:
        bad_files = len({p.file for p in problems if p.severity == "error"})
        status = "invalid" if failed else "valid"
        print(f"{len(files)} file(s) checked: {status} ({errors} error(s), {warnings} warning(s)"
              f"{', warnings fail with --strict' if strict and warnings and not errors else ''})"
              + (f" in {bad_files} file(s)" if bad_files else ""), file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT if failed else EXIT_OK)
