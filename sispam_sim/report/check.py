"""What ``sispam-sim check`` reports: one document for all files, rendered as JSON, a table or annotations.

:func:`check_document` gathers, for each file, the targets of its run (results.json's
``targets``: value, interval, share within the limit, verdict) with where each limit was
written, and decides what the gate says: a target **passes the check** when its verdict
is ``pass``, or ``too_close`` (its 95 % interval holds the limit) without ``strict``; a file
passes when every target does, and a file without targets passes only with
``allow_no_targets``. Verdicts come from the run, the margin from
:mod:`sispam_sim.stats.targets`; nothing is computed here. :func:`render_table` and :func:`problems` (one located line or annotation per target
that did not pass) render that document, so the screen, the JSON and the GitHub annotations
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.errors import Problem, format_path, printable
from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import (
    DASH, VERDICT_STYLE, fit, fmt_count, fmt_minutes, fmt_percent_entry, plain, target_limit, target_name,
    target_value, target_within,
)
from sispam_sim.scenario.metrics import INCIDENT_METRICS, canonical_metric
from sispam_sim.stats.targets import margin

__all__ = ["CheckedFile", "check_document", "render_table", "problems", "summary", "scenario_name", "RESULTS"]

#: What a target's line says, from best to worst.
RESULTS = ("pass", "too_close", "fail", "untested")
RESULT_STYLE = VERDICT_STYLE


@dataclass(frozen=True)
class CheckedFile:
    """One file given to ``check``: its run's results.json, and where each target's limit was written."""

    file: str
    name: str
    #: the results.json document; None when the scenario sets no targets (nothing was run)
    results: Mapping[str, Any] | None
    #: ``(file, line, col)`` of each target's limit, in the order of ``results["targets"]``
    locations: Sequence[tuple[str, int, int]] = ()
    #: the key path of each target's limit, in the same order
    paths: Sequence[tuple] = ()
    #: the scenario's name in Indonesian (format 1.1 ``name_id``), when it gives one
    name_id: str | None = None


def _target(row: Mapping[str, Any], where: tuple[str, int, int], path: tuple, strict: bool) -> dict:
    result = row["verdict"]
    return {"target": format_path(path), "file": where[0], "line": where[1], "col": where[2], **row,
            "margin": margin(row), "result": result,
            "passes": result == "pass" or (result == "too_close" and not strict)}


def check_document(files: Sequence[CheckedFile], strict: bool = False, allow_no_targets: bool = False) -> dict:
    """The check's JSON document: per file its targets and verdict, and the verdict of all (pass or fail).

    A file's ``scenario`` is its name, ``scenario_id`` its Indonesian name when the scenario gives one
    (format 1.1 ``name_id``; :func:`scenario_name` shows the one for a language). Each target is its
    results.json row plus ``target`` (the key path of its limit),
    ``file``/``line``/``col`` (where the limit was written), ``margin`` (``limit - value``),
    ``result`` (the verdict: pass, too_close, fail, untested) and ``passes`` (whether it lets the
    check pass).
    """
    out = []
    for checked in files:
        results = checked.results or {}
        rows = [_target(row, where, path, strict)
                for row, where, path in zip(results.get("targets") or [], checked.locations, checked.paths)]
        counts = {result: sum(row["result"] == result for row in rows) for result in RESULTS}
        entry: dict[str, Any] = {"file": checked.file, "scenario": checked.name,
                                 **({"scenario_id": checked.name_id} if checked.name_id else {}),
                                 "verdict": "pass" if all(row["passes"] for row in rows) else "fail"}
        if checked.results is None:
            entry.update(verdict="pass" if allow_no_targets else "fail", reason="no targets")
        else:
            manifest = results.get("manifest") or {}
            entry.update(replications=manifest.get("replications"), seed=manifest.get("seed"), manifest=manifest)
        out.append({**entry, "counts": counts, "targets": rows})
    return {"verdict": "pass" if all(f["verdict"] == "pass" for f in out) else "fail", "strict": strict,
            "allow_no_targets": allow_no_targets, "files": out}


# ---------------------------------------------------------------- one line per target that did not pass


def scenario_name(entry: Mapping[str, Any], lang: str = "en") -> str:
    """A checked file's scenario name in ``lang`` (its ``scenario_id`` with ``id``, when given)."""
    return glossary.scenario_text(entry, "scenario", lang) or ""


def _fmt_margin(row: Mapping[str, Any], lang: str = "en") -> str:
    """``+1.2`` or ``-0.8`` (minutes, a count or levels; ``-0.04`` rather than a ``0.0`` that hides the
    side); ``< -3.0`` when the value is only a lower bound, so the margin an upper bound. Indonesian
    writes ``+1,2``."""
    value = row.get("margin")
    if value is None:
        return DASH
    if value == 0:
        text = "0"
    elif abs(value) < 0.05:   # would print as 0.0: the sign says which side of the limit the value is on
        text = numbers.signed(value, 2, lang)
    else:
        number = (fmt_minutes(value, lang) if canonical_metric(row["metric"]) in INCIDENT_METRICS
                  else fmt_count(value, lang))
        text = number if number.startswith("-") else f"+{number}"
    if row.get("value_censored"):
        return f"< {text}"
    return f"≤ {text}" if row.get("lower_bound") else text


def _unit(row: Mapping[str, Any], lang: str) -> str:
    return f" {t('min', lang)}" if canonical_metric(row["metric"]) in INCIDENT_METRICS else ""


def _details(row: Mapping[str, Any], lang: str) -> str:
    if row["result"] == "untested":
        reason = row.get("reason")
        return t("nothing_to_judge", lang) + (f" ({reason})" if reason else "")
    parts = [t("check_value", lang, value=target_value(row, lang) + _unit(row, lang))]
    if row.get("share_within"):
        parts.append(t("check_within", lang, share=fmt_percent_entry(row["share_within"], lang)))
    parts.append(t("check_margin", lang, margin=_fmt_margin(row, lang) + _unit(row, lang)))
    if row.get("reason"):
        parts.append(row["reason"])
    if row["result"] == "too_close":   # more replications might turn it either way
        parts.append(t("check_straddles", lang, leaning=t(row.get("leaning") or "fail", lang)))
    return ", ".join(parts)


def problems(document: Mapping[str, Any], lang: str = "en") -> Iterator[Problem]:
    """A located :class:`Problem` for each target that is not a plain pass (and each file without targets).

    A limit written in an ``extends`` base is located there, and its message starts with the
    file that was checked (``plans/b.yaml: Response time p90 ...``): plans that share a base
    put their lines on the same target, and each must say which plan it judges. Severity
    ``error`` when it fails the check, ``warning`` when it does not (too close without
    ``--strict``; a file without targets with ``--allow-no-targets``).
    """
    for entry in document["files"]:
        if entry.get("reason") == "no targets":
            message = t("check_no_targets", lang)
            if entry["verdict"] == "fail":
                message += f" ({t('check_no_targets_fail', lang)})"
            yield Problem(entry["file"], None, None, "targets", message,
                          "error" if entry["verdict"] == "fail" else "warning")
            continue
        for row in entry["targets"]:
            if row["result"] == "pass":
                continue
            result = t(row["result"], lang)
            if row["result"] == "too_close" and not row["passes"]:
                result += f" ({t('check_strict', lang)})"
            message = t("check_line", lang, name=target_name(row, lang),
                        limit=target_limit(row, lang) + _unit(row, lang), result=result,
                        details=_details(row, lang))
            if row["file"] != entry["file"]:   # a limit an ``extends`` base wrote: name the plan checked
                message = f"{entry['file']}: {message}"
            yield Problem(row["file"], row["line"], row["col"], row["target"], message,
                          "warning" if row["passes"] else "error")


# ---------------------------------------------------------------- the table


def _file_table(entry: Mapping[str, Any], lang: str) -> Table:
    title = Text(f"{t('title_check', lang)}: ", style="bold")
    title.append(printable(scenario_name(entry, lang)))
    title.append(f" — {printable(entry['file'])} ({t('minutes', lang)})")
    table = Table(title=title, title_justify="left", header_style="bold",
                  caption=t("check_run", lang, replications=fmt_count(entry["replications"], lang), seed=entry["seed"]),
                  caption_justify="left")
    for key, justify in zip(FILE_HEADERS, ("left", "right", "right", "right", "right", "center")):
        table.add_column(Text(t(key, lang)), justify=justify, no_wrap=key == "limit")   # "[selang 95%]": no markup
    for row, cells in zip(entry["targets"], file_rows(entry, lang)):
        table.add_row(*cells[:-1], Text(cells[-1], style=RESULT_STYLE[row["result"]]))
    return table


#: The headings of a file's table (label keys).
FILE_HEADERS = ("target", "limit", "value_ci", "within_limit_ci", "margin", "result")


def file_rows(entry: Mapping[str, Any], lang: str) -> list[list[str]]:
    """A file's targets as text (terminal, Markdown): target, limit, value, within, margin, result."""
    rows = []
    for row in entry["targets"]:
        within = fmt_percent_entry(row["share_within"], lang) if row.get("share_within") else target_within(row, lang)
        rows.append([target_name(row, lang, short=True), target_limit(row, lang), target_value(row, lang, days=False),
                     within, _fmt_margin(row, lang), t(row["result"], lang)])
    return rows


def _file_verdict(entry: Mapping[str, Any], lang: str) -> Text:
    counts, total, file = entry["counts"], len(entry["targets"]), printable(entry["file"])
    if entry.get("reason") == "no targets":
        return Text(f"{file}: {t('check_no_targets', lang)}", style="bold red" if entry["verdict"] == "fail" else "dim")
    if entry["verdict"] == "fail":
        failed = sum(not row["passes"] for row in entry["targets"])
        return Text(t("check_file_failed", lang, file=file, failed=failed, total=total), style="bold red")
    if counts["too_close"]:
        return Text(t("check_file_too_close", lang, file=file, close=counts["too_close"], total=total),
                    style=RESULT_STYLE["too_close"])
    return Text(t("check_file_passed", lang, file=file, total=total), style="bold green")


def summary(document: Mapping[str, Any], lang: str = "en") -> list[Text]:
    """A verdict line per file, then the verdict of all."""
    files = document["files"]
    lines = [_file_verdict(entry, lang) for entry in files]
    close = sum(entry["counts"]["too_close"] for entry in files)
    if document["verdict"] == "pass":
        targets = sum(len(entry["targets"]) for entry in files)
        line = Text(t("check_summary_passed", lang, files=len(files), targets=targets), style="bold green")
        if close:   # passing, but not proven: say so on the line a CI log ends with
            line.append(f"; {t('check_summary_too_close', lang, close=close)}", style=RESULT_STYLE["too_close"])
        lines.append(line)
    else:
        failed = sum(entry["verdict"] == "fail" for entry in files)
        lines.append(Text(t("check_summary_failed", lang, failed=failed, files=len(files)), style="bold red"))
    return lines


def render_table(document: Mapping[str, Any], console: Console, lang: str = "en") -> None:
    """A table of targets per file; every target that did not pass as ``FILE:LINE:COL: error:
    KEY.PATH: …`` (``warning`` when it does not fail the check); a verdict line per file and of all."""
    t("pass", lang)  # fail early on an unknown language
    for entry in document["files"]:
        if entry.get("reason") != "no targets":
            console.print(fit(_file_table(entry, lang), console.width))
            console.print()
    for problem in problems(document, lang):
        console.print(plain(problem.format()), style="red" if problem.severity == "error" else "yellow",
                      soft_wrap=True)   # one problem, one line, whatever the width
    for line in summary(document, lang):
        console.print(line, soft_wrap=True)
