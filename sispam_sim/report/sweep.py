"""Render a sweep (:mod:`sispam_sim.runner.sweep`): a table for people, ``sweep.csv`` and ``sweep.json``.

It renders the sweep document and computes nothing. A value among censored incidents prints
``> X`` in the table and has ``censored`` true in the CSV and JSON, as in a run's report. The
table shows values only; their 95% intervals are in sweep.json. The table writes numbers as the
reader's language does (``15,3`` in Indonesian); the CSV and JSON keep a decimal point.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.errors import printable
from sispam_sim.runner.output import format_cell, results_json, spreadsheet_safe
from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import DASH, LEVEL_NAMES, VERDICT_STYLE, fmt_minutes, plain
from sispam_sim.runner.sweep import HEADLINE

__all__ = ["render_sweep", "sweep_csv", "sweep_json", "SWEEP_FILES"]

#: What ``sweep --out DIR`` writes.
SWEEP_FILES = ("sweep.csv", "sweep.json")
#: Table label of each headline statistic.
#: Short column labels (the table must fit 80 columns with the swept values and --until).
_LABELS = {"response_time": "sweep_col_response", "full_strength_time": "sweep_col_full_strength",
           "tps_downtime": "sweep_col_tps_downtime", "unresolved": "sweep_col_unresolved",
           "max_level": "sweep_col_level"}


def _counts(targets) -> dict[str, int]:
    counts = {"pass": 0, "too_close": 0, "fail": 0, "untested": 0}
    for row in targets:
        counts[row["verdict"]] += 1
    return counts


def _cell(metric: str, stat: str, entry: Any, lang: str = "en") -> str:
    if entry is None:
        return DASH
    if metric == "max_level":
        return LEVEL_NAMES.get(entry, str(entry))
    value = entry.get("value")
    if value is None:
        return DASH
    if metric == "unresolved":
        return numbers.decimal(value, 2, lang)
    return f"> {fmt_minutes(value, lang)}" if entry.get("censored") else fmt_minutes(value, lang)


def _targets_cell(targets, lang: str) -> Text:
    if not targets:
        return Text(DASH)
    counts = _counts(targets)
    verdict = next((v for v in ("fail", "too_close", "untested") if counts[v]), "pass")
    # "2/4 passed", coloured by the worst verdict (the words would not fit 80 columns beside the grid)
    return Text(t("sweep_targets", lang, passed=counts["pass"], total=len(targets)), style=VERDICT_STYLE[verdict])


def _short_names(paths: list[str]) -> list[str]:
    """Column headers for the axes: the last key of each path (``count``), or the whole path when two clash."""
    from sispam_sim.scenario.overrides import Key, parse_path

    short = []
    for path in paths:
        keys = [step.name for step in parse_path(path) if isinstance(step, Key)]
        short.append(keys[-1] if keys else path)
    return short if len(set(short)) == len(short) else paths


def render_sweep(document: Mapping[str, Any], console: Console, lang: str = "en", loaded: Any = None) -> None:
    """Print the sweep: one row per point, then where the ``--until`` condition broke.

    A headline statistic that no point has (TPS downtime without disruptions, a level without
    crowds) gets no column; sweep.csv and sweep.json keep every one. ``loaded`` (the swept
    scenario, when at hand) gives its name in ``lang`` (format 1.1 ``name_id``)."""
    scenario, manifest, points = document["scenario"], document["manifest"], document["points"]
    title = Text(f"{t('title_sweep', lang)}: ", style="bold")
    name = glossary.scenario_text(loaded.spec, "name", lang) if loaded is not None else None
    title.append(printable(name or scenario.get("name", DASH)))
    console.print(title)
    console.print(Text(t("sweep_header", lang, points=len(points), planned=document["points_planned"],
                         replications=numbers.count(manifest.get("replications") or 0, lang),
                         seed=manifest.get("seed")), style="dim"))
    for override in manifest.get("overrides") or []:
        console.print(plain(f"--set {override}"), style="dim")
    paths = [axis["path"] for axis in document["axes"]]
    for path in paths:
        console.print(plain(f"--set {path}=…"), style="dim")
    until = document.get("until")
    if until:
        console.print(plain(f"--until {until['condition']}"), style="dim")
    shown = [(metric, stat) for metric, stat in HEADLINE
             if any(p["metrics"][metric][stat] is not None for p in points)]
    table = Table(title=f"{t('sweep_table', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold")
    table.add_column("#", justify="right")
    for name in _short_names(paths):
        table.add_column(plain(name), justify="right")
    for metric, stat in shown:
        label = t(_LABELS[metric], lang)
        table.add_column(label if metric in ("unresolved", "max_level") else f"{label} {stat}", justify="right")
    table.add_column(t("title_targets", lang), justify="left")
    if until:
        table.add_column(t("sweep_until", lang), justify="right")
    for point in points:
        cells = [str(point["point"] + 1), *(plain(point["settings"][path]) for path in paths)]
        cells += [_cell(metric, stat, point["metrics"][metric][stat], lang) for metric, stat in shown]
        cells.append(_targets_cell(point["targets"], lang))
        if until:
            cells.append(_until_cell(point["until"], lang))
        table.add_row(*cells)
    console.print()
    console.print(table)
    if until:
        console.print(Text(printable(_until_message(document, lang)),
                           style="bold red" if until["broken_at"] else
                           VERDICT_STYLE["too_close"] if until.get("too_close") else "bold green"))


def _until_message(document: Mapping[str, Any], lang: str) -> str:
    """Where the sweep broke, bracketed, in the reader's language (the document keeps the runner's
    English line)."""
    until, points = document["until"], document["points"]
    if lang == "en":
        return until["message"]
    label = lambda point: ", ".join(f"{k}={v}" for k, v in point["settings"].items())   # noqa: E731
    state = lambda point: (point.get("until") or {}).get("state")                       # noqa: E731
    close = [label(p) for p in points if state(p) == "too_close"]
    broken = next((i for i, p in enumerate(points) if state(p) == "breaks"), None)
    if broken is None:
        text = t("sweep_no_break", lang, condition=until["condition"].strip(), run=len(points),
                 planned=document["points_planned"])
        return text + ("; " + t("sweep_too_close_at", lang, points=", ".join(close)) if close else "")
    judged = points[broken]["until"]
    value = judged["value"]
    shown = DASH if value is None else (numbers.decimal(value, 1, lang, grouping=False) if isinstance(value, float)
                                        else str(value))
    shown = f"> {shown}" if judged["censored"] else shown
    holding = next((i for i in range(broken - 1, -1, -1) if state(points[i]) == "holds"), None)
    between = [label(p) for p in points[(holding + 1 if holding is not None else 0):broken]]
    if between and holding is not None:
        return t("sweep_broke_between", lang, low=label(points[holding]), point=label(points[broken]),
                 condition=until["condition"].strip(), value=shown) + "; " + \
            t("sweep_too_close_at", lang, points=", ".join(between))
    text = t("sweep_broke", lang, point=label(points[broken]), condition=until["condition"].strip(), value=shown)
    if between:
        return text + "; " + t("sweep_too_close_at", lang, points=", ".join(between))
    if holding is not None:
        text += " " + t("sweep_last_holding", lang, point=label(points[holding]))
    return text


def _until_cell(judged: Mapping[str, Any], lang: str) -> Text:
    """holds / TOO CLOSE / BREAKS: the value itself is in its column, or in the line under the table."""
    state = judged.get("state") or ("breaks" if judged["broken"] else "holds")
    key, style = {"breaks": ("sweep_breaks", "bold red"), "too_close": ("too_close", VERDICT_STYLE["too_close"]),
                  "holds": ("sweep_holds", "green")}[state]
    return Text(t(key, lang), style=style)


def sweep_csv(document: Mapping[str, Any]) -> str:
    """``sweep.csv``: one row per point: its values, the headline statistics, target counts and ``--until``."""
    axes = [axis["path"] for axis in document["axes"]]
    header = ["point", *axes]
    for metric, stat in HEADLINE:
        header.append(f"{metric}.{stat}")
        if metric not in ("unresolved", "max_level"):
            header.append(f"{metric}.{stat}.censored")
    header += ["targets.pass", "targets.too_close", "targets.fail", "targets.untested"]
    until = document.get("until")
    if until:
        header += ["until.value", "until.censored", "until.state", "until.broken"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([spreadsheet_safe(name) for name in header])   # a swept --set path is the user's text
    for point in document["points"]:
        row: list[Any] = [point["point"] + 1, *(point["settings"][axis] for axis in axes)]
        for metric, stat in HEADLINE:
            entry = point["metrics"][metric][stat]
            if metric in ("unresolved", "max_level"):
                row.append(entry.get("value") if isinstance(entry, dict) else entry)
            else:
                row += [None if entry is None else entry.get("value"),
                        None if entry is None else bool(entry.get("censored"))]
        counts = _counts(point["targets"])
        row += [counts["pass"], counts["too_close"], counts["fail"], counts["untested"]]
        if until:
            judged = point["until"]
            row += [judged["value"], judged["censored"], judged["state"], judged["broken"]]
        writer.writerow([format_cell(value) for value in row])
    return buf.getvalue()


def sweep_json(document: Mapping[str, Any]) -> str:
    return results_json(document)

