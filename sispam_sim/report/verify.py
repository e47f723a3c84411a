"""What ``sispam-sim verify`` prints: the judged rows of :mod:`sispam_sim.verify.reference`
as a table for people or one JSON document. Nothing is computed here."""

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


def verify_document(rows: Sequence, quick: bool) -> dict:
    failed = sum(not r.passed for r in rows)
    return {"quick": quick, "verdict": "fail" if failed else "pass", "failed": failed, "total": len(rows),
            "checks": [r.as_dict() for r in rows]}


def verify_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_table(document: dict, console: Console, lang: str = "en") -> None:
    table = Table(title=t("title_verify", lang), title_justify="left")
    for key, justify in (("verify_case", "left"), ("verify_measure", "left"), ("verify_theory", "right"),
                         ("verify_simulated", "right"), ("verify_allowed", "right"), ("verify_replications", "right"),
                         ("result", "left")):
        table.add_column(t(key, lang), justify=justify)
    for row in document["checks"]:
        allowed = f"{row['max_rel_half']:.0%}" if row["max_rel_half"] else "1e-6"
        verdict = row["result"]
        table.add_row(f"{row['case']} ({row['detail']})", _measure(row, lang), _num(row["theory"]),
                      _simulated(row), allowed,
                      str(row["replications"]), Text(t(verdict, lang), style=VERDICT_STYLE[verdict]))
    console.print(fit(table, console.width))
    console.print(t("verify_rule", lang), soft_wrap=True)
    key = "verify_failed" if document["failed"] else "verify_passed"
    console.print(t(key, lang, failed=document["failed"], total=document["total"]),
                  style=VERDICT_STYLE[document["verdict"]], soft_wrap=True)


def _measure(row, lang: str) -> Text:
    """What is measured, and under it (dim) the theory it is checked against."""
    text = Text(t(row["measure"], lang))
    if row.get("method"):
        text.append("\n" + t(row["method"], lang), style="dim")
    return text


def _simulated(row) -> str:
    """``value [low–high]``; an exact case (one replication, nothing random) shows its value alone."""
    low, high = _num(row["low"]), _num(row["high"])
    return _num(row["value"]) if low == high else f"{_num(row['value'])} [{low}–{high}]"
