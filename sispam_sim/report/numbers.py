"""Numbers and clock times as a reader of each language writes them.

English writes ``15.3``, ``1,200`` and ``07:30``; Indonesian writes ``15,3``, ``1.200`` and
``07.30`` (a decimal comma, a thousands dot, the clock with a dot), and a share ``89,4%``. Every
renderer a person reads (terminal, Markdown, the inject script, replay, check, sweep, the HTML
report) formats numbers through these functions with its ``lang``; what machines read
(results.json, the CSV files, ``--format json``) keeps the English form whatever ``--lang`` says.

    >>> decimal(1234.56, 1, "id"), whole(1200, "id"), clock_text("07:30", "id")
    ('1.234,6', '1.200', '07.30')
    >>> decimal(1234.56, 1), whole(1200), percent(89.4, "id")
    ('1,234.6', '1,200', '89,4%')
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["localise", "decimal", "whole", "count", "percent", "signed", "clock", "clock_at", "clock_text",
           "CLOCK_SEPARATOR"]

#: The character between hours and minutes (Indonesian: ``07.30``, KBBI / PUEBI).
CLOCK_SEPARATOR = {"en": ":", "id": "."}
#: English separators swapped for Indonesian ones: ``1,234.5`` -> ``1.234,5``.
_SWAP = str.maketrans({",": ".", ".": ","})


def localise(number: str, lang: str = "en") -> str:
    """A number written the English way (``1,234.5``) with ``lang``'s separators (``1.234,5``).

    Only for a number's own characters: text around it (words, units) must not pass through here."""
    return number.translate(_SWAP) if lang == "id" else number


def decimal(value: float, digits: int = 1, lang: str = "en", grouping: bool = True) -> str:
    """``value`` with ``digits`` decimals and (``grouping``) thousands separators; never ``-0.0``."""
    text = f"{value:,.{digits}f}" if grouping else f"{value:.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return localise(text, lang)


def whole(value: float, lang: str = "en") -> str:
    """A whole number with thousands separators: ``1,200`` / ``1.200``."""
    return localise(f"{int(round(value)):,}", lang)


def count(value: float, lang: str = "en") -> str:
    """A count: whole when it is (``1,200``), else one decimal (``2.5`` / ``2,5``)."""
    return whole(value, lang) if float(value).is_integer() else decimal(value, 1, lang)


def percent(points: float, lang: str = "en", digits: int = 1) -> str:
    """A share already in percent (``89.4``) as ``89.4%`` / ``89,4%``."""
    return decimal(points, digits, lang, grouping=False) + "%"


def signed(value: float, digits: int = 1, lang: str = "en") -> str:
    """``+1.2`` / ``-0.8`` (``+1,2`` / ``-0,8``): the sign always written."""
    text = decimal(abs(value), digits, lang)
    negative = value < 0 and text.strip("0.,") != ""
    return ("-" if negative else "+") + text


def clock(moment: datetime, lang: str = "en") -> str:
    """A moment's time of day: ``07:30`` / ``07.30``."""
    return moment.strftime(f"%H{CLOCK_SEPARATOR[lang]}%M")


def clock_at(start: datetime, minutes: float | None, lang: str = "en") -> str:
    """The time of day ``minutes`` after ``start`` (``""`` for none)."""
    if minutes is None:
        return ""
    return clock(start + timedelta(minutes=minutes), lang)


def clock_text(text: str, lang: str = "en") -> str:
    """A clock time stored the machine way (``"07:30"``, in a CSV or JSON cell) as ``lang`` writes it;
    anything else (a word such as "never", an empty cell) unchanged."""
    if lang == "en" or not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return text
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return text
    return f"{hours}{CLOCK_SEPARATOR[lang]}{minutes}"
