"""The decision table of a comparison (``document["decision"]``, :mod:`sispam_sim.stats.decision`)
as text: cells and sentences every output of ``compare`` shares (terminal, Markdown, CSV, and the
data ``comparison.html`` draws). Computes nothing.

A cell is a list of :class:`Part` (a line of text and its *look*, a verdict key of :data:`LOOK`);
:data:`LOOK` maps each verdict to a CSS class and a rich style, with distinct colours for better,
worse, no difference, too close, ruled out and kept, and words that carry the meaning without them
(greyscale, a screen reader). A value among censored incidents prints ``> X`` (a mean that counts
them ``≥ X``); a value that rounds to its target's limit gets the digits that tell the sides apart
(15.01, not 15.0 against a 15-minute limit). User text (plan names) is printed plainly by the caller.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from sispam_sim.errors import printable
from sispam_sim.report import numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import DASH, LEVEL_NAMES, fmt_percent, target_limit, target_name
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import canonical_metric

__all__ = ["LOOK", "Part", "decision_rows", "plan_name", "recommendation_text", "plan_notes", "decision_csv", "DECISION_COLUMNS",
           "value_text", "status_key", "plan_label"]


@dataclass(frozen=True)
class Part:
    """One line of a cell: its text and its look (a key of :data:`LOOK`, or None: plain)."""

    text: str
    look: str | None = None


#: verdict -> (CSS class of comparison.html, rich style of the terminal). Distinct hues and weights;
#: the words say the same without colour.
LOOK: dict[str, tuple[str, str]] = {
    "better": ("verdict-better", "bold green"),
    "worse": ("verdict-worse", "bold red"),
    "no difference": ("verdict-same", "grey50"),
    "not better": ("verdict-not-better", "bold dark_orange"),
    "too_close": ("verdict-too_close", "bold magenta"),
    "pass": ("verdict-pass", "green"),
    "fail": ("verdict-fail", "red"),
    "untested": ("verdict-untested", "yellow"),
    "kept": ("verdict-kept", "bold black on green"),
    "undecided": ("verdict-undecided", "bold blue"),
    "not_kept": ("verdict-not-kept", "grey50"),
    "ruled_out": ("verdict-ruled-out", "bold white on red"),
    "not_comparable": ("verdict-not-comparable", "italic yellow"),
}
#: A difference verdict's label key.
_DIFFERENCE_KEY = {"better": "better", "worse": "worse", "no difference": "no_difference", "not better": "not_better"}
DECISION_COLUMNS = ("letter", "plan", "decision", "reasons", "row", "kind", "phase", "metric", "stat", "limit",
                    "value", "ci_low", "ci_high", "censored", "verdict", "difference", "days")


def plan_name(plan: Mapping[str, Any], lang: str = "en") -> str:
    """A plan's (or the baseline's) name in ``lang``: its ``name_id`` in Indonesian where it has one."""
    return plan["name_id"] if lang == "id" and plan.get("name_id") else plan["name"]


def plan_label(document: Mapping[str, Any], index: int, lang: str = "en") -> str:
    """``C (name)``: a plan by its letter and name in ``lang`` (its format 1.1 ``name_id`` in Indonesian,
    where the scenario has one; names may repeat, letters do not)."""
    plan = document["decision"]["plans"][index]
    return f"{plan['letter']} ({printable(plan_name(plan, lang))})"


def status_key(document: Mapping[str, Any], index: int) -> str:
    """What the decision says of plan ``index``: kept, undecided (the data cannot choose between it and
    others), not_kept, ruled_out or not_comparable."""
    plan, recommendation = document["decision"]["plans"][index], document["decision"]["recommendation"]
    if plan["status"] in ("kept", "ruled_out", "not_comparable"):
        return plan["status"]
    return "undecided" if index in recommendation["between"] else "not_kept"


def _digits(value: float, limit: float | None, digits: int, lang: str = "en") -> str:
    """``value`` with ``digits`` decimals (as ``lang`` writes them), more (up to 3) where it would print
    as the limit or on the limit's other side: 15.012 against 15 is 15.01, not 15.0."""
    text = f"{value:.{digits}f}"
    while limit is not None and value != limit and digits < 3 and \
            (float(text) == limit or (float(text) > limit) != (value > limit)):
        digits += 1
        text = f"{value:.{digits}f}"
    return numbers.decimal(value, digits, lang, grouping=False)


def value_text(metric: str, value: float | None, censored: bool = False, lower_bound: bool = False,
               limit: float | None = None, lang: str = "en") -> str:
    """A value as the decision table prints it: minutes with one decimal, an unresolved count per day
    with two, a level by its name; ``> X`` among censored incidents, ``≥ X`` for a mean that counts them."""
    if value is None:
        return DASH
    metric = canonical_metric(metric)
    if metric == "max_level":
        return LEVEL_NAMES.get(int(value), str(value)) if float(value).is_integer() else \
            numbers.decimal(value, 2, lang)
    text = _digits(value, limit, 2 if metric == "unresolved" else 1, lang)
    return f"> {text}" if censored else f"≥ {text}" if lower_bound else text


def _difference(verdict: str | None, lang: str, keep_same: bool = False) -> list[Part]:
    """The paired difference's verdict as a line (``no difference`` only when ``keep_same``)."""
    if verdict is None or (verdict == "no difference" and not keep_same):
        return []
    return [Part(t(_DIFFERENCE_KEY.get(verdict, "no_difference"), lang), verdict)]


def _target_cell(row: Mapping[str, Any], cell: Mapping[str, Any] | None, lang: str) -> list[Part]:
    if cell is None:
        return [Part(DASH)]
    verdict = cell["verdict"]
    if verdict == "untested":
        return [Part(t("untested", lang), "untested")]
    value = value_text(row["metric"], cell.get("value"), bool(cell.get("value_censored")),
                       bool(cell.get("lower_bound")), cell.get("limit"), lang)
    return [Part(value), Part(t(verdict, lang), verdict), *_difference(cell.get("difference"), lang)]


def _unresolved_cell(cell: Mapping[str, Any], lang: str) -> list[Part]:
    ci = cell.get("ci")
    text = value_text("unresolved", cell["value"], lang=lang)
    if ci and ci[0] is not None and ci[1] is not None and not (ci[0] == ci[1] == cell["value"]):
        text += f" [{value_text('unresolved', ci[0], lang=lang)}–{value_text('unresolved', ci[1], lang=lang)}]"
    parts = [Part(text)]
    if cell["days"]:
        parts.append(Part(t("decision_days", lang, days=cell["days"], total=cell["of"])))
    return parts + _difference(cell.get("difference"), lang)


def _level_cells(cell: Mapping[str, Any], lang: str) -> list[list[Part]]:
    """The highest level's cell, then the share of days reaching kuning and merah."""
    verdicts = cell.get("difference") or {}
    highest = [Part(LEVEL_NAMES.get(cell["level"], DASH) if cell["level"] else DASH),
               *_difference(verdicts.get("highest"), lang)]
    shares = [[Part(fmt_percent((cell["days"].get(level) or {}).get("value"), lang)),
               *_difference(verdicts.get(level), lang)] for level in ("2", "3")]
    return [highest, *shares]


def _against_cell(plan: Mapping[str, Any], lang: str) -> list[Part]:
    counts = plan["rows"]
    if counts is None:
        return [Part(t("baseline", lang))]
    parts = [Part(f"{t(_DIFFERENCE_KEY[verdict], lang)} {counts[verdict]}", verdict)
             for verdict in ("better", "worse", "not better") if counts[verdict]]
    return parts or [Part(t("no_difference", lang), "no difference")]


def _status_cell(document: Mapping[str, Any], index: int, lang: str) -> list[Part]:
    key = status_key(document, index)
    parts = [Part(t(f"decision_{key}", lang), key)]
    reasons = document["decision"]["plans"][index]["reasons"]
    parts += [Part(t(f"reason_{reason}", lang), key) for reason in reasons]
    return parts


def decision_rows(document: Mapping[str, Any], lang: str) -> list[tuple[str, list[list[Part]]]]:
    """The decision table as text: ``(row label, one cell per plan)``, the baseline's column first.
    Rows: every target (value, verdict, and the paired difference where it reads better or worse),
    unresolved per day, the highest level and the days reaching kuning and merah, the headline rows
    against the baseline, and the decision (kept, undecided, ruled out and why)."""
    decision = document["decision"]
    out = []
    for row in decision["rows"]:
        if row["row"] == "target":
            label = f"{target_name(row, lang, short=True)} {target_limit({**row, 'limit': _limit(row)}, lang)}"
            out.append((label, [_target_cell(row, cell, lang) for cell in row["cells"]]))
        elif row["row"] == "unresolved":
            out.append((t("unresolved_per_day", lang), [_unresolved_cell(cell, lang) for cell in row["cells"]]))
        elif row["row"] == "highest_level" and any(cell["level"] for cell in row["cells"]):   # a crowd somewhere
            cells = [_level_cells(cell, lang) for cell in row["cells"]]
            labels = (t("decision_highest_level", lang), f"{t('days_reaching', lang)} {t('level_2', lang)}",
                      f"{t('days_reaching', lang)} {t('level_3', lang)}")
            # a target on the highest level already shows it, with its verdict
            shown = any(r["row"] == "target" and canonical_metric(r["metric"]) == "max_level" and r["kind"] is None
                        and r.get("phase") is None for r in decision["rows"])
            out += [(label, [c[i] for c in cells]) for i, label in enumerate(labels) if i or not shown]
    out.append((t("decision_against", lang), [_against_cell(plan, lang) for plan in decision["plans"]]))
    out.append((t("decision_status", lang), [_status_cell(document, i, lang) for i in range(len(decision["plans"]))]))
    return out


def _limit(row: Mapping[str, Any]) -> float | None:
    return next((cell["limit"] for cell in row["cells"] if cell), None)


def _targets_named(document: Mapping[str, Any], positions: Sequence[int], lang: str) -> str:
    targets = [row for row in document["decision"]["rows"] if row["row"] == "target"]
    return ", ".join(f"{target_name(targets[i], lang, short=True)} {t(targets[i]['stat'], lang)}" for i in positions)


#: How many rows a sentence names before "...".
_NAMED_ROWS = 3


def _rows_named(rows: Sequence[Sequence[Any]], lang: str) -> str:
    """``Response time mean, Rapid response: Resolution time mean, ...``: the first rows a sentence names."""
    names = []
    for kind, metric, stat in rows[:_NAMED_ROWS]:
        name = f"{t('days_reaching', lang)} {t(f'level_{stat}', lang)}" if metric == "levels" else \
            f"{t(metric, lang)} {t(stat, lang)}"
        names.append(f"{kinds.label(kind, lang)}: {name}" if kind else name)
    return ", ".join(names) + (", …" if len(rows) > _NAMED_ROWS else "")


def recommendation_text(document: Mapping[str, Any], lang: str) -> str:
    """The one sentence that names the plan to keep and why, or says that the data cannot choose."""
    decision = document["decision"]
    rec = decision["recommendation"]
    if rec["outcome"] == "keep":
        index = rec["plan"]
        plan = decision["plans"][index]
        targets = t("rec_targets", lang, passed=plan["targets"]["passed"], total=plan["targets"]["total"]) \
            if plan["targets"]["total"] else ""
        if index == 0:
            why = t("rec_only_baseline" if "only_baseline" in rec["why"] else "rec_others_worse", lang)
        else:
            why = t("rec_better", lang, better=plan["rows"]["better"], rows=_rows_named(plan["rows"]["on"]["better"],
                                                                                       lang))
            if "most_targets" in rec["why"]:
                why += t("rec_most_targets", lang)
        text = t("rec_keep", lang, plan=plan_label(document, index, lang), why=why + targets)
        cautions = []
        if "unresolved" in rec["cautions"]:
            cautions.append(t("rec_caution_unresolved", lang))
        if rec["fails"]:
            cautions.append(t("rec_caution_fails", lang, targets=_targets_named(document, rec["fails"], lang)))
        if rec["too_close"]:
            cautions.append(t("rec_caution_too_close", lang, targets=_targets_named(document, rec["too_close"], lang)))
        if cautions:
            text += " " + t("rec_still", lang, cautions="; ".join(cautions))
        return text
    names = [plan_label(document, i, lang) for i in rec["between"]]
    listed = t("rec_and", lang, first=", ".join(names[:-1]), last=names[-1]) if len(names) > 1 else names[0]
    why = "; ".join(t(f"rec_{code}", lang) for code in rec["why"])
    text = t("rec_cannot", lang, plans=listed, why=why)
    if rec["too_close"]:
        text += " " + t("rec_more_days", lang, targets=_targets_named(document, rec["too_close"], lang))
    return text


def plan_notes(document: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """Why each plan is ruled out or not comparable, and its call-outs: ``(look, sentence)`` pairs."""
    decision = document["decision"]
    rows = {row["row"]: row for row in decision["rows"]}
    base_level = rows["highest_level"]["cells"][0]["level"]
    notes = []
    for plan in decision["plans"]:
        index = plan["index"]
        why = []
        for reason in plan["reasons"]:
            if reason == "unresolved":
                cell = rows["unresolved"]["cells"][index]
                named = ", ".join(kinds.label(kind, lang) for kind in cell["kinds"]) or t("all_kinds", lang)
                why.append(t("note_unresolved", lang, per_day=value_text("unresolved", cell["value"], lang=lang),
                             days=cell["days"], total=cell["of"], kinds=named))
            elif reason == "higher_level":
                level = rows["highest_level"]["cells"][index]["level"]
                why.append(t("note_higher_level", lang, level=LEVEL_NAMES.get(level, str(level)),
                             base=LEVEL_NAMES.get(base_level, DASH) if base_level else DASH))
            elif reason == "other_incidents":
                keys = ", ".join(k for k in document["plans"][index - 1]["differs"]["keys"] if k in ("clock",
                                                                                                     "incidents"))
                why.append(t("note_other_incidents", lang, keys=keys))
        if why:
            key = "note_ruled_out" if plan["status"] == "ruled_out" else "note_not_comparable"
            notes.append((plan["status"], t(key, lang, plan=plan_label(document, index, lang), why="; ".join(why))))
        for callout in plan["callouts"]:   # findings written as sentences; structured ones are the HTML's
            text = callout.get("finding")
            if isinstance(text, str):
                notes.append(("", f"{plan['letter']}: {printable(text)}"))
    return notes


def decision_csv(document: Mapping[str, Any]) -> str:
    """``decision.csv``: one row per plan and row of the decision table, raw numbers (minutes, counts
    per day, shares as fractions), a ``censored`` column beside each value (``DECISION_COLUMNS``)."""
    from sispam_sim.runner.output import format_cell

    decision = document["decision"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DECISION_COLUMNS)

    def write(index: int, row: str, kind, phase, metric, stat, limit, value, ci, censored, verdict, difference, days):
        plan = decision["plans"][index]
        lo, hi = (ci or (None, None))[:2]
        writer.writerow([format_cell(v, 6) for v in (
            plan["letter"], plan["name"], status_key(document, index), " ".join(plan["reasons"]), row, kind, phase,
            metric, stat, limit, value, lo, hi, censored, verdict, difference, days)])

    for row in decision["rows"]:
        for index, cell in enumerate(row["cells"]):
            if cell is None:
                continue
            if row["row"] == "target":
                write(index, "target", row["kind"], row.get("phase"), row["metric"], row["stat"], cell["limit"],
                      cell.get("value"), cell.get("ci"), bool(cell.get("value_censored") or cell.get("lower_bound")),
                      cell["verdict"], cell.get("difference"), cell.get("days_exceeding"))
            elif row["row"] == "unresolved":
                write(index, "unresolved", None, None, "unresolved", "per_day", None, cell["value"], cell.get("ci"),
                      False, None, cell.get("difference"), cell["days"])
            else:
                verdicts = cell.get("difference") or {}
                write(index, "highest_level", None, None, "max_level", "max", None, cell["level"], None, False, None,
                      verdicts.get("highest"), None)
                for level in ("2", "3"):
                    share = cell["days"].get(level) or {}
                    write(index, "highest_level", None, None, "levels", level, None, share.get("value"),
                          share.get("ci"), False, None, verdicts.get(level), None)
    return buf.getvalue()
