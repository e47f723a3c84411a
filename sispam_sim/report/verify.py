"""What ``sispam-sim verify`` prints: the judged rows of :mod:`sispam_sim.verify.reference`
as a table for people or one JSON document. Nothing is computed here: the rule the rows were
judged by comes with them (``reference.rule``)."""

from __future__ import annotations

import json
from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sispam_sim.report.i18n import t
from sispam_sim.report.terminal import VERDICT_STYLE, fit

__all__ = ["verify_document", "render_table", "verify_json"]


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.2f}"


def _share(x: float) -> str:
    return f"{x * 100:.2f}%" if abs(x) < 0.1 else f"{x * 100:.1f}%"


def _pct(level: float) -> str:
    """99.375% -> "99.38%", 95% -> "95%"."""
    return f"{level * 100:.2f}".rstrip("0").rstrip(".") + "%"


def verify_document(rows: Sequence, quick: bool, seed: int | None = None, rule: dict | None = None) -> dict:
    failed = sum(not r.passed for r in rows)
    document = {"quick": quick, "seed": seed, "verdict": "fail" if failed else "pass", "failed": failed,
                "total": len(rows)}
    if rule is not None:
        document["rule"] = rule
    document["checks"] = [r.as_dict() for r in rows]
    return document


def verify_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_table(document: dict, console: Console, lang: str = "en") -> None:
    rule = document.get("rule")
    level = rule["per_check_level"] if rule else 0.95
    table = Table(title=t("title_verify", lang), title_justify="left")
    for key, justify in (("verify_case", "left"), ("verify_measure", "left"), ("verify_theory", "right"),
                         ("verify_simulated", "right"), ("verify_allowed", "right"), ("verify_replications", "right"),
                         ("result", "left")):
        table.add_column(t(key, lang, level=_pct(level)), justify=justify)
    for row in document["checks"]:
        allowed = f"{row['max_rel_half']:.0%}" if row["max_rel_half"] else "1e-6"
        verdict = row["result"]
        value = _share if row.get("unit") == "share" else _num
        table.add_row(Text(row["case"]).append("\n" + row["detail"], style="dim"), _measure(row, lang),
                      value(row["theory"]), _simulated(row, value), allowed,
                      str(row["replications"]), Text(t(verdict, lang), style=VERDICT_STYLE[verdict]))
    console.print(fit(table, console.width))
    console.print(t("verify_rule", lang), soft_wrap=True)
    if rule:
        console.print(t("verify_bonferroni", lang, m=rule["stochastic_checks"], level=_pct(level),
                        rate=_pct(rule["suite_false_fail"])), soft_wrap=True)
    warmups = _warmups(document["checks"], lang)
    if warmups:
        console.print(t("verify_warmup", lang, warmups=warmups), soft_wrap=True)
    if "seed" in document:
        seed = document["seed"]
        console.print(t("verify_seed_files", lang) if seed is None else t("verify_seed", lang, seed=seed),
                      soft_wrap=True)
    key = "verify_failed" if document["failed"] else "verify_passed"
    console.print(t(key, lang, failed=document["failed"], total=document["total"]),
                  style=VERDICT_STYLE[document["verdict"]], soft_wrap=True)


def _measure(row, lang: str) -> Text:
    """What is measured, and under it (dim) the theory it is checked against."""
    text = Text(t(row["measure"], lang, t=f"{row.get('threshold') or 0:g}"))
    if row.get("method"):
        text.append("\n" + t(row["method"], lang), style="dim")
    return text


def _simulated(row, value=_num) -> str:
    """``value [low–high]`` (a share: ``12.6% [11.5–13.9%]``); an exact case (one replication,
    nothing random) shows its value alone."""
    low, high = value(row["low"]), value(row["high"])
    if low == high:
        return value(row["value"])
    return f"{value(row['value'])} [{low.removesuffix('%')}–{high}]"


def _span(minutes: float) -> str:
    """12h, 7d, 1h30min: as a scenario writes a duration."""
    if minutes and minutes % 1440 == 0:
        return f"{minutes / 1440:g}d"
    hours, rest = divmod(minutes, 60)
    return (f"{hours:g}h" if hours else "") + (f"{rest:g}min" if rest or not hours else "")


def _warmups(checks, lang: str) -> str:
    """``12h of 7d (mmc-1, mmc-3), 2h of 1d (mmc-large)``: the warm-ups, in the order of the cases."""
    groups: dict[tuple[float, float], list[str]] = {}
    for row in checks:
        if row.get("warmup_minutes"):
            cases = groups.setdefault((row["warmup_minutes"], row["duration_minutes"]), [])
            if row["case"] not in cases:
                cases.append(row["case"])
    return "; ".join(t("verify_warmup_part", lang, warmup=_span(w), duration=_span(d), cases=", ".join(cases))
                     for (w, d), cases in groups.items())
