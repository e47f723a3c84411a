"""The plain data the briefing pages' templates draw: text parts, table cells, tables and figures,
and the numbers in them as the reader's language writes them.

A *part* is ``{"text", "look"}``: with a look it is a verdict badge (the look is its CSS class), else
text. A *cell* is ``{"parts", "cls"}``; a *table* ``{"headers", "rows", "numeric", "cls"}``; a *figure*
``{"svg", "caption", "cls"}`` whose SVG (built and escaped by :mod:`.charts`) is the only markup
that enters a page as is (``Markup``). Everything else is plain text the templates escape
(``templates/_macros.html.j2``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sispam_sim.report import numbers
from sispam_sim.report.i18n import t

__all__ = ["part", "cell", "table", "figure", "svg", "look", "verdict_part", "minutes", "interval", "decimal",
           "DASH"]

DASH = "–"
#: A verdict's label key where it is not the verdict itself (compare writes "no difference").
VERDICT_WORDS = {"no difference": "no_difference", "not better": "not_better"}


def svg(text: str):
    """A chart from :mod:`.charts`: SVG that it built and whose text it escaped, inserted as is."""
    from markupsafe import Markup

    return Markup(text)


def look(verdict: str | None) -> str:
    """The CSS class of a verdict's badge: the one mapping every output of compare shares
    (:data:`~sispam_sim.report.compare.VERDICT_LOOK`), ``verdict-other`` for anything else."""
    from sispam_sim.report.compare import VERDICT_LOOK

    if not verdict:
        return ""
    key = str(verdict)
    for name in (key, key.replace("_", " "), key.replace(" ", "_")):
        if name in VERDICT_LOOK:
            return VERDICT_LOOK[name][0]
    return "verdict-other"


def part(text: Any, look_: str = "") -> dict:
    return {"text": "" if text is None else str(text), "look": look_}


def verdict_part(verdict: str, lang: str) -> dict:
    """A verdict as a badge: its word in ``lang`` (PASS / LULUS, TOO CLOSE, better / lebih baik, ...) in
    its own look."""
    return part(t(VERDICT_WORDS.get(verdict, verdict), lang, default=str(verdict)), look(verdict))


def cell(*parts: Any, cls: str = "") -> dict:
    """One table cell for the templates' ``cell`` macro: its parts (text, or a badge from
    :func:`verdict_part`) one after the other; ``cls``: ``id`` is never wrapped."""
    return {"parts": [p if isinstance(p, Mapping) else part(p) for p in parts], "cls": cls}


def table(headers: Sequence[str], rows: Sequence[Sequence], numeric: Sequence[int] = (), cls: str = "") -> dict:
    """A table for the ``table`` macro: each row a list of cells (a plain value becomes a text cell);
    ``numeric``: the right-aligned columns; ``cls``: the table's class."""
    body = [[c if isinstance(c, Mapping) else cell(c) for c in row] for row in rows]
    return {"headers": [str(h) for h in headers], "rows": body, "numeric": set(numeric), "cls": cls}


def figure(svg_text: str, caption: str, cls: str = "") -> dict:
    return {"svg": svg(svg_text), "caption": caption, "cls": cls}


def decimal(value: float | None, digits: int, lang: str) -> str:
    """``1,234.5`` / ``1.234,5``; a dash for no value."""
    return DASH if value is None else numbers.decimal(value, digits, lang)


def minutes(value: float | None, lang: str, censored: bool = False) -> str:
    """``15.3 min`` / ``15,3 mnt``; ``> 1,200.0 min`` among incidents never reached (censored)."""
    if value is None:
        return DASH
    return f"{'> ' if censored else ''}{numbers.decimal(value, 1, lang)} {t('min', lang)}"


def interval(ci: Sequence[float | None] | None, digits: int, lang: str, scale: float = 1.0,
             value: float | None = None) -> str:
    """``[14.5–16.3]`` in ``lang``'s numbers; empty without both ends, and (given the ``value``) when
    both ends print as the value does: an interval narrower than the precision says nothing."""
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    low, high = (numbers.decimal(end * scale, digits, lang) for end in ci[:2])
    if value is not None and low == high == numbers.decimal(value * scale, digits, lang):
        return ""
    return f"[{low}–{high}]"
