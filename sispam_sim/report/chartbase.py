"""What every chart of the report shares: the style, the SVG it becomes, safe text, clock axes, phase bands.

Imported only when a report is written (matplotlib takes a good part of a second to import); the
Agg backend is selected before pyplot is touched (no display needed).

* :func:`svg`: a figure as one ``<svg>`` element that scales to its container (``width="100%"``
  and its ``viewBox``), with ``role="img"``, an ``aria-label`` and ``<title>``/``<desc>``;
  deterministic (fixed hash salt, no date), so a report rebuilt from the same files is
  byte-identical.
* :func:`plain`: a scenario's text as matplotlib must be given it: matplotlib escapes ``<``,
  ``&`` and quotes in SVG itself but would write control characters that are not XML. ``$...$``
  is never read as mathematics (``text.parse_math`` is off in :data:`STYLE`: an unbalanced
  formula would raise, and an escaped one escaped again by a caller would too).
* :func:`clock_axis`: ticks at whole hours labelled ``HH:MM`` (Indonesian ``HH.MM``); a tick on
  the next day carries ``+1``; :func:`number_axis`: tick numbers with Indonesian's decimal comma.
* :func:`phase_bands`: each phase of the day shaded in its own tint on every panel, with a strip
  and its name along the top, and its bounds drawn over the data.
"""

from __future__ import annotations

import html
import io
import re
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator, ScalarFormatter  # noqa: E402

__all__ = ["STYLE", "svg", "plain", "number", "percent", "clock_text", "clock_axis", "number_axis", "phase_bands",
           "PHASE_TINTS", "hatch_colour"]

STYLE = {
    "svg.fonttype": "none",          # text stays text: smaller, selectable, scales on a projector
    "svg.hashsalt": "sispam-sim",    # stable element ids: the same report, byte for byte
    "font.size": 10,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "text.parse_math": False,        # a scenario's "$\frac$" is text, never mathematics
}

_DECIMALS = re.compile(r"(\d\.\d)\d+")
_TEXT = re.compile(r"(<text\b.*?</text>)", re.S)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def svg(fig, title: str, desc: str) -> str:
    """The figure as one accessible ``<svg>`` element (no XML prolog, no fixed pixel size: it takes
    the width of its container, its height from the ``viewBox``)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)   # an RDF block naming purl.org: not needed
    text = _shorten(text)
    head_end = text.index(">") + 1
    head = text[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head, count=2)
    title, desc = _CONTROL.sub(" ", title), _CONTROL.sub(" ", desc)   # not XML: a title is the scenario's text
    label = html.escape(title, quote=True)
    head = head[:-1] + f' width="100%" role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet">'
    return (head + f"<title>{html.escape(title)}</title><desc>{html.escape(desc)}</desc>"
            + text[head_end:].strip() + "\n")


def _shorten(text: str) -> str:
    """Coordinates to a tenth of a point, finer than any screen: a third of the bytes. Only in markup:
    the words of a ``<text>`` element (a clock time ``06.00``, a name) stay as they are."""
    parts = _TEXT.split(text)
    for k, part in enumerate(parts):
        if k % 2 == 0:
            parts[k] = _DECIMALS.sub(r"\1", part)
        else:
            tag_end = part.index(">") + 1
            parts[k] = _DECIMALS.sub(r"\1", part[:tag_end]) + part[tag_end:]
    return "".join(parts)


def hatch_colour(artist, colour: str) -> None:
    """The colour of an artist's hatching: its own (matplotlib 3.11 separated it from the edge), or,
    on an older matplotlib, its edge's (which hatching then followed; the artists hatched here draw
    no edge line of their own)."""
    if hasattr(artist, "set_hatchcolor"):
        artist.set_hatchcolor(colour)
    else:
        artist.set_edgecolor(colour)


def plain(text: object) -> str:
    """A scenario's text, safe to give matplotlib: control characters (and line breaks) become a
    space. ``$`` stays as it is: :data:`STYLE` turns mathematics off, so it prints as written, and
    text passed through here twice is still the same text."""
    return _CONTROL.sub(" ", str(text))


def number(value: float, lang: str, digits: int = 1) -> str:
    """``15.3`` (Indonesian ``15,3``), thousands ``1,234`` (``1.234``)."""
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def percent(share: float, lang: str) -> str:
    """A share as a whole percentage (``83%``); below 10% with one decimal (``4.5%``, ``4,5%``)."""
    value = 100 * share
    digits = 1 if 0 < value < 10 and abs(value - round(value)) >= 0.05 else 0
    return f"{number(value, lang, digits)}%"


def clock_text(hour: float, lang: str) -> str:
    """Clock hours (since midnight of the scenario's day, may pass 24) as ``HH:MM`` (Indonesian
    ``HH.MM``), ``+1`` on the next day."""
    minutes = round(hour * 60)
    day, minutes = divmod(minutes, 24 * 60)
    sep = "." if lang == "id" else ":"
    return f"{minutes // 60:02d}{sep}{minutes % 60:02d}" + (f" +{day}" if day > 0 else "")


class _Numbers(ScalarFormatter):
    """matplotlib's own tick numbers (``2.5``, ``10.0``) with ``lang``'s decimal comma (``2,5``)."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def __call__(self, x, pos=None):
        text = super().__call__(x, pos)
        return text.translate(str.maketrans(",.", ".,")) if self.lang == "id" else text


def number_axis(axis, lang: str) -> None:
    """Tick numbers on ``axis`` (a matplotlib x or y axis of minutes or personnel) as ``lang`` writes
    them: Indonesian ``2,5``, not ``2.5``."""
    axis.set_major_formatter(_Numbers(lang))


#: Tick steps in hours, the first that gives at most 12 ticks over the axis.
STEPS = (1, 2, 3, 4, 6, 12, 24, 48)


def clock_axis(axis, lang: str, lo: float, hi: float) -> None:
    """Ticks at whole hours on ``axis`` (a matplotlib x or y axis of clock hours from ``lo`` to ``hi``)."""
    span = max(hi - lo, 1e-9)
    step = next((s for s in STEPS if span / s <= 12), STEPS[-1])
    axis.set_major_locator(MultipleLocator(step))
    if step <= 2:
        axis.set_minor_locator(MultipleLocator(step / 2 if step == 2 else 0.5))
    axis.set_major_formatter(FuncFormatter(lambda hour, _: clock_text(hour, lang)))


#: The tints of the phases of the day, in the order the scenario lists them.
PHASE_TINTS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2")


def phase_bands(axes: Sequence, windows: Sequence[tuple[float, float, str]]) -> None:
    """Shade each window ``(start, end, name)`` on every panel in ``axes`` (the top one carries the
    names): a light band under the data, a strip of the phase's tint along the top edge and dashed
    bounds over the data, so that the phases stay visible over stacked areas."""
    for k, (start, end, name) in enumerate(windows):
        tint = PHASE_TINTS[k % len(PHASE_TINTS)]
        for ax in axes:
            ax.axvspan(start, end, color=tint, alpha=0.10, lw=0, zorder=0)
            ax.axvspan(start, end, ymin=0.955, ymax=1.0, color=tint, alpha=0.85, lw=0, zorder=5)
            for bound in (start, end):
                ax.axvline(bound, color=tint, lw=0.9, ls=(0, (4, 3)), zorder=5)
        top = axes[0]
        top.text((start + end) / 2, 1.015, plain(name), transform=top.get_xaxis_transform(), ha="center",
                 va="bottom", fontsize=9, fontweight="bold", color=tint, clip_on=False)
