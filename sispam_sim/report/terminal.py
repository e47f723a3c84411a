"""The terminal report of ``sispam-sim run`` (rich tables), in English or Indonesian.

It renders a finished ``results.json`` document and computes nothing: every number
comes from :func:`sispam_sim.stats.summary.summarise`, so the screen and the JSON
can never disagree. Rows that cannot apply are left out (TPS downtime only exists
for TPS disruptions) to keep the report short enough to read aloud in a briefing.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.report.i18n import t
from sispam_sim.stats.summary import TIME_METRICS
from sispam_sim.stats.targets import canonical_metric

__all__ = ["render_run", "fmt_minutes", "fmt_entry"]

DASH = "—"
TOP_UNIT_TYPES = 8
TOP_WORST = 5
#: Doctrinal level names, the same in every language (short form for tight cells).
LEVEL_NAMES = {1: "hijau", 2: "kuning", 3: "merah"}


def fmt_minutes(value: float | None) -> str:
    """Minutes with one decimal; ``—`` when it did not happen (never ``-0.0``)."""
    if value is None:
        return DASH
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def fmt_entry(entry: Mapping[str, Any] | None, fmt=fmt_minutes) -> str:
    """``value [lo–hi]`` from a ``{"value", "ci"}`` entry (``—`` if empty)."""
    if not entry or entry.get("value") is None:
        return DASH
    text = fmt(entry["value"])
    ci = entry.get("ci")
    if ci is not None and ci[0] != ci[1]:
        text += f" [{fmt(ci[0])}–{fmt(ci[1])}]"
    return text


def _fmt_count(value: float | None) -> str:
    if value is None:
        return DASH
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _fmt_percent(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.0f}%"


def _field(obj: Any, name: str) -> Any:
    """Read a field from an IncidentRecord or from its ``as_row()`` dict."""
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _metrics_applying_to(kind: str | None) -> tuple[str, ...]:
    if kind in (None, "station_disruption"):
        return TIME_METRICS
    return tuple(m for m in TIME_METRICS if m != "tps_downtime")


def _kind_notes(block: Mapping[str, Any], lang: str) -> list[str]:
    """The one-line-each counts printed under a kind's table."""
    parts = []
    incidents = block.get("incidents")
    if incidents:
        parts.append(f"{t('incidents', lang)} {t('per_replication', lang)}: "
                     f"{fmt_entry(incidents.get('mean'), fmt_minutes)}")
    unresolved = block.get("unresolved")
    if unresolved:
        worst = unresolved.get("max", {}).get("value")
        parts.append(f"{t('unresolved', lang)}: {fmt_entry(unresolved.get('mean'), fmt_minutes)}"
                     f" ({t('worst_replication', lang)} {_fmt_count(worst)})")
    levels = block.get("max_level")
    if levels and levels.get("n"):
        shares = " · ".join(f"{t(f'level_{k}', lang)} {_fmt_percent(v)}"
                            for k, v in levels["distribution"].items())
        parts.append(f"{t('levels_reached', lang)}: {shares}")
    return parts


def _kind_table(title: str, block: Mapping[str, Any], kind: str | None, lang: str) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(t("metric", lang))
    table.add_column(t("n", lang), justify="right")
    table.add_column(t("mean_ci", lang), justify="right")
    for stat in ("p50", "p90", "p95"):
        table.add_column(t(stat, lang), justify="right")
    for metric in _metrics_applying_to(kind):
        m = block.get(metric)
        if not m:
            continue
        table.add_row(t(metric, lang), str(m["n"]), fmt_entry(m["mean"]),
                      *(fmt_minutes(m[s]["value"]) for s in ("p50", "p90", "p95")))
    return table


def _fmt_target_number(metric: str, value: float | None, lang: str) -> str:
    if value is None:
        return DASH
    if metric == "max_level":
        name = LEVEL_NAMES.get(value) if float(value).is_integer() else None
        return f"{_fmt_count(value)} ({name})" if name else _fmt_count(value)
    if metric == "unresolved":
        return _fmt_count(value)
    return f"{fmt_minutes(value)} {t('min', lang)}"


def _targets_table(rows: Sequence[Mapping[str, Any]], lang: str) -> Table:
    table = Table(title=t("title_targets", lang), title_justify="left", header_style="bold")
    for key, justify in (("metric", "left"), ("stat", "left"), ("limit", "right"),
                         ("value", "right"), ("result", "center")):
        table.add_column(t(key, lang), justify=justify)
    for row in rows:
        metric = row["metric"]
        value = _fmt_target_number(metric, row.get("value"), lang)
        ci = row.get("ci")
        if ci is not None and row.get("value") is not None and ci[0] != ci[1]:
            value += f" [{fmt_minutes(ci[0])}–{fmt_minutes(ci[1])}]"
        if row.get("note") == "no incidents":
            value = t("no_incidents", lang)
        verdict = (Text(t("pass", lang), style="bold green") if row["pass"]
                   else Text(t("fail", lang), style="bold red"))
        table.add_row(t(metric, lang, default=t(canonical_metric(metric), lang, default=metric)),
                      t(row["stat"], lang, default=row["stat"]),
                      _fmt_target_number(metric, row["limit"], lang), value, verdict)
    return table


def _units_table(by_type: Mapping[str, Mapping[str, Any]], lang: str) -> Table | None:
    rated = [(name, u) for name, u in by_type.items() if u.get("utilisation", {}).get("value") is not None]
    if not rated:
        return None
    rated.sort(key=lambda item: (-item[1]["utilisation"]["value"], item[0]))
    table = Table(title=t("title_units", lang), title_justify="left", header_style="bold")
    table.add_column(t("unit_type", lang))
    table.add_column(t("utilisation", lang), justify="right")
    table.add_column(t("busy_crew_minutes", lang), justify="right")
    for name, u in rated[:TOP_UNIT_TYPES]:
        table.add_row(name, fmt_entry(u["utilisation"], _fmt_percent),
                      fmt_entry(u.get("busy_crew_minutes"), lambda v: f"{v:.0f}"))
    return table


def _worst_table(worst: Iterable[Any], lang: str) -> Table | None:
    worst = list(worst)[:TOP_WORST]
    if not worst:
        return None
    table = Table(title=f"{t('title_worst', lang)} ({t('minutes', lang)})", title_justify="left",
                  header_style="bold")
    table.add_column(t("replication", lang), justify="right")
    # The incident id already names its kind (rapid_response-0023): no kind column, so the
    # table fits 80 columns without wrapping.
    table.add_column(t("incident", lang), no_wrap=True)
    table.add_column(t("place", lang), overflow="ellipsis", max_width=24)
    for key in ("response", "full_strength_short", "resolution"):
        table.add_column(t(key, lang), justify="right", no_wrap=True)
    never = t("never", lang)
    for inc in worst:
        times = [_field(inc, m) for m in ("response_time", "full_strength_time", "resolution_time")]
        table.add_row(str(_field(inc, "replication")), str(_field(inc, "id")), str(_field(inc, "place")),
                      *(never if v is None else fmt_minutes(v) for v in times))
    return table


def _header(document: Mapping[str, Any], console: Console, lang: str) -> None:
    scenario = document.get("scenario") or {}
    manifest = document.get("manifest") or {}
    console.print(Text(f"{t('title_run', lang)}: {scenario.get('name', DASH)}", style="bold"))
    console.print(f"{t('replications', lang)}: {manifest.get('replications', DASH)} · "
                  f"{t('seed', lang)}: {manifest.get('seed', DASH)}")
    console.print(Text(t("times_note", lang), style="dim"))


def render_run(document: Mapping[str, Any], worst: Iterable[Any], console: Console, lang: str = "en") -> None:
    """Print the run report: header, a table per incident kind, targets, units, worst incidents.

    ``document`` is a ``results.json`` document (:func:`~sispam_sim.report.export.results_document`);
    ``worst`` are IncidentRecords or their ``as_row()`` dicts, worst first
    (:func:`~sispam_sim.stats.summary.worst_incidents`).
    """
    t("pass", lang)  # fail early on an unknown language
    _header(document, console, lang)
    metrics = document.get("metrics") or {}
    by_kind = metrics.get("by_kind") or {}
    if len(by_kind) != 1 and metrics.get("all"):
        console.print()
        console.print(_kind_table(t("all_kinds", lang), metrics["all"], None, lang))
        for line in _kind_notes(metrics["all"], lang):
            console.print(Text(line, style="dim"))
    for kind, block in by_kind.items():
        console.print()
        console.print(_kind_table(t(kind, lang, default=kind), block, kind, lang))
        for line in _kind_notes(block, lang):
            console.print(Text(line, style="dim"))
    targets = document.get("targets") or []
    console.print()
    if targets:
        console.print(_targets_table(targets, lang))
        failed = sum(1 for row in targets if not row["pass"])
        if failed:
            console.print(Text(t("targets_failed", lang, failed=failed, total=len(targets)), style="bold red"))
        else:
            console.print(Text(t("targets_met", lang), style="bold green"))
    else:
        console.print(Text(t("no_targets", lang), style="dim"))
    for table in (_units_table((document.get("units") or {}).get("by_type") or {}, lang),
                  _worst_table(worst, lang)):
        if table is not None:
            console.print()
            console.print(table)
