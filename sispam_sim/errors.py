"""Problems found in user input, located to file, line, column and key path.

Every stage that reads what a user wrote reports through :class:`Problem`; the CLI
turns a :class:`ScenarioError` into one line per problem and exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Literal, Sequence

Severity = Literal["error", "warning"]

#: The ``file`` of a problem caused by a command-line override (``--set KEY.PATH=VALUE``): its
#: ``path`` is then the override as written, and it has no line or column.
OVERRIDE_FILE = "--set"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a scenario file."""

    file: str
    line: int | None
    col: int | None
    path: str  # key path such as "forces.units[2].base"; "" for the whole file
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """``FILE:LINE:COL: error: KEY.PATH: message`` (parts that are unknown are left out).

        A problem of an override reads ``--set KEY.PATH=VALUE: error: message``. One line of
        plain text: the file name, key path and message may hold what a user wrote, so they go
        through :func:`printable`.
        """
        if self.file == OVERRIDE_FILE and self.path:
            return f"{OVERRIDE_FILE} {printable(self.path)}: {self.severity}: {printable(self.message)}"
        where = printable(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        text = f"{where}: {self.severity}: "
        if self.path:
            text += f"{printable(self.path)}: "
        return text + printable(self.message)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
        }


class ScenarioError(Exception):
    """Raised with every problem found, so that all can be reported at once."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def format_path(path: Sequence[str | int]) -> str:
    """``("forces", "units", 2, "base")`` -> ``"forces.units[2].base"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: Characters a terminal may act on: C0 and C1 controls, DEL, and the Unicode marks that
#: reorder or hide text (bidirectional overrides and isolates, zero-width joiners).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: object) -> str:
    """``text`` with every character a terminal could act on shown as an escape (``\\x1b``).

    Whatever a user wrote (a name, a key, a cell of a CSV) goes through this before it is
    printed, so that a scenario cannot move the cursor, colour the screen, or fake a line
    of ``validate`` output. Tabs and newlines are escaped too: one problem, one line.
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


#: Characters of a user's value that a message quotes (a cell of a CSV, a long name).
QUOTE_CHARACTERS = 40


def quote(text: object, mark: str = "'", limit: int = QUOTE_CHARACTERS) -> str:
    """``text`` in quotes, cut to its first ``limit`` characters: ``'abc…' (5,000 characters)``.

    A message quotes a bad value so the user can find it, not to echo a file back (a CSV
    named by an untrusted scenario may hold anything).
    """
    text = str(text)
    if len(text) <= limit:
        return f"{mark}{text}{mark}"
    return f"{mark}{text[:limit]}…{mark} ({len(text):,} characters)"


class UsageError(Exception):
    """A command-line choice that cannot be carried out (a missing optional extra, an unreachable
    cluster): the CLI prints the message and exits 2, with no traceback."""
