"""Incident kinds are named in one place: the registry (``scenario/kinds/`` and ``engine/kinds/``).

Everything else asks the kind (its metrics, what reports show, its labels, its hooks) instead of
comparing names. Issue 14: "At most 3 places outside the registry may name a kind"; this test
fails when a fourth does. It reads the code as Python tokens, so comments and docstrings may
name kinds freely; names and strings (an ``== "crowd_buildup"``, a ``CrowdBuildup`` import, an
example in a help text) count.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from sispam_sim.scenario import kinds

PACKAGE = Path(__file__).resolve().parents[2] / "sispam_sim"
#: The registry: the kinds themselves, on the format's side and the engine's.
REGISTRY = (PACKAGE / "scenario" / "kinds", PACKAGE / "engine" / "kinds")
#: How many files outside the registry may name a kind.
ALLOWED_FILES = 3
#: The built-in kinds' model classes, named like the kinds.
CLASS_NAMES = ("CrowdBuildup", "RapidResponse", "StationDisruption")


def _pattern() -> re.Pattern[str]:
    words = sorted({*kinds.names(), *CLASS_NAMES}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _docstring_lines(tree: ast.Module) -> set[int]:
    """The lines of every docstring: a string that is the first statement of a module, class or function."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def kind_names_in(path: Path, pattern: re.Pattern[str]) -> list[int]:
    """The lines of ``path`` where a NAME or STRING token (not a docstring) names a kind."""
    source = path.read_text(encoding="utf-8")
    docstrings = _docstring_lines(ast.parse(source, filename=str(path)))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] in docstrings:
            continue
        # f-strings are several tokens from Python 3.12 on: their literal parts count as strings
        if token.type in (tokenize.NAME, tokenize.STRING) or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            if pattern.search(token.string):
                found.append(token.start[0])
    return sorted(set(found))


def files_naming_kinds() -> dict[str, list[int]]:
    """``path relative to the package -> lines`` for every module outside the registry that names a kind."""
    pattern = _pattern()
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in REGISTRY):
            continue
        lines = kind_names_in(path, pattern)
        if lines:
            out[str(path.relative_to(PACKAGE.parent))] = lines
    return out


def test_the_scan_sees_names_and_strings_but_not_comments_or_docstrings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""A crowd_buildup in the module docstring."""\n'
                      "# a comment on station_disruption\n"
                      "def f(kind):\n"
                      '    """rapid_response in a docstring."""\n'
                      '    return kind == "crowd_buildup"\n'
                      "from x import RapidResponse\n"
                      'label = f"{1} station_disruption"\n', encoding="utf-8")
    assert kind_names_in(sample, _pattern()) == [5, 6, 7]


def test_at_most_three_files_outside_the_registry_name_a_kind():
    found = files_naming_kinds()
    listing = "\n".join(f"  {path}:{line}" for path, lines in found.items() for line in lines)
    assert len(found) <= ALLOWED_FILES, (
        f"{len(found)} files outside scenario/kinds/ and engine/kinds/ name an incident kind "
        f"(at most {ALLOWED_FILES}); ask the kind instead (sispam_sim.scenario.kinds):\n{listing}")
