"""``report.html`` and ``comparison.html``: one self-contained briefing file each.

Built from a saved run's files alone (``results.json``, ``incidents.csv``, ``timeline.csv``,
``events.csv``) plus the scenario file that ``results.json`` names, for the map and the clock;
so ``sispam-sim report DIR`` rebuilds the same bytes from the folder. Without the scenario file
the map is drawn from the incidents' coordinates and the report says so. Nothing is fetched
when the file is viewed: styles are inline, charts are inline SVG (:mod:`.charts`), there are no
scripts, fonts or images from elsewhere; the one link leaves for ``replay.html`` beside it.

The pages are Jinja2 templates (``templates/``) rendered with autoescape and ``StrictUndefined``:
this module and the two that build report.html's evidence (:mod:`.wherewhy`: where and why;
:mod:`.daycharts`: the charts of the day) compute plain data (strings, numbers, cells,
:mod:`.cells`), the templates own every tag, and every text that comes from a user (names,
labels, descriptions, ids) is escaped by the engine, never by hand. Only the charts' SVG, which
:mod:`.charts` builds and escapes, goes in as ``Markup``.

Each page reads as a briefing: the answer first, the evidence after, how the results were made at
the end. report.html: the bottom line (the findings, :mod:`.findings`: what, where and why for each
failed or too-close target, the single points of failure) and the targets; then where the
response time goes, the operational maps, the response curves, the personnel, the crowds on the
typical and the worst day (with links to watch them), the districts and places, the slowest TPS,
the units. comparison.html: the decision table with its recommendation and each plan's call-outs;
then the curves and every difference, collapsed. Everything in the reader's language (``--lang
id``: the scenario's Indonesian text, Indonesian numbers and clock times).
"""

from __future__ import annotations

import functools
import json
import os
import shlex
from pathlib import Path
from typing import Any, Mapping, Sequence

from sispam_sim.report import glossary, numbers
from sispam_sim.report.cells import DASH, cell, figure, interval, look, minutes, part, table, verdict_part
from sispam_sim.report.daycharts import COUNTING, VOTING, unit_names, unit_type_name
from sispam_sim.report.i18n import t
from sispam_sim.report.wherewhy import rows
from sispam_sim.scenario import kinds

__all__ = ["build_report", "report_from_dir", "build_comparison", "load_run_scenario", "REPORT_INPUTS", "VOTING",
           "COUNTING"]

#: The files a report is built from, in the run's output folder.
REPORT_INPUTS = ("results.json", "incidents.csv", "timeline.csv", "events.csv")
#: What a reader sees without scrolling, per page (the ``sispam-first-screen`` meta tag names them
#: for ``tools/screenshot_report.py``, which checks it at 1366x768 and 1920x1080).
REPORT_FIRST_SCREEN = ("bottom-line", "targets")
COMPARISON_FIRST_SCREEN = ("decision",)
#: The verdicts the bottom line speaks of, in its order.
_BOTTOM_LINE = ("fail", "too_close")
#: The look of a single point of failure in the bottom line (a badge of its own, not a verdict's).
SINGLE_POINT = "single_point"

# the cells' names as the tests and older callers know them
_verdict_part = verdict_part


@functools.cache
def _environment():
    """The templates' Jinja2 environment: autoescape on every template, an undefined name is an error.
    Imported on first use, as matplotlib is: ``validate`` and ``run`` without ``--out`` never pay for it."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("sispam_sim.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------------------------- inputs

def _overrides(command: str | None) -> tuple[str, ...]:
    """The ``--set`` overrides of the command that made the run (so the map is the run's map)."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        return ()
    out = []
    for i, word in enumerate(words):
        if word == "--set" and i + 1 < len(words):
            out.append(words[i + 1])
        elif word.startswith("--set="):
            out.append(word[len("--set="):])
    return tuple(out)


def _scenario_path(name: str, folder: Path, allow_outside: bool, legacy: bool) -> Path | None:
    """Where the scenario ``name`` of ``folder``'s results.json is (``None``: not there any more).

    ``name`` is relative to the folder (an older results.json: to where ``run`` started, so the
    current folder is tried too). Unless ``allow_outside``, it must be relative and lie in the
    folder's parent tree or the current folder's, symlinks resolved (as the loader keeps a scenario's
    files to its folder's tree and the current folder's): a crafted results.json cannot make
    ``report`` read ``/etc/passwd``. :class:`ScenarioError` (exit 2) at ``scenario.file`` when it is refused, or is
    not a regular file of at most the loader's size.
    """
    from sispam_sim.errors import Problem, ScenarioError
    from sispam_sim.scenario.limits import MAX_BYTES

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(str(folder / "results.json"), None, None, "scenario.file", message)])

    roots = (folder.resolve().parent, Path.cwd().resolve())
    if Path(name).is_absolute() and not allow_outside:
        raise refuse(f"{name} is an absolute path; a run's results.json names its scenario relative to the "
                     "folder. Pass --allow-outside to read it anyway")
    candidates = [folder / name, folder / Path(name).name] + ([Path(name)] if legacy else [])
    for path in candidates:
        if not path.exists():   # a dangling link too: the scenario was moved
            continue
        real = Path(os.path.realpath(path))
        if not allow_outside and not any(real.is_relative_to(root) for root in roots):
            raise refuse(f"{name} resolves to {real}, outside {roots[0]} (the folder that holds {folder.name}) "
                         "and outside the current folder: pass --allow-outside to read it anyway")
        if not real.is_file():
            raise refuse(f"{name} is not a regular file (a directory, device, pipe or socket), expected the "
                         "run's scenario")
        if real.stat().st_size > MAX_BYTES:
            raise refuse(f"{name} is larger than {MAX_BYTES // 2**20} MiB: not a scenario")
        return path
    return None


def load_run_scenario(results: Mapping[str, Any], folder: Path | None = None, allow_outside: bool = False):
    """The scenario named in ``results.json`` (the same seed and ``--set`` overrides), or
    ``(None, why)`` when it is not there or has changed since the run.

    Found relative to ``folder`` (:func:`_scenario_path`, which refuses a path outside the folder's
    parent tree unless ``allow_outside``); without ``folder``, relative to the current folder.
    """
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    info = results.get("scenario", {})
    name = info.get("file")
    if not name or not isinstance(name, str):
        return None, "no scenario file named in results.json"
    if folder is None:
        path = Path(name) if Path(name).is_file() else None
    else:
        path = _scenario_path(name, Path(folder), allow_outside, legacy="files" not in results)
    if path is None:
        return None, f"{name} is not there any more"
    manifest = results.get("manifest", {})
    try:   # the files it names are those the run read: their digests are checked below
        scenario = load_scenario(path, with_warnings=False, seed=manifest.get("seed"),
                                 overrides=_overrides(manifest.get("command")), allow_outside=True)
    except (ScenarioError, OSError, ValueError, TypeError):
        return None, f"{name} cannot be read as a scenario any more"
    recorded = [entry.get("sha256") for entry in info.get("inputs", []) if isinstance(entry, Mapping)]
    if (info.get("sha256") and scenario.sha256 != info["sha256"]) or \
            (recorded and recorded != [digest for _, digest in scenario.inputs]):
        return None, f"{name} has changed since the run"
    return scenario, None



# ---------------------------------------------------------------------------------------------- names and values

def _target_name(row, lang: str) -> str:
    kind = kinds.label(row["kind"], lang) + " · " if row.get("kind") else ""
    phase = f" {t('in_phase', lang, phase=row['phase'])}" if row.get("phase") is not None else ""
    return f"{kind}{t(row['metric'], lang, default=row['metric'])} {t(row['stat'], lang, default=row['stat'])}{phase}"


def _is_time(metric: str) -> bool:
    return metric not in ("max_level", "unresolved")


def _target_value(metric: str, value, lang: str, censored: bool = False) -> str:
    """A target's value or limit as the tables print it: minutes (``> X`` when censored), a level by
    its name, a count per day."""
    if value is None:
        return DASH
    if _is_time(metric):
        return minutes(value, lang, censored)
    if metric == "max_level" and float(value).is_integer():
        return t(f"level_{int(value)}", lang, default=str(int(value)))
    return numbers.decimal(value, 2, lang)


def _plan_name(plan: Mapping[str, Any], lang: str) -> str:
    """A plan's name in ``lang`` (its ``name_id`` where the document carries one)."""
    return glossary.scenario_text(plan, "name", lang) or str(plan.get("name", ""))


# ---------------------------------------------------------------------------------------------- report sections

def _header(results, scenario, lang: str, scenario_note: str | None) -> dict:
    name = str(results.get("scenario", {}).get("name", ""))
    description = ""
    if scenario is not None:
        name = glossary.scenario_text(scenario.spec, "name", lang) or name
        description = glossary.scenario_text(scenario.spec, "description", lang) or ""
    return {"report_title": t("html_report_title", lang), "name": name, "description": description,
            "note": t("html_no_scenario", lang, why=scenario_note) if scenario_note else ""}


def _provenance(results, lang: str) -> dict:
    """How the results were made (the scenario's digest, the versions, the command): the end of the page."""
    info, manifest = results.get("scenario", {}), results.get("manifest", {})
    rows_ = [(t("html_scenario_file", lang), info.get("file", "")), ("sha256", info.get("sha256", "")),
             (t("replications", lang), manifest.get("replications", "")), (t("seed", lang), manifest.get("seed", "")),
             ("sispam-sim", manifest.get("sispam_sim", "")), ("Python", manifest.get("python", "")),
             ("numpy", manifest.get("numpy", "")), ("simpy", manifest.get("simpy", "")),
             (t("html_executor", lang), manifest.get("executor", "")),
             (t("html_command", lang), manifest.get("command", ""))]
    return {"heading": t("html_manifest", lang), "table": None, "rows": [(str(k), str(v)) for k, v in rows_]}


def _counts(rows_: Sequence[Mapping[str, Any]], lang: str) -> str:
    """``1 of 4 targets failed; 2 of 4 too close to call ...``: the targets' verdicts counted."""
    counts = {v: sum(1 for r in rows_ if r.get("verdict") == v) for v in ("fail", "too_close", "untested")}
    parts = [t(key, lang, **{arg: counts[v], "total": len(rows_)})
             for v, key, arg in (("fail", "targets_failed", "failed"), ("too_close", "targets_too_close", "close"),
                                 ("untested", "targets_untested", "untested")) if counts[v]]
    return "; ".join(parts) or t("targets_met", lang)


def _target_line(row: Mapping[str, Any], lang: str) -> dict:
    """A target without findings (a results.json older than them): its value, limit and verdict."""
    return {"verdict": row["verdict"], "badge": verdict_part(row["verdict"], lang),
            "text": t("html_bottom_line_target", lang, target=_target_name(row, lang),
                      value=_target_value(row["metric"], row.get("value"), lang, bool(row.get("value_censored"))),
                      limit=_target_value(row["metric"], row.get("limit"), lang), verdict=t(row["verdict"], lang))}


def _bottom_line(results, lang: str, watch: Mapping[str, Any] | None = None) -> dict:
    """The bottom line, first on the page: how many targets fail, then a sentence per target that
    failed or is too close to call (failed first), saying what, where and why (results.json
    ``findings``: :func:`~sispam_sim.report.findings.target_sentence`), then each single point of
    failure that made incidents wait. A target the findings do not cover (a results.json older than
    them) gets its value, limit and verdict. ``watch``: the links to the typical and the worst day."""
    targets = list(results.get("targets") or [])
    found = results.get("findings")
    found = found if isinstance(found, Mapping) else {}
    order = {v: i for i, v in enumerate(_BOTTOM_LINE)}
    lines, covered = [], set()
    if found:
        from sispam_sim.report.findings import single_point_sentence, target_sentence

        rule = found.get("rule") or {}
        for finding in sorted(found.get("targets") or (), key=lambda f: order.get(f.get("verdict"), len(order))):
            covered.add(finding.get("target"))
            lines.append({"verdict": finding["verdict"], "badge": verdict_part(finding["verdict"], lang),
                          "text": target_sentence({**finding, "min_incidents": rule.get("min_incidents")}, lang)})
    rest = [r for i, r in enumerate(targets) if r.get("verdict") in _BOTTOM_LINE and i not in covered]
    lines += [_target_line(r, lang) for r in sorted(rest, key=lambda r: order[r["verdict"]])]
    if found:
        lines += [{"verdict": SINGLE_POINT, "badge": None, "text": single_point_sentence(p, lang)}
                  for p in found.get("single_points") or () if p.get("longest")]   # the sentence names itself
    if not lines:
        met = t("html_bottom_line_met", lang) if targets else t("no_targets", lang)
        lines = [{"verdict": "pass", "badge": None, "text": met}]
    return {"heading": t("html_bottom_line", lang), "lead": _counts(targets, lang) if targets else "",
            "lines": lines, "watch": watch}


def _targets(results, lang: str) -> dict:
    from sispam_sim.report.terminal import fmt_percent_entry

    rows_ = results.get("targets", [])
    section = {"heading": t("title_targets", lang), "none": t("no_targets", lang), "table": None,
               "note": t("times_note", lang)}
    if not rows_:
        return section
    order = {"fail": 0, "too_close": 1, "untested": 3}
    cells = []
    for row in sorted(rows_, key=lambda r: order.get(r["verdict"], 2)):
        digits = 1 if _is_time(row["metric"]) else 2
        cells.append([cell(verdict_part(row["verdict"], lang)), _target_name(row, lang),
                      _target_value(row["metric"], row["limit"], lang),
                      _target_value(row["metric"], row.get("value"), lang, bool(row.get("value_censored"))),
                      interval(row.get("ci"), digits, lang),
                      fmt_percent_entry(row.get("share_within"), lang) if row.get("share_within") else DASH])
    headers = [t(k, lang) for k in ("result", "target", "limit", "value", "html_interval", "within_limit")]
    section["table"] = table(headers, cells, (2, 3, 4, 5))
    return section


def _utilisation(results, scenario, lang: str) -> dict:
    from sispam_sim.report.terminal import fmt_percent

    names = unit_names(scenario, lang)   # as the personnel chart's legend names them
    by_type = results.get("units", {}).get("by_type", {})
    # a type never on duty within the day (format 1.1: on request, never requested) has no utilisation
    by_type = {name: row for name, row in by_type.items() if (row.get("utilisation") or {}).get("value") is not None}
    ordered = sorted(by_type.items(), key=lambda kv: (-kv[1]["utilisation"]["value"], kv[0]))
    cells = []
    for unit, row in ordered:
        u, busy = row["utilisation"], row.get("busy_crew_minutes_per_day", {})
        cells.append([unit_type_name(names, unit), cell(unit, cls="id"), fmt_percent(u["value"], lang),
                      interval(u.get("ci"), 1, lang, 100, value=u["value"]),
                      DASH if busy.get("value") is None else numbers.whole(busy["value"], lang),
                      interval(busy.get("ci"), 0, lang, value=busy.get("value"))])
    headers = (t("unit_type", lang), "id", t("utilisation", lang), t("html_interval", lang),
               t("busy_crew_minutes", lang), t("html_interval", lang))
    return {"heading": t("html_units", lang), "table": table(headers, cells, (2, 3, 4, 5))}


# ---------------------------------------------------------------------------------------------- reports

def build_report(files: Mapping[str, Path], lang: str = "en", scenario=None, folder: Path | None = None,
                 results: Mapping[str, Any] | None = None, allow_outside: bool = False) -> str:
    """``report.html`` from a run's files (``files``: name in :data:`REPORT_INPUTS` -> path).

    ``scenario`` is the run's loaded scenario when the caller has it; otherwise the file named in
    ``results.json`` is loaded (relative to ``folder``: :func:`load_run_scenario`). ``results`` is
    the document of ``files["results.json"]`` when the caller has read it.
    """
    from sispam_sim.report import daycharts, wherewhy

    if results is None:
        results = json.loads(Path(files["results.json"]).read_text(encoding="utf-8"))
    note = None
    if scenario is None:
        scenario, note = load_run_scenario(results, folder, allow_outside)
    timeline, events = Path(files["timeline.csv"]), Path(files["events.csv"])
    days = int(results.get("manifest", {}).get("replications") or
               len({r["replication"] for r in rows(timeline)}) or 1)
    incidents = wherewhy.RunIncidents(Path(files["incidents.csv"]), scenario, days, results.get("targets") or [])
    escalation = daycharts.escalation(incidents, events, scenario, lang)
    header = _header(results, scenario, lang, note)
    return _render(
        "report.html.j2", lang=lang, title=f"{header['name']} — sispam-sim",
        first_screen=REPORT_FIRST_SCREEN, footer=t("html_footer", lang),
        header=header,
        bottom_line=_bottom_line(results, lang, escalation["watch"]),
        targets=_targets(results, lang),
        why=wherewhy.why_section(results, lang),
        maps=wherewhy.maps_section(incidents, scenario, lang, note),
        response=daycharts.response_charts(results, incidents, lang),
        personnel=daycharts.personnel(timeline, scenario, lang, days),
        escalation=escalation,
        districts=wherewhy.districts_section(incidents, results, lang),
        tps=wherewhy.slowest_tps(incidents, lang),
        units=_utilisation(results, scenario, lang),
        provenance=_provenance(results, lang))


def report_from_dir(folder: str | Path, lang: str = "en", allow_outside: bool = False) -> str:
    """``report.html`` rebuilt from a run's output folder, after checking it (:func:`~.runfolder.read_run`:
    :class:`FileNotFoundError` naming what is missing, :class:`ScenarioError` for a damaged file)."""
    from sispam_sim.report.runfolder import read_run

    folder, results = read_run(folder, REPORT_INPUTS)
    return build_report({name: folder / name for name in REPORT_INPUTS}, lang=lang, folder=folder,
                        results=results, allow_outside=allow_outside)


# ---------------------------------------------------------------------------------------------- comparison

def _target_cell(metric: str, entry: Mapping | None, lang: str) -> dict:
    """A plan's value on one target (``> X`` when censored) and its verdict."""
    if not isinstance(entry, Mapping):
        return cell(DASH)
    value = _target_value(metric, entry.get("value"), lang, bool(entry.get("value_censored")))
    return cell(value, verdict_part(entry["verdict"], lang)) if entry.get("verdict") else cell(value)


def _plan_label(letter: str, name: str, baseline: bool, lang: str) -> str:
    return f"{letter}: {name}" + (f" ({t('baseline', lang)})" if baseline else "")


def _part_name(part_: str, of: str, lang: str) -> str:
    if part_ == "after_arrival":
        return t(f"finding_part_after_{of}", lang, default=t("finding_part_after", lang))
    return t(f"finding_part_{part_}", lang)


def _callout_clause(finding: Mapping[str, Any], lang: str) -> str:
    """A failed or too-close target's call-out in a table cell: its name, where (the districts or
    places the findings name) and mostly what of the minutes over the limit."""
    from sispam_sim.report.findings import NAMED_AREAS, area_name
    from sispam_sim.report.terminal import target_name

    rest = []
    where = finding.get("where") or []
    if where and isinstance(where[0], Mapping) and "share_over" in where[0]:
        rest.append(t("finding_where", lang, areas=", ".join(
            t("finding_area", lang, name=area_name(w, lang), n=numbers.whole(w["incidents"], lang),
              share=numbers.percent(round(100 * w["share_over"]["value"]), lang, 0)) for w in where[:NAMED_AREAS])))
    why = finding.get("why") or {}
    split, dominant = why.get("over_limit") or {}, why.get("dominant")
    if dominant and split.get(dominant) is not None and split.get("value") is not None:
        rest.append(t("finding_mostly", lang, part=_part_name(dominant, why.get("of", finding["metric"]), lang),
                      minutes=numbers.decimal(split[dominant], 1, lang),
                      value=("≥ " if split.get("lower_bound") else "") + numbers.decimal(split["value"], 1, lang)))
    name = f"{target_name(finding, lang, short=True)} {t(finding['stat'], lang)}"
    return f"{name}: {'; '.join(rest)}" if rest else ""


def _callouts(document: Mapping[str, Any], names: Sequence[str], lang: str) -> tuple[list, list[dict]]:
    """Each plan's call-outs (its run's findings, ``decision.plans[].callouts``): a cell per plan for the
    decision table (where and mostly what, per failed or too-close target; each single point of
    failure that waited), and the same as whole sentences (:mod:`.findings`) per plan. A call-out
    written as a sentence already is among the plans' notes (:func:`~.decision.plan_notes`)."""
    from sispam_sim.report.findings import single_point_sentence, target_sentence

    cells, full = [], []
    for plan, name in zip(document["decision"]["plans"], names):
        short, lines = [], []
        for callout in plan.get("callouts") or ():
            finding = callout.get("finding") if isinstance(callout, Mapping) else None
            if not isinstance(finding, Mapping):
                continue
            if callout.get("from") == "targets" and finding.get("metric"):
                lines.append(target_sentence(finding, lang))
                clause = _callout_clause(finding, lang)
                if clause:
                    short.append(clause)
            elif callout.get("from") == "single_points" and finding.get("longest"):
                lines.append(single_point_sentence(finding, lang))
                longest = finding["longest"]
                short.append(t("finding_spof_short", lang, unit=finding["unit"], waits=t(
                    "finding_spof_entry", lang, label=glossary.scenario_text(finding, "label", lang) or "",
                    days_waited=numbers.whole(finding["days_waited"], lang), days=numbers.whole(finding["days"], lang),
                    wait=("> " if longest.get("censored") else "") + numbers.decimal(longest["wait"], 1, lang),
                    day=numbers.whole(longest["replication"] + 1, lang))))
        cells.append(cell(*short, cls="line") if short else cell(DASH))
        if lines:
            full.append({"plan": f"{plan['letter']}: {name}", "lines": lines})
    return cells, full


def _decision(document: Mapping[str, Any], letters: Sequence[str], names: Sequence[str], lang: str) -> dict:
    """The slot first on comparison.html: one column per plan. With ``document["decision"]``, the
    decision table every output of compare shares (:mod:`.decision`: each target, unresolved incidents
    per day, the highest level, the verdict against the baseline, kept or ruled out and why), the
    recommendation, the plans' notes and their call-outs. Without it, the targets side by side."""
    headers = ["", *(_plan_label(letter, name, i == 0, lang) for i, (letter, name) in enumerate(zip(letters, names)))]
    if isinstance(document.get("decision"), Mapping):
        from sispam_sim.report.decision import decision_rows, plan_notes, recommendation_text

        body = [[cell(label), *(cell(*(part(p.text, look(p.look)) for p in parts)) for parts in cells)]
                for label, cells in decision_rows(document, lang)]
        short, full = _callouts(document, names, lang)
        if any(c["parts"][0]["text"] != DASH for c in short):
            body.insert(len(body) - 1, [cell(t("html_callouts_row", lang)), *short])   # above the decision
        return {"heading": t("html_decision", lang), "recommendation": recommendation_text(document, lang),
                "table": table(headers, body, cls="decision"),
                "notes": [text for _, text in plan_notes(document, lang)],
                "callouts_heading": t("html_callouts", lang), "callouts": full,
                "callouts_print": t("html_callouts_print", lang)}
    rows_ = document.get("targets", {}).get("rows", [])
    body = [[cell(_target_name(r, lang)), *(_target_cell(r["metric"], c, lang) for c in r["plans"])] for r in rows_]
    return {"heading": t("html_decision", lang), "recommendation": "", "table": table(headers, body, cls="decision"),
            "notes": [t("html_decision_targets_only", lang) if rows_ else t("no_targets", lang)],
            "callouts_heading": "", "callouts": [], "callouts_print": ""}


def _differences(document: Mapping[str, Any], letters: Sequence[str], lang: str) -> dict:
    """Every difference from the baseline (interval, verdict): the headline rows (planned tests), then
    every other row apart with what it means; on the page they sit inside a collapsed ``<details>``."""
    from sispam_sim.report.cells import decimal
    from sispam_sim.report.compare import detail_note

    cells: dict[str, list] = {"headline": [], "detail": []}
    for letter, plan in zip(letters[1:], document["plans"]):
        blocks = [(None, plan.get("differences", {}))] + sorted(plan.get("by_kind", {}).items())
        for kind, block in blocks:
            for metric, stats in block.items():
                for stat, d in stats.items():
                    name = _target_name({"kind": kind, "metric": metric, "stat": stat}, lang)
                    mark = "*" if d.get("censored") else ""
                    cells[d.get("row", "headline")].append([
                        letter, name, decimal(d.get("base"), 2, lang), decimal(d.get("plan"), 2, lang),
                        f"{decimal(d.get('value'), 2, lang)}{mark}", interval(d.get("ci"), 2, lang),
                        cell(verdict_part(d.get("verdict", ""), lang))])
    headers = (t("plan", lang), t("metric", lang), t("baseline", lang), t("value", lang), t("difference", lang),
               t("html_interval", lang), t("verdict", lang))
    detail = None
    if cells["detail"]:
        detail = {"heading": t("compare_detail_rows", lang), "note": detail_note(len(cells["detail"]), lang),
                  "table": table(headers, cells["detail"], (2, 3, 4, 5))}
    return {"heading": t("html_differences", lang),
            "summary": t("html_differences_summary", lang, headline=len(cells["headline"]),
                         detail=len(cells["detail"])),
            "print": t("html_differences_print", lang),
            "headline": table(headers, cells["headline"], (2, 3, 4, 5)),
            "note": f"{t('compare_note', lang)} {t('compare_censored', lang)}", "detail": detail}


def build_comparison(document: Mapping[str, Any], responses: Sequence[Mapping], lang: str = "en") -> str:
    """``comparison.html``: the decision first (plans x targets, the recommendation, the plans'
    call-outs), the response-time CDFs overlaid, every difference from the baseline (interval,
    verdict) collapsed below, how it was made last. ``responses``: per plan, baseline first,
    ``{"values": finite response times pooled over all days, "n": incidents, censored included}``."""
    from sispam_sim.report import charts
    from sispam_sim.report.compare import warning_lines
    from sispam_sim.report.wherewhy import quantile

    plans = [document["baseline"], *document["plans"]]
    names = [_plan_name(p, lang) for p in plans]
    letters = [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(len(plans))]
    rows_ = document.get("targets", {}).get("rows", [])
    series = [{"label": f"{letter}: {name}", **r} for letter, name, r in zip(letters, names, responses)]
    target = next((r for r in rows_ if r["metric"] == "response_time" and r.get("kind") is None
                   and r.get("phase") is None), None)
    limit = target["plans"][0]["limit"] if target and target["plans"][0] else None
    desc = t("html_compare_cdf_desc", lang, plans=len(series))
    svg = charts.cdf_chart(series, limit, quantile(target["stat"]) if target else None, None,
                           t("html_minutes_from_call", lang), t("html_share_reached", lang), t("response_time", lang),
                           desc, t("html_censored_curve", lang), lang=lang)
    paired = [t("compare_paired", lang).split(":")[0] if p.get("paired") else t("not_paired", lang)
              for p in document["plans"]]
    plan_rows = [[letters[i], names[i] + (f" ({t('baseline', lang)})" if i == 0 else ""), p.get("file", ""),
                  "" if i == 0 else paired[i - 1]] for i, p in enumerate(plans)]
    manifest = document.get("manifest", {})
    provenance = {"heading": t("html_manifest", lang),
                  "table": table((t("plan", lang), t("scenario", lang), t("html_scenario_file", lang), ""), plan_rows),
                  "rows": [(t("replications", lang), str(document.get("replications"))),
                           (t("seed", lang), str(document.get("seed"))),
                           *((label, str(manifest[key])) for label, key in
                             (("sispam-sim", "sispam_sim"), ("Python", "python"), ("numpy", "numpy"),
                              ("simpy", "simpy"), (t("html_executor", lang), "executor")) if key in manifest),
                           (t("html_command", lang), str(manifest.get("command", "")))]}
    return _render(
        "comparison.html.j2", lang=lang, title=t("title_compare", lang) + " — sispam-sim",
        first_screen=COMPARISON_FIRST_SCREEN, footer=t("html_footer", lang),
        header={"report_title": t("html_report_title", lang), "name": t("title_compare", lang),
                "warnings": list(warning_lines(document, lang))},
        decision=_decision(document, letters, names, lang),
        response={"heading": t("html_response", lang), "figure": figure(svg, desc, "wide")},
        differences=_differences(document, letters, lang),
        provenance=provenance)
