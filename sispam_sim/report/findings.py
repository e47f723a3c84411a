"""The findings of a run as sentences, in English or Indonesian: the bottom line up front.

It reads ``results.json``'s ``findings`` (:mod:`sispam_sim.stats.findings` computes them) and
computes nothing: every number in a sentence is one of the document's. Three forms:

* :func:`bottom_line` — one line for the end of ``sispam-sim run``'s terminal report: how many
  targets fail, then per failed or too-close target where and why in a clause, then the single
  points of failure that made incidents wait;
* :func:`sentences` — one sentence per failed or too-close target and per single point of
  failure that waited (Markdown, the HTML report);
* :func:`split_rows` — a finding's waiting / mobilising / travel split as table rows (over the
  limit, all, per kind, per ranked district or place).

Everything is plain text with the scenario's names and labels as written (in Indonesian where
the author gave ``name_id`` / ``label_id``): the renderer makes it inert (rich ``Text``,
Markdown or HTML escaping). Numbers are written as ``lang`` writes them
(:mod:`~sispam_sim.report.numbers`).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import INCIDENT_METRICS, canonical_metric

__all__ = ["bottom_line", "sentences", "finding_head", "target_sentence", "single_point_sentence", "split_rows", "split_headers",
           "area_name", "SPLIT_PARTS"]

#: How many districts or places a sentence names (results.json keeps up to its rule's ``top``).
NAMED_AREAS = 3
#: The parts of a split, in the order a sentence or a table gives them.
SPLIT_PARTS = ("wait", "mobilise", "travel", "after_arrival")


# ---------------------------------------------------------------- numbers and names


def _minutes(value: float | None, lang: str) -> str:
    return "—" if value is None else numbers.decimal(value, 1, lang)


def _share(value: float | None, lang: str, digits: int = 0) -> str:
    """A share in percent (a district's share over the limit, a unit type's share of first arrivals)."""
    return "—" if value is None else numbers.percent(round(value * 100, digits), lang, digits)


def _share_over(value: float | None, lang: str) -> str:
    """The share of all the target's incidents over the limit, rounded up at one decimal: it adds up
    to 100% with the share within the limit the targets table cuts down (10.7% over beside 89.3%)."""
    from sispam_sim.report.terminal import _tenths_of_percent

    return "—" if value is None else numbers.percent(_tenths_of_percent(value, up=True), lang)


def _limit(value: float, lang: str) -> str:
    """A target's limit as written: ``15``, ``7.5``."""
    return numbers.count(value, lang) if float(value).is_integer() else numbers.decimal(value, 1, lang)


def _utilisation(entry: Mapping[str, Any] | None, lang: str) -> str:
    from sispam_sim.report.terminal import fmt_percent

    return fmt_percent((entry or {}).get("value"), lang)


def area_name(area: Mapping[str, Any] | None, lang: str = "en") -> str:
    """A district's or place's name in ``lang`` (a district nobody named: its id in words)."""
    if not area:
        return "—"
    if lang == "id" and area.get("name_id"):
        return area["name_id"]
    name = area.get("name") or area.get("id", "")
    return glossary.in_words(name) if area.get("area") == "district" and name == area.get("id") else name


def _label(entry: Mapping[str, Any], lang: str) -> str:
    return (entry.get("label_id") if lang == "id" else None) or entry.get("label") or ""


def _unit_type(type_id: str, name: str | None, name_id: str | None, lang: str) -> str:
    if lang == "id" and name_id:
        return name_id
    return name or glossary.unit_type(None, type_id, lang)


def _part_name(part: str, of: str, lang: str) -> str:
    if part == "after_arrival":
        return t(f"finding_part_after_{of}", lang, default=t("finding_part_after", lang))
    return t(f"finding_part_{part}", lang)


def finding_head(finding: Mapping[str, Any], lang: str = "en") -> str:
    """``Response time p90 15.3 > 15``: the target, its value and limit (a censored value ``> X``)."""
    from sispam_sim.report.terminal import target_name

    metric, value, limit = finding["metric"], finding.get("value"), finding["limit"]
    if canonical_metric(metric) in INCIDENT_METRICS:
        shown = _minutes(value, lang)
        bound = _limit(limit, lang)
    elif metric == "max_level":
        # the doctrinal name, the same in both languages (merah, not "merah (red)" inside brackets)
        shown = "—" if value is None else f"{numbers.count(value, lang)} ({glossary.level(int(value), 'id')})"
        bound = numbers.count(limit, lang)
    else:
        shown = "—" if value is None else numbers.decimal(value, 2, lang) if not float(value).is_integer() \
            else numbers.count(value, lang)
        bound = numbers.count(limit, lang)
    if finding.get("value_censored") and value is not None:
        shown = f"> {shown}"
    op = ">" if value is not None and (finding.get("value_censored") or value > limit) else "≤"
    text = t("finding_head", lang, target=target_name(finding, lang), stat=t(finding["stat"], lang), value=shown,
             op=op, limit=bound)
    if finding["verdict"] == "too_close":
        text += f" ({t('finding_too_close', lang)})"
    return text


def _areas(where: Sequence[Mapping[str, Any]], lang: str) -> str:
    return ", ".join(t("finding_area", lang, name=area_name(w, lang), share=_share(w["share_over"]["value"], lang),
                       n=numbers.whole(w["incidents"], lang)) for w in where[:NAMED_AREAS])


def _largest(split: Mapping[str, Any]) -> tuple[float, str] | None:
    parts = [(split.get(p), p) for p in SPLIT_PARTS if split.get(p) is not None]
    return max(parts) if parts and split.get("value") is not None else None


def _mostly(split: Mapping[str, Any], of: str, lang: str) -> str | None:
    """``mostly travel (13.2 of 20.5 min)``: the largest part of the split."""
    largest = _largest(split)
    if largest is None:
        return None
    minutes, part = largest
    return t("finding_mostly", lang, part=_part_name(part, of, lang), minutes=_minutes(minutes, lang),
             value=_bounded(split, lang))


def _bounded(split: Mapping[str, Any], lang: str) -> str:
    return ("≥ " if split.get("lower_bound") else "") + _minutes(split.get("value"), lang)


def _parts(split: Mapping[str, Any], of: str, lang: str) -> str:
    return ", ".join(f"{_part_name(p, of, lang)} {_minutes(split[p], lang)}" for p in SPLIT_PARTS
                     if split.get(p) is not None)


# ---------------------------------------------------------------- sentences


def target_sentence(finding: Mapping[str, Any], lang: str = "en") -> str:
    """One sentence: what (the target, its value and limit), where and why."""
    metric = canonical_metric(finding["metric"])
    clauses = [finding_head(finding, lang)]
    if metric in INCIDENT_METRICS:
        over = finding.get("share_over") or {}
        clauses.append(t("finding_share_over", lang, share=_share_over(over.get("value"), lang),
                         n=numbers.whole(finding["incidents"], lang), limit=_limit(finding["limit"], lang)))
        where = finding.get("where") or []
        clauses.append(t("finding_where", lang, areas=_areas(where, lang)) if where else
                       t("finding_where_none", lang, min=numbers.whole(_min_incidents(finding), lang)))
        why = finding.get("why") or {}
        split = why.get("over_limit") or {}
        text = "; ".join(clauses) + "."
        largest = _largest(split) if split.get("measured") else None
        if largest is not None:
            of = why.get("of", metric)
            text += " " + _capital(t("finding_why", lang, parts=_parts(split, of, lang), value=_bounded(split, lang),
                                     part=_part_name(largest[1], of, lang)))
        if finding.get("never_reached"):
            text += " " + _capital(t("finding_never_reached", lang, n=numbers.whole(finding["never_reached"], lang)))
        bottleneck = why.get("bottleneck")
        if bottleneck:
            text += " " + _capital(t("finding_bottleneck", lang, unit_type=_unit_type(
                bottleneck["unit_type"], bottleneck.get("name"), bottleneck.get("name_id"), lang),
                share=_share(bottleneck["share"], lang), utilisation=_utilisation(bottleneck.get("utilisation"), lang)))
        return text
    days = t("finding_days_over", lang, days=numbers.whole(finding.get("days_over", 0), lang),
             total=numbers.whole(finding.get("days", 0), lang))
    where = finding.get("where") or []
    text = f"{clauses[0]} {days}" + (": " + ", ".join(_entry_where(w, lang) for w in where[:NAMED_AREAS])
                                     if where else "") + "."
    why = finding.get("why") or {}
    if metric == "max_level":
        split = why.get("over_limit") or {}
        if split.get("measured"):
            text += " " + _capital(t("finding_level_why", lang, value=_bounded(split, lang),
                                     parts=_parts(split, "short_minutes", lang)))
    elif why.get("never_reached") is not None:
        text += " " + _capital(t("finding_unresolved_why", lang, n=numbers.whole(finding.get("over_limit", 0), lang),
                                 never=numbers.whole(why["never_reached"], lang)))
    return text


def _min_incidents(finding: Mapping[str, Any]) -> int:
    from sispam_sim.stats.findings import MIN_INCIDENTS

    return int(finding.get("min_incidents") or MIN_INCIDENTS)


def _entry_where(entry: Mapping[str, Any], lang: str) -> str:
    return t("finding_entry_where", lang, label=_label(entry, lang), place=area_name(entry.get("where"), lang),
             days=numbers.whole(entry["days"], lang))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def single_point_sentence(point: Mapping[str, Any], lang: str = "en") -> str:
    """One sentence: the need only one unit can meet, how often it waited for it, and the longest wait."""
    unit_type = _unit_type(point["unit_type"], point.get("unit_type_name"), point.get("unit_type_name_id"), lang)
    text = t("finding_spof", lang, unit=point["unit"], unit_type=unit_type,
             capability=glossary.capability(point["capability"], lang), label=_label(point, lang))
    longest = point.get("longest")
    if longest:
        text += "; " + t("finding_spof_waited", lang, days_waited=numbers.whole(point["days_waited"], lang),
                         days=numbers.whole(point["days"], lang), waited=numbers.whole(point["waited"], lang),
                         incidents=numbers.whole(point["incidents"], lang),
                         wait=("> " if longest.get("censored") else "") + _minutes(longest["wait"], lang),
                         day=numbers.whole(longest["replication"] + 1, lang))
        held = longest.get("held_by")
        if held:
            text += " " + t("finding_spof_held", lang, label=_label(held, lang),
                            place=_held_place(held, lang))
    else:
        text += "; " + t("finding_spof_never_waited", lang, days=numbers.whole(point["days"], lang))
    return text + "."


def _held_place(held: Mapping[str, Any], lang: str) -> str:
    area = held.get("area")
    place = held.get("place") or ""
    if area and area.get("area") == "place":
        return area_name(area, lang)
    if area and place != area.get("id"):   # a TPS: its id and district
        return f"{place}, {area_name(area, lang)}"
    return area_name(area, lang) if area else place


def _findings(document: Mapping[str, Any]) -> Mapping[str, Any]:
    return document.get("findings") or {}


def sentences(document: Mapping[str, Any], lang: str = "en") -> list[str]:
    """A sentence per failed or too-close target (in the targets' order), then one per single point
    of failure whose incidents waited for its unit."""
    found = _findings(document)
    rule = found.get("rule") or {}
    out = [target_sentence({**f, "min_incidents": rule.get("min_incidents")}, lang) for f in found.get("targets", ())]
    out += [single_point_sentence(p, lang) for p in found.get("single_points", ()) if p.get("longest")]
    return out


def _counts(targets: Sequence[Mapping[str, Any]], lang: str) -> str:
    if not targets:
        return t("finding_no_targets", lang)
    total = numbers.whole(len(targets), lang)
    failed = sum(1 for row in targets if row.get("verdict") == "fail")
    close = sum(1 for row in targets if row.get("verdict") == "too_close")
    untested = sum(1 for row in targets if row.get("verdict") == "untested")
    if not (failed or close or untested):
        return t("finding_count_met", lang, total=total)
    parts = []
    for key, n in (("fail", failed), ("close", close), ("untested", untested)):
        if n:   # the first says "of N targets"
            parts.append(t(f"finding_count_{key}" if parts else f"finding_count_{key}_first", lang,
                           n=numbers.whole(n, lang), total=total))
    return ", ".join(parts)


def _clause(finding: Mapping[str, Any], lang: str) -> str:
    """A failed target in a clause of the bottom line: what, where, mostly what."""
    metric = canonical_metric(finding["metric"])
    text = finding_head(finding, lang)
    rest = []
    if metric in INCIDENT_METRICS:
        where = finding.get("where") or []
        if where:
            rest.append(t("finding_where", lang, areas=_areas(where, lang)))
        why = finding.get("why") or {}
        mostly = _mostly(why.get("over_limit") or {}, why.get("of", metric), lang)
        if mostly:
            rest.append(mostly)
    else:
        text += " " + t("finding_days_over", lang, days=numbers.whole(finding.get("days_over", 0), lang),
                        total=numbers.whole(finding.get("days", 0), lang))
        where = finding.get("where") or []
        if where:
            rest.append(_entry_where(where[0], lang))
    return text + (": " + "; ".join(rest) if rest else "")


def bottom_line(document: Mapping[str, Any], lang: str = "en") -> str:
    """The run's verdict in one line: the targets' count, each failed or too-close target's where and
    why, the single points of failure that made incidents wait. Provenance is not in it."""
    found = _findings(document)
    parts = [_capital(_counts(document.get("targets") or [], lang))]
    parts += [_clause(f, lang) for f in found.get("targets", ())]
    by_unit: dict[str, list[Mapping[str, Any]]] = {}
    for point in found.get("single_points", ()):
        if point.get("longest"):
            by_unit.setdefault(point["unit"], []).append(point)
    for unit, points in by_unit.items():   # the longest waits first, two at most
        points = sorted(points, key=lambda p: (-p["longest"]["wait"], p["entry"]))[:2]
        waits = ", ".join(t("finding_spof_entry", lang, label=_label(p, lang),
                            days_waited=numbers.whole(p["days_waited"], lang), days=numbers.whole(p["days"], lang),
                            wait=("> " if p["longest"].get("censored") else "") + _minutes(p["longest"]["wait"], lang),
                            day=numbers.whole(p["longest"]["replication"] + 1, lang)) for p in points)
        parts.append(t("finding_spof_short", lang, unit=unit, waits=waits))
    return f"{t('finding_bottom_line', lang)}: " + ". ".join(parts) + "."


# ---------------------------------------------------------------- the split as a table


def split_headers(finding: Mapping[str, Any], lang: str) -> list[str]:
    """The headings of :func:`split_rows`: what the row counts, incidents, each part, the total."""
    why = finding.get("why") or {}
    of = why.get("of", canonical_metric(finding["metric"]))
    has_after = "after_arrival" in (why.get("over_limit") or {})
    parts = [p for p in SPLIT_PARTS if p != "after_arrival" or has_after]
    return [t("finding_split_of", lang), t("finding_split_incidents", lang),
            *(_capital(_part_name(p, of, lang)) for p in parts), t("finding_split_total", lang)]


def split_rows(finding: Mapping[str, Any], lang: str) -> list[list[str]]:
    """A finding's split in minutes (means): over the limit and all incidents, per kind (over the
    limit), per ranked district or place (over the limit). Empty for a day metric's finding."""
    why = finding.get("why") or {}
    if "over_limit" not in why or canonical_metric(finding["metric"]) not in INCIDENT_METRICS:
        return []
    has_after = "after_arrival" in (why.get("over_limit") or {})
    parts = [p for p in SPLIT_PARTS if p != "after_arrival" or has_after]

    def row(name: str, split: Mapping[str, Any]) -> list[str]:
        return [name, numbers.whole(split.get("incidents", 0), lang),
                *(_minutes(split.get(p), lang) for p in parts), _bounded(split, lang)]

    rows = [row(t("finding_split_over", lang), why["over_limit"]), row(t("finding_split_all", lang), why["all"])]
    for kind, entry in (why.get("by_kind") or {}).items():
        if len(why.get("by_kind") or {}) > 1 and entry.get("over_limit"):
            rows.append(row(f"{kinds.label(kind, lang)} ({t('finding_split_over', lang)})", entry["over_limit_split"]))
    for where in finding.get("where") or []:
        rows.append(row(f"{area_name(where, lang)} ({t('finding_split_over', lang)})", where["split"]["over_limit"]))
    return rows


def print_bottom_line(document: Mapping[str, Any], console, lang: str = "en") -> None:
    """``run``'s last line in the terminal, after every table so that it stays on screen: the
    :func:`bottom_line`, red when a target fails, the too-close colour when one is too close to call."""
    from rich.text import Text

    from sispam_sim.errors import printable
    from sispam_sim.report.terminal import VERDICT_STYLE

    if document.get("findings") is None:
        return
    targets = document.get("targets") or []
    verdicts = {row["verdict"] for row in targets}
    style = ("bold red" if "fail" in verdicts else VERDICT_STYLE["too_close"] if "too_close" in verdicts
             else "bold green" if targets and verdicts == {"pass"} else "bold")
    console.print()
    console.print(Text(printable(bottom_line(document, lang)), style=style))
