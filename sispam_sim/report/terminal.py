"""The terminal report of ``sispam-sim run`` (rich tables), in English or Indonesian.

It renders a finished ``results.json`` document and computes nothing: every number
comes from :mod:`sispam_sim.stats.summary`, so the screen and the JSON never disagree.
Everything a scenario's author wrote (names, labels, ids) is printed as plain text:
through :class:`rich.text.Text` (no markup is read from it) and :func:`printable` (no
control character reaches the terminal).

How numbers read: times in minutes from the call, over all incidents of all days; a
value that lies among incidents never reached by the end of the run prints ``> X`` (it
is more than X), a mean that includes them ``≥ X``; an interval end among them ``∞``.
Each number is written as the reader's language writes it (:mod:`~sispam_sim.report.numbers`:
``15.3`` / ``15,3``); the scenario's names and labels in the reader's language where the author
gave them (:mod:`~sispam_sim.report.glossary`, format 1.1 ``name_id`` / ``label_id``).
"""

from __future__ import annotations

import math

from typing import Any, Iterable, Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.errors import printable
from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import INCIDENT_METRICS, canonical_metric
from sispam_sim.stats.targets import all_met

__all__ = ["render_run", "fit", "fmt_minutes", "fmt_entry", "fmt_count", "fmt_percent", "fmt_percent_entry",
           "fmt_target_number", "plain", "target_name", "target_limit", "target_value", "VERDICT_STYLE"]

DASH = "—"
TOP_UNIT_TYPES = 8
#: Doctrinal level names, the same in every language (short form for tight cells).
LEVEL_NAMES = {1: "hijau", 2: "kuning", 3: "merah"}
#: Percentiles a kind's table shows (p99 and max are in results.json).
TABLE_STATS = ("p50", "p90", "p95", "p99")
VERDICT_STYLE = {"pass": "bold green", "too_close": "bold magenta", "fail": "bold red", "untested": "bold yellow"}


def plain(text: object) -> Text:
    """User-written text as a rich Text: shown as written, markup and control codes inert."""
    return Text(printable(text))


def fit(table: Table, width: int) -> Table:
    """Fit ``table`` into ``width`` columns without cutting a word: wrap cells at spaces instead.

    Rich shrinks a table that is too wide column by column, whatever the words in it, and
    cuts what no longer fits with ``…``. Here each column gets at least its longest word; the
    columns that need least get all they need, the others share the rest in proportion.
    When even the longest words do not fit, the padding at the table's two edges goes first (two
    columns: an Indonesian targets table at 80 columns); then rich's own shrinking does what it can.
    """
    columns = table.columns
    if not columns:
        return table

    def lines(cell: object) -> list[str]:
        return (cell.plain if isinstance(cell, Text) else str(cell)).splitlines() or [""]

    mins, maxs = [], []
    for column in columns:
        texts = [line for cell in (column.header, *column._cells) for line in lines(cell)]
        longest_word = max((cell_len(word) for text in texts for word in text.split()), default=0)
        mins.append(max(longest_word, column.min_width or 0))
        maxs.append(max(max(cell_len(text) for text in texts), mins[-1]))
        if column.no_wrap:
            mins[-1] = maxs[-1]
    overhead = len(columns) * (1 + 2) + 1   # a border before each column and at the end, a space either side
    room = width - overhead
    if sum(mins) > room and table.pad_edge and sum(mins) <= room + 2:
        table.pad_edge = False
        return fit(table, width)
    if sum(maxs) <= room or sum(mins) > room:
        return table
    spare, want = room - sum(mins), [hi - lo for lo, hi in zip(mins, maxs)]
    extra = [0] * len(columns)
    # the columns that need least first, whole (a short cell is not broken), the rest in proportion
    order = sorted(range(len(columns)), key=lambda i: want[i])
    while order and want[order[0]] <= spare // len(order):
        i = order.pop(0)
        extra[i], spare = want[i], spare - want[i]
    share = sum(want[i] for i in order)
    for i in order:
        extra[i] = spare * want[i] // share
    for i in sorted(order, key=lambda i: -want[i])[:spare - sum(extra[i] for i in order)]:
        extra[i] += 1
    for column, lo, more in zip(columns, mins, extra):
        column.width = lo + more
    return table


def fmt_minutes(value: float | None, lang: str = "en") -> str:
    """Minutes with one decimal (``15.3``, Indonesian ``15,3``); ``—`` when there is none (never ``-0.0``)."""
    if value is None:
        return DASH
    return numbers.decimal(value, 1, lang, grouping=False)


def _fmt_value(entry: Mapping[str, Any], fmt=None, lang: str = "en") -> str:
    fmt = fmt or (lambda v: fmt_minutes(v, lang))
    value = entry.get("value")
    if value is None:
        return DASH
    if entry.get("censored") or entry.get("value_censored"):
        return f"> {fmt(value)}"
    if entry.get("lower_bound"):
        return f"≥ {fmt(value)}"
    return fmt(value)


def fmt_entry(entry: Mapping[str, Any] | None, fmt=None, ci_fmt=None, lang: str = "en") -> str:
    """``value [lo–hi]`` from a ``{"value", "ci", ...}`` entry (``—`` if empty; ``∞`` for an open end).

    The interval is left out when it would print as the value alone (no spread shown).
    ``fmt`` formats the value (default: minutes in ``lang``), ``ci_fmt`` the interval's ends
    (default: as the value, e.g. without a unit).
    """
    if not entry or entry.get("value") is None:
        return DASH
    fmt = fmt or (lambda v: fmt_minutes(v, lang))
    text = _fmt_value(entry, fmt)
    ci, ci_fmt = entry.get("ci"), ci_fmt or fmt
    if ci is not None and ci[0] is not None:   # both ends among censored incidents: no interval to show
        lo = ci_fmt(ci[0])
        hi = "∞" if ci[1] is None else ci_fmt(ci[1])
        if not lo == hi == ci_fmt(entry["value"]):
            text += f" [{lo}–{hi}]"
    return text


def fmt_count(value: float | None, lang: str = "en") -> str:
    """A count: ``1,200`` (Indonesian ``1.200``), one decimal when it is not whole."""
    if value is None:
        return DASH
    return numbers.count(value, lang)


def _tenths_of_percent(value: float, up: bool = False) -> float:
    """A share in percent, cut to one decimal towards 0 (or away from it with ``up``): a share of
    89.98% must not print as 90.0% beside a p90 target it fails."""
    tenths = value * 1000.0
    return (math.ceil(tenths - 1e-6) if up else math.floor(tenths + 1e-6)) / 10.0


def fmt_percent(value: float | None, lang: str = "en") -> str:
    """A share (a fraction) in percent, cut to one decimal: ``89.3%`` (Indonesian ``89,3%``)."""
    return DASH if value is None else numbers.percent(_tenths_of_percent(value), lang)


def fmt_percent_entry(entry: Mapping[str, Any] | None, lang: str = "en") -> str:
    """``89.3% [88.3–90.4]``: the value and the lower end cut down, the upper end rounded up."""
    if not entry or entry.get("value") is None:
        return DASH
    text = fmt_percent(entry["value"], lang)
    ci = entry.get("ci")
    # an interval narrower than the printed precision is left out, as fmt_entry does for minutes
    if ci is not None and not f"{100 * ci[0]:.1f}" == f"{100 * ci[1]:.1f}" == f"{100 * entry['value']:.1f}":
        low = numbers.decimal(_tenths_of_percent(ci[0]), 1, lang, grouping=False)
        high = numbers.decimal(_tenths_of_percent(ci[1], up=True), 1, lang, grouping=False)
        text += f" [{low}–{high}]"
    return text


def _kind_title(kind: str | None, block: Mapping[str, Any], lang: str) -> Text:
    name = t("all_kinds", lang) if kind is None else kinds.label(kind, lang)
    counts = block.get("incidents") or {}
    title = Text(f"{printable(name)} — ", style="bold")
    title.append(t("n_incidents", lang, n=fmt_count(counts.get("called"), lang),
                   days=fmt_count(counts.get("days"), lang),
                   per_day=fmt_entry(counts.get("per_day"), lambda v: numbers.decimal(v, 1, lang))), style="bold")
    return title


def kind_headers(lang: str) -> list[str]:
    """The headings of a kind's table: metric, mean [95% CI], p50 .. p99."""
    return [t("metric", lang), t("mean_ci", lang), *(t(stat, lang) for stat in TABLE_STATS)]


def kind_rows(kind: str | None, block: Mapping[str, Any], lang: str) -> list[list[str]]:
    """A kind's table as text, one row per metric with incidents (terminal, Markdown)."""
    rows = []
    for metric in INCIDENT_METRICS:
        if not kinds.shows(metric, kind):   # e.g. minutes short of need only where they tell more than full strength
            continue
        m = block.get(metric)
        if not m or not m.get("n"):
            continue
        rows.append([t(metric, lang), fmt_entry(m["mean"], lang=lang), *(_fmt_value(m[s], lang=lang)
                                                                           for s in TABLE_STATS)])
    return rows


def kind_title(kind: str | None, block: Mapping[str, Any], lang: str) -> str:
    return _kind_title(kind, block, lang).plain


def _kind_table(kind: str | None, block: Mapping[str, Any], lang: str) -> Table:
    table = Table(title=_kind_title(kind, block, lang), title_justify="left", header_style="bold")
    for i, header in enumerate(kind_headers(lang)):
        table.add_column(Text(header), justify="left" if i == 0 else "right")   # "[selang 95%]" is no markup
    for row in kind_rows(kind, block, lang):
        table.add_row(*row)
    return table


def run_blocks(document: Mapping[str, Any]) -> list[tuple[str | None, Mapping[str, Any]]]:
    """The blocks a run report shows: all incidents (when there is more than one kind), then each kind."""
    metrics = document.get("metrics") or {}
    by_kind = metrics.get("by_kind") or {}
    return ([(None, metrics["all"])] if len(by_kind) != 1 and metrics.get("all") else []) + list(by_kind.items())


def _kind_notes(kind: str | None, block: Mapping[str, Any], lang: str) -> list[str]:
    """The lines under a kind's table: what n counts, how many were reached and resolved, levels."""
    c = block.get("incidents") or {}
    lines = [t("reached_resolved", lang, reached=fmt_count(c.get("reached"), lang),
               resolved=fmt_count(c.get("resolved"), lang), called=fmt_count(c.get("called"), lang))]
    unresolved = block.get("unresolved") or {}
    if unresolved.get("worst_day"):
        lines.append(t("unresolved_days", lang,
                       per_day=fmt_entry(unresolved.get("per_day"), lambda v: numbers.decimal(v, 2, lang)),
                       worst=fmt_count(unresolved.get("worst_day"), lang)))
    censored = max((block.get(m) or {}).get("censored", 0) for m in INCIDENT_METRICS)
    if censored:
        lines.append(t("censored_note", lang))
    levels = block.get("levels") if kinds.shows("levels", kind) else None
    if levels:
        shares = " · ".join(f"{t(f'level_{k}', lang)} {fmt_percent_entry(v['share_of_days'], lang)}"
                            for k, v in levels.items())
        lines.append(f"{t('days_reaching', lang)}: {shares}")
    minutes = block.get("level_minutes") if kinds.shows("level_minutes", kind) else None
    if minutes:
        parts = " · ".join(f"{LEVEL_NAMES[int(k)]} {fmt_entry(v, lang=lang)}" for k, v in minutes.items())
        lines.append(f"{t('minutes_at_level', lang)}: {parts}")
    return lines


def fmt_target_number(metric: str, value: float | None, lang: str = "en") -> str:
    """A limit or value of a target: minutes for times (the table's title says so), a count, a level."""
    if value is None:
        return DASH
    if metric == "max_level":
        name = LEVEL_NAMES.get(int(value)) if float(value).is_integer() else None
        return f"{fmt_count(value, lang)} ({name})" if name else fmt_count(value, lang)
    if metric == "unresolved":
        return fmt_count(value, lang)
    return fmt_minutes(value, lang)


def target_value(row: Mapping[str, Any], lang: str, days: bool = True) -> str:
    """The value [interval] of a target; ``days``: the highest level adds on how many days it was exceeded."""
    metric = row["metric"]
    if row["verdict"] == "untested":
        return t("nothing_to_judge", lang)
    # A row's "censored" counts the censored incidents; whether its value lies among them is "value_censored".
    entry = {**row, "censored": bool(row.get("value_censored"))}
    if canonical_metric(metric) in INCIDENT_METRICS:   # minutes, as the title says
        text = fmt_entry(entry, lang=lang)
    else:
        text = fmt_entry(entry, lambda v: fmt_target_number(metric, v, lang), lambda v: fmt_count(v, lang))
    if days and row.get("days_exceeding") and metric == "max_level":
        text += " " + t("days_exceeding", lang, days=row["days_exceeding"], total=row.get("days"))
    return text


def target_name(row: Mapping[str, Any], lang: str, short: bool = False) -> str:
    """The target's metric (and kind, and phase) in words; ``short`` for a table cell that must fit 80 columns."""
    metric = row["metric"]
    name = t(metric, lang, default=t(canonical_metric(metric), lang, default=metric))
    if short:
        name = t(f"short_{canonical_metric(metric)}", lang, default=name)
    if row.get("kind"):
        name = f"{kinds.label(row['kind'], lang, short=short)}: {name}"
    if row.get("phase") is not None:   # format 1.1 by_phase: "Response time (voting)"
        name = f"{name} {t('in_phase', lang, phase=row['phase'])}"
    return printable(name)


def target_limit(row: Mapping[str, Any], lang: str) -> str:
    """``p90 ≤ 15.0``: the statistic and the limit (a level as its number)."""
    metric, limit = row["metric"], row["limit"]
    shown = fmt_count(limit, lang) if metric == "max_level" else fmt_target_number(metric, limit, lang)
    return f"{t(row['stat'], lang)} ≤ {shown}"


def target_within(row: Mapping[str, Any], lang: str) -> str:
    """The share of incidents within the limit; for the highest level, the days within it."""
    share = row.get("share_within")
    if share:
        return fmt_percent(share["value"], lang)
    if row["metric"] == "max_level" and row.get("days") and row["verdict"] != "untested":
        return t("days_within", lang, days=row["days"] - (row.get("days_exceeding") or 0), total=row["days"])
    return DASH


def target_cells(row: Mapping[str, Any], lang: str) -> list[str]:
    """A target's row as text: name, limit, value [interval], within the limit, verdict (terminal, Markdown, CSV)."""
    return [target_name(row, lang, short=True), target_limit(row, lang), target_value(row, lang, days=False),
            target_within(row, lang), t(row["verdict"], lang)]


TARGET_HEADERS = ("target", "limit", "value_ci", "within_short", "result")


def _targets_table(rows: Sequence[Mapping[str, Any]], lang: str) -> Table:
    """One line per target at 80 columns: short names, the days of a level in the share's column."""
    table = Table(title=f"{t('title_targets', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold")
    for key, justify in zip(TARGET_HEADERS, ("left", "right", "right", "right", "center")):
        table.add_column(Text(t(key, lang)), justify=justify, no_wrap=True)
    for row in rows:
        *cells, verdict = target_cells(row, lang)
        table.add_row(*cells, Text(verdict, style=VERDICT_STYLE[row["verdict"]]))
    return table


def _targets_verdict(rows: Sequence[Mapping[str, Any]], lang: str) -> Text:
    if all_met(rows):
        return Text(t("targets_met", lang), style="bold green")
    failed = sum(1 for row in rows if row["verdict"] == "fail")
    close = sum(1 for row in rows if row["verdict"] == "too_close")
    untested = sum(1 for row in rows if row["verdict"] == "untested")
    parts = []
    if failed:
        parts.append(t("targets_failed", lang, failed=failed, total=len(rows)))
    if close:
        parts.append(t("targets_too_close", lang, close=close, total=len(rows)))
    if untested:
        parts.append(t("targets_untested", lang, untested=untested, total=len(rows)))
    return Text("; ".join(parts), style="bold red" if failed else VERDICT_STYLE["too_close"] if close else "bold yellow")


def _units_table(by_type: Mapping[str, Mapping[str, Any]], lang: str, scenario: Any = None) -> Table | None:
    """The busiest unit types, each by its name (:func:`~sispam_sim.report.glossary.unit_type`)."""
    rated = [(name, u) for name, u in by_type.items() if (u.get("utilisation") or {}).get("value") is not None]
    if not rated:
        return None
    rated.sort(key=lambda item: (-item[1]["utilisation"]["value"], item[0]))
    table = Table(title=t("title_units", lang), title_justify="left", header_style="bold")
    table.add_column(t("unit_type", lang))
    table.add_column(t("utilisation", lang), justify="right")
    table.add_column(t("busy_crew_minutes", lang), justify="right")
    table.add_column(t("drain_crew_minutes", lang), justify="right")
    for name, u in rated[:TOP_UNIT_TYPES]:
        # crew-minutes vary between days like utilisation: an interval whenever they do (none when equal)
        table.add_row(plain(glossary.unit_type(scenario, name, lang)), fmt_percent_entry(u["utilisation"], lang),
                      *(fmt_entry(u.get(key) or {"value": 0.0}, lambda v: fmt_count(round(v), lang))
                        for key in ("busy_crew_minutes_per_day", "drain_busy_crew_minutes_per_day")))
    return table


def _slowest_table(slowest: Iterable[Mapping[str, Any]], lang: str, scenario: Any = None) -> Table | None:
    """The slowest responses: the incident and its place named in ``lang`` where the scenario does."""
    slowest = list(slowest)
    if not slowest:
        return None
    table = Table(title=f"{t('title_worst', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold")
    table.add_column(t("replication", lang), justify="right", no_wrap=True, min_width=3)
    table.add_column(t("incident", lang), max_width=30)
    table.add_column(t("place", lang))
    for key in ("response", "resolution"):
        table.add_column(t(key, lang), justify="right", no_wrap=True)
    never = t("never", lang)
    for row in slowest:
        times = [row.get(m) for m in ("response_time", "resolution_time")]
        # days counted from 1, as people count them (results.json keeps the 0-based replication)
        label = glossary.incident_label(scenario, row.get("label"), row.get("kind"), lang) or row["id"]
        table.add_row(str(row["replication"] + 1), plain(label),
                      plain(glossary.place_shown(scenario, row["place"], lang)),
                      *(never if v is None else fmt_minutes(v, lang) for v in times))
    return table


def _header(document: Mapping[str, Any], console: Console, lang: str, loaded: Any = None) -> None:
    scenario = document.get("scenario") or {}
    manifest = document.get("manifest") or {}
    title = Text(f"{t('title_run', lang)}: ", style="bold")
    name = glossary.scenario_text(loaded.spec, "name", lang) if loaded is not None else None
    title.append(printable(name or scenario.get("name", DASH)))
    console.print(title)
    console.print(Text(f"{t('replications', lang)}: {manifest.get('replications', DASH)} · "
                       f"{t('seed', lang)}: {manifest.get('seed', DASH)}"))
    console.print(Text(t("times_note", lang), style="dim"))


def render_run(document: Mapping[str, Any], console: Console, lang: str = "en", scenario: Any = None) -> None:
    """Print the run report: header, a table per incident kind, targets, units, slowest incidents.

    ``scenario`` (the run's :class:`~sispam_sim.scenario.loader.LoadedScenario`, when at hand) names
    unit types, incidents and places as it does in ``lang`` (format 1.1 ``name_id`` / ``label_id``);
    without it they are named as results.json records them."""
    t("pass", lang)  # fail early on an unknown language
    _header(document, console, lang, scenario)
    for kind, block in run_blocks(document):
        console.print()
        console.print(fit(_kind_table(kind, block, lang), console.width))
        for line in _kind_notes(kind, block, lang):
            console.print(Text(line, style="dim"))
    targets = document.get("targets") or []
    console.print()
    if targets:
        console.print(fit(_targets_table(targets, lang), console.width))
        console.print(_targets_verdict(targets, lang))
    else:
        console.print(Text(t("no_targets", lang), style="dim"))
    for table in (_units_table((document.get("units") or {}).get("by_type") or {}, lang, scenario),
                  _slowest_table(document.get("slowest") or [], lang, scenario)):
        if table is not None:
            console.print()
            console.print(fit(table, console.width))
