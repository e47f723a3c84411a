"""Markdown and CSV for the command post: the findings (the bottom line first), the targets and
headline tables, to paste into a briefing, a chat or a spreadsheet (``--format markdown``; ``targets.csv`` and ``headline.csv``
under ``--out``).

The Markdown tables hold the same cells as the terminal tables (they share the functions that
make them), as GitHub-flavoured Markdown. User text is made inert: control characters escaped
(:func:`~sispam_sim.errors.printable`), and every character Markdown or HTML would act on
(``| * _ ` [ ] < > # \\``) backslash-escaped, newlines folded into spaces. The CSVs hold the raw
numbers (minutes, shares as fractions), for machines.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Mapping, Sequence

from sispam_sim.errors import printable
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import (
    TARGET_HEADERS, kind_headers, kind_rows, kind_title, run_blocks, target_cells,
)
from sispam_sim.scenario import kinds

__all__ = ["md_text", "md_table", "run_markdown", "check_markdown", "compare_markdown", "targets_csv",
           "headline_csv", "RUN_CSV_FILES"]

#: What ``run --out`` writes beside the four files of the output contract.
RUN_CSV_FILES = ("targets.csv", "headline.csv")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_text(text: object) -> str:
    """Text as Markdown shows it literally: one line, nothing a renderer would act on."""
    return _SPECIAL.sub(r"\\\1", " ".join(printable(text).replace("\\n", " ").split()))


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GitHub-flavoured Markdown table; columns in ``right`` are right-aligned."""
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(md_text(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _targets_section(rows: Sequence[Mapping[str, Any]], lang: str) -> str:
    if not rows:
        return md_text(t("no_targets", lang)) + "\n"
    return md_table([t(key, lang) for key in TARGET_HEADERS], [target_cells(row, lang) for row in rows],
                    right=(1, 2, 3))


def _findings_section(document: Mapping[str, Any], lang: str) -> list[str]:
    """The findings first: the bottom line, a sentence per failed or too-close target and single
    point of failure, and where the minutes of each incident metric's finding go (a table)."""
    from sispam_sim.report.findings import bottom_line, finding_head, sentences, split_headers, split_rows

    found = document.get("findings")
    if found is None:
        return []
    parts = [f"**{md_text(bottom_line(document, lang))}**\n", f"### {md_text(t('finding_title', lang))}\n"]
    lines = sentences(document, lang)
    if lines:
        parts.append("\n".join(f"- {md_text(line)}" for line in lines) + "\n")
    for finding in found.get("targets") or []:
        rows = split_rows(finding, lang)
        if rows:
            parts.append(f"#### {md_text(t('finding_split_title', lang))}: {md_text(finding_head(finding, lang))}\n")
            headers = split_headers(finding, lang)
            parts.append(md_table(headers, rows, right=range(1, len(headers))))
    return parts


def run_markdown(document: Mapping[str, Any], lang: str = "en", scenario=None) -> str:
    """The run's findings (the bottom line up front), targets and a headline table per incident kind.

    ``scenario``: the loaded scenario when the caller has it, for its own text in ``lang`` (a format
    1.1 ``name_id``); without it, the English name in ``results.json``."""
    from sispam_sim.report.glossary import scenario_text

    manifest = document.get("manifest") or {}
    name = (scenario_text(scenario.spec, "name", lang) if scenario is not None else None) or \
        (document.get("scenario") or {}).get("name", "")
    parts = [f"## {md_text(t('title_run', lang))}: {md_text(name)}\n",
             *_findings_section(document, lang),
             md_text(f"{t('replications', lang)}: {manifest.get('replications')} · {t('seed', lang)}: "
                     f"{manifest.get('seed')}. {t('times_note', lang)}") + "\n",
             f"### {md_text(t('title_targets', lang))} ({md_text(t('minutes', lang))})\n",
             _targets_section(document.get("targets") or [], lang)]
    for kind, block in run_blocks(document):
        parts.append(f"### {md_text(kind_title(kind, block, lang))}\n")
        parts.append(md_table(kind_headers(lang), kind_rows(kind, block, lang), right=range(1, 6)))
    return "\n".join(parts)


def check_markdown(document: Mapping[str, Any], lang: str = "en") -> str:
    """check's table per file, then its verdict lines."""
    from sispam_sim.report.check import FILE_HEADERS, file_rows, scenario_name, summary

    parts = []
    for entry in document["files"]:
        parts.append(f"### {md_text(t('title_check', lang))}: {md_text(scenario_name(entry, lang))} — "
                     f"{md_text(entry['file'])} ({md_text(t('minutes', lang))})\n")
        if entry.get("reason") != "no targets":
            parts.append(md_table([t(key, lang) for key in FILE_HEADERS], file_rows(entry, lang), right=(1, 2, 3, 4)))
    parts.append("\n".join(f"- {md_text(line.plain)}" for line in summary(document, lang)) + "\n")
    return "\n".join(parts)


def compare_markdown(document: Mapping[str, Any], lang: str = "en") -> str:
    """compare's decision table and recommendation first, then its headline differences, one table per
    plan against the baseline. A decision cell's lines are joined with `` · ``; censored values read ``> X``."""
    from sispam_sim.report.compare import block_rows, difference_cells, letters, warning_lines
    from sispam_sim.report.decision import decision_rows, plan_name, plan_notes, recommendation_text

    names = [document["baseline"], *document["plans"]]
    parts = [f"## {md_text(t('title_compare', lang))}: {md_text(plan_name(document['baseline'], lang))}\n",
             *(f"> **{md_text(line)}**\n" for line in warning_lines(document, lang)),
             "\n".join(f"- **{letter}**: {md_text(plan_name(plan, lang))} ({md_text(plan['file'])})"
                       for letter, plan in zip(letters(document), names)) + "\n"]
    if "decision" in document:
        parts.append(f"### {md_text(t('title_decision', lang))} ({md_text(t('minutes', lang))})\n")
        parts.append(md_table(["", *letters(document)],
                              [[label, *(" · ".join(part.text for part in cell) for cell in cells)]
                               for label, cells in decision_rows(document, lang)]))
        parts.append(f"**{md_text(recommendation_text(document, lang))}**\n")
        notes = [note for _, note in plan_notes(document, lang)]
        if notes:
            parts.append("\n".join(f"- {md_text(note)}" for note in notes) + "\n")
    for index, plan in enumerate(document["plans"]):
        letter = letters(document)[index + 1]
        rows = []
        for kind, block in [("all", plan["differences"]), *plan["by_kind"].items()]:
            name = t("all_kinds", lang) if kind == "all" else kinds.label(kind, lang)
            rows += [[name, *difference_cells(block, metric, stat, lang)]
                     for metric, stat in block_rows(block, kind, detail=False)]
        parts.append(f"### {letter} − A: {md_text(plan_name(plan, lang))}\n")
        parts.append(md_table([t("kind", lang), t("stat", lang), "A", letter,
                               f"{letter} − A [{t('ci_95', lang)}]", t("verdict", lang)], rows, right=(2, 3, 4)))
    return "\n".join(parts)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    from sispam_sim.runner.output import format_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(cell, 6) for cell in row])
    return buf.getvalue()


def _ci(entry: Mapping[str, Any] | None) -> tuple[Any, Any]:
    ci = (entry or {}).get("ci") or (None, None)
    return ci[0], ci[1]


def targets_csv(document: Mapping[str, Any]) -> str:
    """``targets.csv``: one row per target, raw numbers (minutes; shares as fractions). A column
    ``phase`` follows ``kind`` when a target is set per phase (format 1.1 ``targets.by_phase``)."""
    targets = document.get("targets") or []
    phased = any(row.get("phase") is not None for row in targets)
    rows = []
    for row in targets:
        share = row.get("share_within") or {}
        rows.append([row.get("kind") or "", *([row.get("phase") or ""] if phased else []), row["metric"],
                     row["stat"], row["limit"], row.get("value"), *_ci(row), share.get("value"), *_ci(share),
                     row.get("n"), row["verdict"]])
    return _csv(("kind", *(("phase",) if phased else ()), "metric", "stat", "limit", "value", "ci_low", "ci_high",
                 "share_within", "share_ci_low", "share_ci_high", "incidents", "verdict"), rows)


def headline_csv(document: Mapping[str, Any]) -> str:
    """``headline.csv``: per kind (``all`` for every incident) and time metric, each statistic with
    its interval and whether it lies among censored incidents (minutes)."""
    metrics = document.get("metrics") or {}
    blocks = [("all", metrics.get("all") or {}), *(metrics.get("by_kind") or {}).items()]
    rows = []
    for kind, block in blocks:
        for metric, entry in block.items():
            if not isinstance(entry, Mapping) or "mean" not in entry or "p50" not in entry:
                continue
            for stat in ("mean", "p50", "p90", "p95", "p99", "max"):
                value = entry.get(stat) or {}
                rows.append([kind, metric, stat, entry.get("n"), value.get("value"), *_ci(value),
                             bool(value.get("censored") or value.get("lower_bound"))])
    return _csv(("kind", "metric", "stat", "incidents", "value", "ci_low", "ci_high", "censored"), rows)
