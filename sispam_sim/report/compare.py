"""Render a comparison of plans (:func:`sispam_sim.stats.compare.compare`): terminal tables,
``comparison.json`` and ``comparison.csv``. Computes nothing; user text is printed plainly.

How a difference reads: plan − baseline in minutes (a count for unresolved incidents, a level,
a share of days in points), its 95% interval in brackets, and a verdict where lower is better.
A ``*`` marks a difference that depends on incidents not reached or not resolved by the end of
the run: the value is not exact there. Headline rows (planned tests) come first; ``--detail``
adds the other rows below them, each tested alone, with a note on what that means together.
Below :data:`~sispam_sim.stats.compare.FEW_DAYS` days every output carries a warning.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.errors import printable
from sispam_sim.runner.output import format_cell, results_json
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import (
    DASH, VERDICT_STYLE, fmt_count, fmt_minutes, fmt_percent, plain, target_limit, target_name,
)
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import INCIDENT_METRICS
from sispam_sim.stats.compare import ALPHA, HEADLINE_ROWS

__all__ = ["render_comparison", "comparison_csv", "write_comparison", "COMPARISON_FILES", "CSV_COLUMNS"]

COMPARISON_FILES = ("comparison.json", "comparison.csv")
CSV_COLUMNS = ("plan", "kind", "metric", "stat", "baseline", "value", "difference", "ci_low", "ci_high",
               "verdict", "p_value", "censored", "paired", "row")
#: Statistics the tables show per incident metric (results.json and the CSV have max too).
TABLE_STATS = ("mean", "p50", "p90", "p95", "p99")
_VERDICT_STYLE = {"better": "bold green", "worse": "bold red", "no difference": "dim"}
_VERDICT_KEY = {"better": "better", "worse": "worse", "no difference": "no_difference"}


def _number(metric: str, value: float | None, signed: bool = False) -> str:
    """A value (minutes, a count per day, a share of days) or, ``signed``, a difference (a share in points)."""
    if value is None:
        return "∞" if signed else DASH
    if metric == "levels" and not signed:
        return fmt_percent(value)
    scale, digits = (100.0, 1) if metric == "levels" else (1.0, 1 if metric in INCIDENT_METRICS else 2)
    if not signed:
        return f"{value:.{digits}f}" if metric not in INCIDENT_METRICS else fmt_minutes(value)
    text = f"{value * scale:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def _difference(metric: str, entry: Mapping[str, Any]) -> str:
    text = _number(metric, entry["value"], signed=True) + ("*" if entry.get("censored") else "")
    lo, hi = entry["ci"]
    if not (lo == hi == 0):
        low = "−∞" if lo is None else _number(metric, lo, signed=True)
        text += f" [{low} … {_number(metric, hi, signed=True)}]"
    return text


def _row_label(metric: str, stat: str, lang: str) -> str:
    if metric == "levels":
        return f"{t('days_reaching', lang)} {t(f'level_{stat}', lang)}"
    return f"{t(metric, lang)} {t(stat, lang)}"


def _verdict(verdict: str, lang: str) -> Text:
    return Text(t(_VERDICT_KEY[verdict], lang), style=_VERDICT_STYLE[verdict])


def _is_headline(block: Mapping[str, Any], metric: str, stat: str) -> bool:
    return block[metric][stat].get("row", "headline") == "headline"


def block_rows(block: Mapping[str, Any], kind: str | None, detail: bool) -> list[tuple[str, str]]:
    """The (metric, stat) rows of one block (``kind`` "all": all incidents) that the table shows:
    the headline rows (:data:`~sispam_sim.stats.compare.HEADLINE_ROWS` in their order, then any
    ``--fail-if-worse`` named), and with ``detail`` every other row after them."""
    of = None if kind == "all" else kind   # the kind that decides what is shown (None: all incidents)
    shown = []
    for metric, stats in block.items():
        if metric == "short_minutes" and not kinds.shows(metric, of):
            continue   # short minutes repeat the time to full strength for most kinds (as in `run`)
        shown += [(metric, stat) for stat in stats if stat in TABLE_STATS or metric in ("levels", "unresolved")
                  or _is_headline(block, metric, stat)]
    order = {row: i for i, row in enumerate(HEADLINE_ROWS)}
    heads = sorted((row for row in shown if _is_headline(block, *row)), key=lambda row: order.get(row, len(order)))
    if not detail:
        return heads
    return heads + [row for row in shown if not _is_headline(block, *row)]


def _plan_table(document: Mapping[str, Any], index: int, lang: str, detail: bool) -> Table:
    """One plan against the baseline: a row per statistic, all incidents first, then each kind."""
    plan = document["plans"][index]
    letter = letters(document)[index + 1]
    title = Text(f"{letter} − A: ", style="bold")
    title.append_text(plain(plan["name"]))
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(t("stat", lang))
    table.add_column("A", justify="right")
    table.add_column(letter, justify="right")
    table.add_column(f"{letter} − A [95% CI]", justify="right")
    table.add_column(t("verdict", lang), justify="center")
    blocks = [("all", plan["differences"])] + list(plan["by_kind"].items())
    for kind, block in blocks:
        rows = block_rows(block, kind, detail)
        if not rows:
            continue
        if len(blocks) > 1:
            name = t("all_kinds", lang) if kind == "all" else kinds.label(kind, lang)
            table.add_row(Text(printable(name), style="bold italic"), end_section=False)
        apart = False
        for metric, stat in rows:
            if not apart and not _is_headline(block, metric, stat):
                apart = True
                table.add_row(Text("  " + t("compare_detail_rows", lang), style="dim italic"), end_section=False)
            label, base, value, difference, verdict = difference_cells(block, metric, stat, lang)
            table.add_row(("    " if apart else "  ") + label, base, value, difference,
                          _verdict(block[metric][stat]["verdict"], lang))
    return table


def difference_cells(block: Mapping[str, Any], metric: str, stat: str, lang: str) -> list[str]:
    """One statistic of a plan as text (terminal, Markdown): label, baseline, plan, difference, verdict."""
    entry = block[metric][stat]
    return [_row_label(metric, stat, lang), _number(metric, entry["base"]), _number(metric, entry["plan"]),
            _difference(metric, entry), t(_VERDICT_KEY[entry["verdict"]], lang)]


def letters(document: Mapping[str, Any]) -> list[str]:
    """A for the baseline, B, C, ... for the plans (their names are in the legend above the tables)."""
    return [chr(ord("A") + i) if i < 26 else f"P{i}" for i in range(len(document["plans"]) + 1)]


def _legend(document: Mapping[str, Any]) -> list[Text]:
    names = [document["baseline"], *document["plans"]]
    lines = []
    for letter, plan in zip(letters(document), names):
        line = Text(f"  {letter}  ", style="bold")
        line.append_text(plain(f"{plan['name']} ({plan['file']})"))
        lines.append(line)
    return lines


def _pairing_lines(document: Mapping[str, Any], lang: str) -> list[Text]:
    lines = [Text(t("compare_paired", lang), style="dim")] if document["paired"] else []
    for plan in document["plans"]:
        if plan["paired"]:
            if plan["differs"]["incidents"]:   # paired: the random calls are the same, these are met or told otherwise
                line = Text("  " + t("compare_paired_entries", lang, entries=", ".join(plan["differs"]["incidents"])),
                            style="dim")
                line.append_text(plain(f" ({plan['name']})"))
                lines.append(line)
            continue
        keys = ", ".join(plan["differs"]["keys"])
        line = Text(t("compare_unpaired", lang, keys=keys), style="bold yellow")
        line.append_text(plain(f" ({plan['name']})"))
        lines.append(line)
        if plan["differs"]["incidents"]:
            lines.append(Text("  " + t("compare_differing_entries", lang,
                                       entries=", ".join(plan["differs"]["incidents"])), style="yellow"))
    return lines


def _headline_table(document: Mapping[str, Any], lang: str) -> Table | None:
    entries = [(plan, head) for plan in document["plans"] for head in plan["headline"]]
    if not entries:
        return None
    table = Table(title=t("title_pairing", lang), title_justify="left", header_style="bold")
    for key, justify in (("stat", "left"), ("plan", "left"), ("difference", "right"), ("paired_ci", "right"),
                         ("unpaired_ci", "right"), ("narrower", "right")):
        table.add_column(t(key, lang), justify=justify)
    letter_of = dict(zip((id(p) for p in document["plans"]), letters(document)[1:]))
    for plan, head in entries:
        name = _row_label(head["metric"], head["stat"], lang)
        if head["kind"]:
            name = f"{t(head['kind'], lang, default=head['kind'])}: {name}"
        width = [_ci_text(head["metric"], ci) for ci in (head["paired_ci"], head["unpaired_ci"])]
        narrower = DASH if head["narrower"] is None else f"{head['narrower'] * 100:.0f}%"
        table.add_row(plain(name), f"{letter_of[id(plan)]} − A", _number(head["metric"], head["value"], signed=True),
                      width[0] if head["paired_ci"] else t("not_paired", lang), width[1], narrower)
    return table


def _ci_text(metric: str, ci: Sequence[float | None] | None) -> str:
    """``[lo … hi] (width)``: an interval and its width, in the difference's unit."""
    if not ci:
        return DASH
    lo, hi = ci
    text = f"[{'−∞' if lo is None else _number(metric, lo, signed=True)} … {_number(metric, hi, signed=True)}]"
    if lo is not None and hi is not None:
        text += f" ({_number(metric, hi - lo).lstrip('+')})"
    return text


def _targets_table(document: Mapping[str, Any], lang: str) -> tuple[Table, Text] | None:
    targets = document["targets"]
    if not targets["rows"]:
        return None
    names = [document["baseline"]["name"], *(p["name"] for p in document["plans"])]
    table = Table(title=f"{t('title_targets', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold")
    table.add_column(t("target", lang))
    table.add_column(t("limit", lang), justify="right")
    for letter in letters(document):
        table.add_column(letter, justify="center")
    for row in targets["rows"]:
        first = next(cell for cell in row["plans"] if cell)
        cells = [Text(t(c["verdict"], lang), style=VERDICT_STYLE[c["verdict"]]) if c else DASH for c in row["plans"]]
        table.add_row(target_name(row, lang), target_limit({**row, "limit": first["limit"]}, lang), *cells)
    total = len(targets["rows"])
    met = " · ".join(f"{letter} {m}/{total}" for letter, m in zip(letters(document), targets["met"]))
    line = Text(t("compare_targets_met", lang, met=met) + " — ", style="bold")
    letter_of = dict(zip(names, letters(document)))
    line.append_text(plain(t("compare_most", lang, names=", ".join(letter_of.get(n, n) for n in targets["most"]))))
    return table, line


def render_comparison(document: Mapping[str, Any], console: Console, lang: str = "en", detail: bool = False) -> None:
    """Print the comparison: header, pairing, a table per plan (the headline statistics, or every
    one with ``detail``), pairing's gain, targets."""
    title = Text(f"{t('title_compare', lang)}: ", style="bold")
    title.append_text(plain(document["baseline"]["name"]))
    title.append(f" ({t('baseline', lang)})", style="bold")
    console.print(title)
    console.print(Text(f"{t('replications', lang)}: {fmt_count(document['replications'])} · "
                       f"{t('seed', lang)}: {document['seed']}"))
    for line in warning_lines(document, lang):
        console.print(Text(line, style="bold yellow"))
    for line in _pairing_lines(document, lang):
        console.print(line)
    console.print(Text(t("compare_note", lang), style="dim"))
    if document.get("correction"):
        console.print(Text(t("compare_holm", lang, plans=document["correction"]["comparisons"]), style="dim"))
    for line in _legend(document):
        console.print(line)
    if not detail:
        console.print(Text(t("compare_headline_only", lang), style="dim"))
    for index in range(len(document["plans"])):
        console.print()
        console.print(_plan_table(document, index, lang, detail))
    shown = sum(1 for plan in document["plans"]
                for kind, block in [("all", plan["differences"]), *plan["by_kind"].items()]
                for row in block_rows(block, kind, detail) if not _is_headline(block, *row))
    if shown:   # the rows this table shows (it leaves out the maxima that comparison.json has)
        console.print(Text(detail_note(shown, lang, document["rows"]["detail"]), style="dim"))
    if any(entry.get("censored") for plan in document["plans"]
           for block in (plan["differences"], *plan["by_kind"].values())
           for stats in block.values() for entry in stats.values()):
        console.print(Text(t("compare_censored", lang), style="dim"))
    headline = _headline_table(document, lang)
    if headline is not None:
        console.print()
        console.print(headline)
        console.print(Text(t("compare_pairing_note", lang), style="dim"))
    targets = _targets_table(document, lang)
    console.print()
    if targets is None:
        console.print(Text(t("no_targets", lang), style="dim"))
    else:
        console.print(targets[0])
        console.print(targets[1])


def warning_lines(document: Mapping[str, Any], lang: str) -> list[str]:
    """The comparison's warnings as sentences (every output prints them)."""
    return [t("compare_few_days", lang, days=w["days"], fewest=w["fewest"])
            for w in document.get("warnings", []) if w.get("code") == "few_days"]


def detail_note(rows: int, lang: str, total: int | None = None) -> str:
    """What ``rows`` detail rows' verdicts mean together: each at 5 %, about one in twenty by chance
    (``total``: how many the document has, when the output shows fewer)."""
    more = t("compare_detail_more", lang, rows=total) if total is not None and total != rows else ""
    return t("compare_detail_note", lang, rows=rows, chance=_about(rows * ALPHA), more=more)


def _about(count: float) -> str:
    """An expected count as a person says it: whole from one up, a tenth below."""
    return f"{count:.0f}" if count >= 1 else f"{count:.1f}"


def comparison_csv(document: Mapping[str, Any]) -> str:
    """One row per plan, kind (empty: all incidents), metric and statistic (``CSV_COLUMNS``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for plan in document["plans"]:
        for kind, table in ((None, plan["differences"]), *plan["by_kind"].items()):
            for metric, stats in table.items():
                for stat, e in stats.items():
                    writer.writerow([format_cell(v) for v in (
                        plan["name"], kind, metric, stat, e["base"], e["plan"], e["value"], e["ci"][0], e["ci"][1],
                        e["verdict"], e["p_value"], e["censored"], plan["paired"], e.get("row"))])
    return buf.getvalue()


def write_comparison(out_dir: str | os.PathLike, document: Mapping[str, Any], page: str | None = None) -> list[Path]:
    """``comparison.json``, ``comparison.csv`` and (given its ``page``) ``comparison.html`` in
    ``out_dir``, all or none (:func:`~sispam_sim.runner.output.write_texts`)."""
    from sispam_sim.runner.output import write_texts

    texts = {"comparison.json": results_json(document), "comparison.csv": comparison_csv(document)}
    if page is not None:
        texts["comparison.html"] = page
    return write_texts(out_dir, texts)
