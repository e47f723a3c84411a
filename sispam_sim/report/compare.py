"""Render a comparison of plans (:func:`sispam_sim.stats.compare.compare`): terminal tables,
``comparison.json`` and ``comparison.csv``. Computes nothing; user text is printed plainly.

How a difference reads: plan − baseline in minutes (a count for unresolved incidents, a level,
a share of days in points), its 95% interval in brackets, and a verdict where lower is better.
A value among incidents not reached or not resolved by the end of the run prints ``> X`` (a mean
that counts them at their wait so far ``≥ X``), and so does a difference only the plan's side of
which lies among them (``< X`` when only the baseline's does); ``*`` marks a difference both sides
of which do: it is not exact. The decision table (:mod:`sispam_sim.report.decision`) comes first
and the recommendation last, so that it stays on screen. Headline rows (planned tests) come first; ``--detail``
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
from sispam_sim.report import numbers
from sispam_sim.report.decision import LOOK, Part, decision_csv, decision_rows, plan_name, plan_notes, recommendation_text
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import DASH, fit, fmt_count, fmt_percent, plain
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import INCIDENT_METRICS
from sispam_sim.stats.compare import ALPHA, HEADLINE_ROWS
from sispam_sim.stats.decision import letter

__all__ = ["render_comparison", "comparison_csv", "write_comparison", "COMPARISON_FILES", "CSV_COLUMNS",
           "VERDICT_LOOK", "decision_table", "decision_rows", "recommendation_text", "plan_notes", "decision_csv"]

COMPARISON_FILES = ("comparison.json", "comparison.csv", "decision.csv")
#: ``censored``: either plan's value lies among censored incidents; ``base_censored`` / ``plan_censored``: which.
CSV_COLUMNS = ("plan", "kind", "metric", "stat", "baseline", "value", "difference", "ci_low", "ci_high",
               "verdict", "p_value", "censored", "paired", "row", "letter", "base_censored", "plan_censored")
#: Statistics the tables show per incident metric (results.json and the CSV have max too).
TABLE_STATS = ("mean", "p50", "p90", "p95", "p99")
#: verdict -> (CSS class, rich style): better, worse, no difference, not better, too close, pass, fail,
#: untested, and a plan's decision (kept, undecided, not_kept, ruled_out, not_comparable).
VERDICT_LOOK = LOOK
_VERDICT_KEY = {"better": "better", "worse": "worse", "no difference": "no_difference", "not better": "not_better"}


def _number(metric: str, value: float | None, signed: bool = False, lang: str = "en") -> str:
    """A value (minutes, a count per day, a share of days) or, ``signed``, a difference (a share in
    points), as ``lang`` writes numbers (``15.3`` / ``15,3``)."""
    if value is None:
        return "∞" if signed else DASH
    if metric == "levels" and not signed:
        return fmt_percent(value, lang)
    scale, digits = (100.0, 1) if metric == "levels" else (1.0, 1 if metric in INCIDENT_METRICS else 2)
    if not signed:
        return numbers.decimal(value, digits, lang, grouping=False)
    text = f"{value * scale:+.{digits}f}"
    return numbers.localise(text[1:] if float(text) == 0 else text, lang)


def _bound(entry: Mapping[str, Any], stat: str, side: str) -> str:
    """``> `` (``≥ `` for a mean) where ``side``'s value lies among censored incidents, else nothing."""
    return ("≥ " if stat == "mean" else "> ") if entry.get(f"{side}_censored") else ""


def _value(metric: str, stat: str, entry: Mapping[str, Any], side: str, lang: str = "en") -> str:
    """The baseline's (``side`` "base") or the plan's value, ``> X`` among censored incidents."""
    return _bound(entry, stat, side) + _number(metric, entry[side], lang=lang)


def _difference(metric: str, entry: Mapping[str, Any], stat: str = "", lang: str = "en") -> str:
    value = _number(metric, entry["value"], signed=True, lang=lang)
    base, plan = entry.get("base_censored"), entry.get("plan_censored")
    if entry.get("censored") and base is None:   # a document without the sides: the flag alone
        text = value + "*"
    elif plan and not base:   # the plan's true value is higher still: so is the difference
        text = _bound(entry, stat, "plan") + value
    elif base and not plan:
        text = ("≤ " if stat == "mean" else "< ") + value
    else:
        text = value + ("*" if base and plan else "")
    lo, hi = entry["ci"]
    if not (lo == hi == 0):
        low = "−∞" if lo is None else _number(metric, lo, signed=True, lang=lang)
        text += f" [{low} … {_number(metric, hi, signed=True, lang=lang)}]"
    return text


def _row_label(metric: str, stat: str, lang: str) -> str:
    if metric == "levels":
        return f"{t('days_reaching', lang)} {t(f'level_{stat}', lang)}"
    return f"{t(metric, lang)} {t(stat, lang)}"


def _verdict(verdict: str, lang: str) -> Text:
    return Text(t(_VERDICT_KEY[verdict], lang), style=LOOK[verdict][1])


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
    title.append_text(plain(plan_name(plan, lang)))
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(t("stat", lang))
    table.add_column("A", justify="right")
    table.add_column(letter, justify="right")
    table.add_column(Text(f"{letter} − A [{t('ci_95', lang)}]"), justify="right")   # Text: "[selang" is no markup
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
    return [_row_label(metric, stat, lang), _value(metric, stat, entry, "base", lang),
            _value(metric, stat, entry, "plan", lang), _difference(metric, entry, stat, lang),
            t(_VERDICT_KEY[entry["verdict"]], lang)]


def letters(document: Mapping[str, Any]) -> list[str]:
    """A for the baseline, B, C, ... for the plans (their names are in the legend above the tables)."""
    return [letter(i) for i in range(len(document["plans"]) + 1)]


def _legend(document: Mapping[str, Any], lang: str = "en") -> list[Text]:
    names = [document["baseline"], *document["plans"]]
    lines = []
    for letter, plan in zip(letters(document), names):
        line = Text(f"  {letter}  ", style="bold")
        line.append_text(plain(f"{plan_name(plan, lang)} ({plan['file']})"))
        lines.append(line)
    return lines


def _pairing_lines(document: Mapping[str, Any], lang: str) -> list[Text]:
    lines = [Text(t("compare_paired", lang), style="dim")] if document["paired"] else []
    for plan in document["plans"]:
        if plan["paired"]:
            if plan["differs"]["incidents"]:   # paired: the random calls are the same, these are met or told otherwise
                line = Text("  " + t("compare_paired_entries", lang, entries=", ".join(plan["differs"]["incidents"])),
                            style="dim")
                line.append_text(plain(f" ({plan_name(plan, lang)})"))
                lines.append(line)
            continue
        keys = ", ".join(plan["differs"]["keys"])
        line = Text(t("compare_unpaired", lang, keys=keys), style="bold yellow")
        line.append_text(plain(f" ({plan_name(plan, lang)})"))
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
        width = [_ci_text(head["metric"], ci, lang) for ci in (head["paired_ci"], head["unpaired_ci"])]
        narrower = DASH if head["narrower"] is None else numbers.percent(head["narrower"] * 100, lang, 0)
        table.add_row(plain(name), f"{letter_of[id(plan)]} − A",
                      _number(head["metric"], head["value"], signed=True, lang=lang),
                      width[0] if head["paired_ci"] else t("not_paired", lang), width[1], narrower)
    return table


def _ci_text(metric: str, ci: Sequence[float | None] | None, lang: str = "en") -> str:
    """``[lo … hi] (width)``: an interval and its width, in the difference's unit."""
    if not ci:
        return DASH
    lo, hi = ci
    text = (f"[{'−∞' if lo is None else _number(metric, lo, signed=True, lang=lang)} … "
            f"{_number(metric, hi, signed=True, lang=lang)}]")
    if lo is not None and hi is not None:
        text += f" ({_number(metric, hi - lo, lang=lang).lstrip('+')})"
    return text


def _cell(parts: Sequence[Part]) -> Text:
    """A decision cell as one rich Text, a line per part, each in its verdict's style."""
    text = Text(justify="center")
    for i, part in enumerate(parts):
        if i:
            text.append("\n")
        text.append(printable(part.text), style=LOOK[part.look][1] if part.look else "")
    return text


_NOTE_STYLE = {"ruled_out": "bold red", "not_comparable": "yellow"}


def decision_table(document: Mapping[str, Any], lang: str, width: int | None = None) -> Table:
    """The decision table: the plans as columns (A, the baseline, first), a row per target, unresolved
    per day, the highest level and the days reaching kuning and merah, the headline rows against the
    baseline, and what the decision says of each plan (``width``: fit the table into it)."""
    table = Table(title=f"{t('title_decision', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold", show_lines=True)
    table.add_column("")
    for letter in letters(document):
        table.add_column(letter, justify="center")
    for label, cells in decision_rows(document, lang):
        table.add_row(Text(printable(label)), *(_cell(cell) for cell in cells))
    return fit(table, width) if width else table


def _recommendation_lines(document: Mapping[str, Any], lang: str) -> list[Text]:
    """The recommendation, then why each plan is ruled out or not comparable, and the plans' call-outs."""
    lines = [Text(printable(recommendation_text(document, lang)), style="bold")]
    lines += [Text(printable(note), style=_NOTE_STYLE.get(look, "")) for look, note in plan_notes(document, lang)]
    return lines


def render_comparison(document: Mapping[str, Any], console: Console, lang: str = "en", detail: bool = False) -> None:
    """Print the comparison: header, the plans' letters, the decision table and its recommendation,
    then pairing, a table per plan (the headline statistics, or every one with ``detail``), pairing's
    gain, and the recommendation again as the last line (it stays on screen)."""
    title = Text(f"{t('title_compare', lang)}: ", style="bold")
    title.append_text(plain(plan_name(document["baseline"], lang)))
    title.append(f" ({t('baseline', lang)})", style="bold")
    console.print(title)
    console.print(Text(f"{t('replications', lang)}: {fmt_count(document['replications'], lang)} · "
                       f"{t('seed', lang)}: {document['seed']}"))
    for line in warning_lines(document, lang):
        console.print(Text(line, style="bold yellow"))
    for line in _legend(document, lang):
        console.print(line)
    console.print()
    console.print(decision_table(document, lang, console.width))
    for line in _recommendation_lines(document, lang):
        console.print(line)
    console.print()
    for line in _pairing_lines(document, lang):
        console.print(line)
    console.print(Text(t("compare_note", lang), style="dim"))
    if document.get("correction"):
        console.print(Text(t("compare_holm", lang, plans=document["correction"]["comparisons"]), style="dim"))
    if not detail:
        console.print(Text(t("compare_headline_only", lang), style="dim"))
    for index in range(len(document["plans"])):
        console.print()
        console.print(_plan_table(document, index, lang, detail))
    entries = [entry for plan in document["plans"] for block in (plan["differences"], *plan["by_kind"].values())
               for stats in block.values() for entry in stats.values()]
    shown = sum(1 for plan in document["plans"]
                for kind, block in [("all", plan["differences"]), *plan["by_kind"].items()]
                for row in block_rows(block, kind, detail) if not _is_headline(block, *row))
    if shown:   # the rows this table shows (it leaves out the maxima that comparison.json has)
        console.print(Text(detail_note(shown, lang, document["rows"]["detail"]), style="dim"))
    if any(entry.get("censored") for entry in entries):
        console.print(Text(t("compare_censored_bounds", lang), style="dim"))
    if any(entry["verdict"] == "not better" for entry in entries):
        console.print(Text(t("compare_not_better_note", lang), style="dim"))
    headline = _headline_table(document, lang)
    if headline is not None:
        console.print()
        console.print(headline)
        console.print(Text(t("compare_pairing_note", lang), style="dim"))
    console.print()
    console.print(Text(printable(recommendation_text(document, lang)), style="bold"))


def warning_lines(document: Mapping[str, Any], lang: str) -> list[str]:
    """The comparison's warnings as sentences (every output prints them)."""
    return [t("compare_few_days", lang, days=w["days"], fewest=w["fewest"])
            for w in document.get("warnings", []) if w.get("code") == "few_days"]


def detail_note(rows: int, lang: str, total: int | None = None) -> str:
    """What ``rows`` detail rows' verdicts mean together: each at 5 %, about one in twenty by chance
    (``total``: how many the document has, when the output shows fewer)."""
    more = t("compare_detail_more", lang, rows=total) if total is not None and total != rows else ""
    return t("compare_detail_note", lang, rows=rows, chance=_about(rows * ALPHA, lang), more=more)


def _about(count: float, lang: str = "en") -> str:
    """An expected count as a person says it: whole from one up, a tenth below."""
    return numbers.decimal(count, 0 if count >= 1 else 1, lang)


def comparison_csv(document: Mapping[str, Any]) -> str:
    """One row per plan, kind (empty: all incidents), metric and statistic (``CSV_COLUMNS``): raw numbers,
    and beside them whether the baseline's and the plan's value lie among censored incidents."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for letter, plan in zip(letters(document)[1:], document["plans"]):
        for kind, table in ((None, plan["differences"]), *plan["by_kind"].items()):
            for metric, stats in table.items():
                for stat, e in stats.items():
                    writer.writerow([format_cell(v) for v in (
                        plan["name"], kind, metric, stat, e["base"], e["plan"], e["value"], e["ci"][0], e["ci"][1],
                        e["verdict"], e["p_value"], e["censored"], plan["paired"], e.get("row"), letter,
                        e.get("base_censored"), e.get("plan_censored"))])
    return buf.getvalue()


def write_comparison(out_dir: str | os.PathLike, document: Mapping[str, Any], page: str | None = None) -> list[Path]:
    """``comparison.json``, ``comparison.csv``, ``decision.csv`` and (given its ``page``) ``comparison.html`` in
    ``out_dir``, all or none (:func:`~sispam_sim.runner.output.write_texts`)."""
    from sispam_sim.runner.output import write_texts

    texts = {"comparison.json": results_json(document), "comparison.csv": comparison_csv(document),
             "decision.csv": decision_csv(document)}
    if page is not None:
        texts["comparison.html"] = page
    return write_texts(out_dir, texts)
