"""Scenario overrides from the command line: ``--set KEY.PATH=VALUE``.

An override changes the scenario's data after ``extends`` is merged and before anything is
validated, so a value set on the command line is checked exactly like one written in the
file. A problem it causes is located at the override (``--set KEY.PATH=VALUE: error: ...``),
not at a line of the file.

Paths name keys as the file does, separated by dots, and select list items in brackets
(docs/scenario-format.md, "Overrides from the command line"):

* ``dispatch.reserve.crowd_control`` — keys; missing mappings on the way are created (an
  unknown key is then reported by validation, with a suggestion);
* ``incidents[0]`` — an item by its index (from 0);
* ``forces.units[dalmas-lanjut]`` — the item whose ``id`` is ``dalmas-lanjut``;
* ``incidents[label=protest at KPU]``, ``incidents[kind=crowd_buildup]`` — every item whose
  key has that value;
* ``incidents[*]`` — every item (of a list, or every value of a mapping);
* ``map.places[kpu.office]`` — on a mapping, a key written in brackets (for keys with dots).

VALUE is read by the scenario's YAML reader (:func:`~sispam_sim.scenario.yamlio.read_value`):
``4/h``, ``15min`` and ``17:00`` are strings, ``60`` a number, ``[a, b]`` and ``{k: v}`` flow
collections. ``xF`` on a ``rate`` (``incidents[*].rate=x1.5``) multiplies the rate instead of
replacing it: a constant rate and every rate of a profile (its times unchanged); an incident
without ``rate`` (a scripted event, ``at``) is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence, Union

from sispam_sim.errors import OVERRIDE_FILE, Problem, ScenarioError, format_path
from sispam_sim.scenario.limits import MAX_OVERRIDE_CHARS, MAX_OVERRIDES

__all__ = ["Override", "Applied", "parse_override", "parse_overrides", "apply_overrides", "split_override",
           "split_values", "MULTIPLIER_EXAMPLE"]

MULTIPLIER_EXAMPLE = "x1.5"
_EXAMPLE = "dispatch.reserve.crowd_control=60"
_MULTIPLIER = re.compile(r"x(\d+(?:\.\d+)?|\.\d+)")
_RATE = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*/(.*)", re.S)
_KEY = re.compile(r"[^.\[\]=]+")


@dataclass(frozen=True)
class Key:
    """``.name``: a key of a mapping (``[name]`` on a mapping is the same)."""

    name: str


@dataclass(frozen=True)
class Select:
    """``[...]`` on a list: ``index``, every item (``all``), or items whose ``field`` is ``value``."""

    text: str               # as written between the brackets
    index: int | None = None
    all: bool = False
    field: str | None = None
    value: str | None = None


Step = Union[Key, Select]


@dataclass(frozen=True)
class Override:
    """One ``--set``: the text as written, its path and the value it sets (or a multiplier)."""

    text: str
    path_text: str
    steps: tuple[Step, ...]
    value: Any
    factor: str | None = None   # F of ``xF`` on a rate, as written (multiplied in decimal)

    def problem(self, message: str, severity: str = "error") -> Problem:
        return Problem(OVERRIDE_FILE, None, None, self.text, message, severity)  # type: ignore[arg-type]


class _Refused(Exception):
    """A problem with one override (its message)."""


def _outside_brackets(text: str, char: str) -> int:
    """Index of the first ``char`` of ``text`` that is not inside ``[...]``, or -1."""
    depth = 0
    for i, c in enumerate(text):
        if c == "[":
            depth += 1
        elif c == "]":
            depth = max(0, depth - 1)
        elif c == char and depth == 0:
            return i
    return -1


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _selector(text: str) -> Select:
    inner = text.strip()
    if inner == "*":
        return Select(text, all=True)
    if re.fullmatch(r"\d+", inner):
        return Select(text, index=int(inner))
    field, eq, value = inner.partition("=")
    if eq and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field.strip()):
        return Select(text, field=field.strip(), value=_unquote(value))
    if not inner:
        raise _Refused("empty brackets []: write an index [0], an id [patrol], [label=TEXT] or [*]")
    return Select(text, field="id", value=_unquote(inner))


def parse_path(text: str) -> tuple[Step, ...]:
    """``forces.units[patrol].count`` -> (Key forces, Key units, Select id=patrol, Key count)."""
    steps: list[Step] = []
    pos, expect_key = 0, True
    while pos < len(text):
        if text[pos] == "[":
            end = text.find("]", pos)
            if end < 0:
                raise _Refused(f'"[" at character {pos + 1} of the path is not closed with "]"')
            if not steps:
                raise _Refused("the path starts with a key (e.g. incidents[0].rate)")
            steps.append(_selector(text[pos + 1:end]))
            pos, expect_key = end + 1, False
            continue
        if text[pos] == ".":
            if expect_key:
                raise _Refused(f'empty key at character {pos + 1} of the path (two dots, or a dot at the start)')
            pos, expect_key = pos + 1, True
            if pos == len(text):
                raise _Refused("the path ends with a dot")
            continue
        if not expect_key:
            raise _Refused(f'expected "." or "[" at character {pos + 1} of the path')
        match = _KEY.match(text, pos)
        if match is None:
            raise _Refused(f'unexpected "{text[pos]}" at character {pos + 1} of the path')
        steps.append(Key(match.group().strip()))
        pos, expect_key = match.end(), False
    if not steps:
        raise _Refused(f"the path is empty: expected KEY.PATH=VALUE, e.g. {_EXAMPLE}")
    return tuple(steps)


def parse_override(text: str) -> Override:
    """One ``KEY.PATH=VALUE``; raises :class:`ScenarioError` (located at the override) when it cannot be read."""
    from sispam_sim.scenario.yamlio import read_value

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(OVERRIDE_FILE, None, None, text, message)])

    if len(text) > MAX_OVERRIDE_CHARS:
        raise refuse(f"too long ({len(text):,} characters; at most {MAX_OVERRIDE_CHARS:,})")
    if "\n" in text or "\r" in text:
        raise refuse("an override is one line (write lists as [a, b] and mappings as {k: v})")
    eq = _outside_brackets(text, "=")
    if eq < 0 and "[" in text:   # an unclosed "[": the path says so
        eq = text.find("=")
    if eq < 0:
        raise refuse(f"expected KEY.PATH=VALUE, e.g. {_EXAMPLE}")
    path_text, value_text = text[:eq].strip(), text[eq + 1:].strip()
    try:
        steps = parse_path(path_text)
    except _Refused as err:
        raise refuse(str(err)) from None
    multiplier = _MULTIPLIER.fullmatch(value_text)
    if multiplier is not None and isinstance(steps[-1], Key) and steps[-1].name == "rate":
        return Override(text, path_text, steps, None, multiplier.group(1))
    value, problems = read_value(value_text, OVERRIDE_FILE)
    if problems:
        raise ScenarioError([Problem(OVERRIDE_FILE, None, None, text, p.message) for p in problems])
    if isinstance(value, (dict, list)) and value_text[:1] not in "[{":
        raise refuse("write a list as [a, b] and a mapping as {key: value} (flow style, on one line)")
    return Override(text, path_text, steps, value)


def parse_overrides(texts: Iterable[str]) -> list[Override]:
    """Every override, or :class:`ScenarioError` with the problems of all that cannot be read."""
    texts = list(texts)
    if len(texts) > MAX_OVERRIDES:
        raise ScenarioError([Problem(OVERRIDE_FILE, None, None, texts[MAX_OVERRIDES],
                                     f"more than {MAX_OVERRIDES} overrides: put the changes in a file that "
                                     "extends this one")])
    out, problems = [], []
    for text in texts:
        try:
            out.append(parse_override(text))
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        raise ScenarioError(problems)
    return out


def split_override(text: str) -> tuple[str, str] | None:
    """``("KEY.PATH", "VALUE")`` of ``KEY.PATH=VALUE`` (an ``=`` inside ``[...]`` is the path's), or None."""
    eq = _outside_brackets(text, "=")
    return None if eq < 0 else (text[:eq].strip(), text[eq + 1:].strip())


def split_values(text: str) -> list[str]:
    """The values of a sweep's ``--set KEY.PATH=v1,v2``: split at commas that are not inside
    brackets, braces or quotes (``[a, b]``, ``{"06:00": 2/h, "13:00": 4/h}`` and ``"a, b"`` stay one)."""
    values, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'" and (i == start or text[start:i].strip() == ""):
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            values.append(text[start:i].strip())
            start = i + 1
    values.append(text[start:].strip())
    return values


# ---------------------------------------------------------------- applying


def _kind(node: Any) -> str:
    from sispam_sim.scenario.yamlio import _kind as kind

    return kind(node)


def _suggest(word: str, choices: Sequence[str]) -> str:
    from sispam_sim.scenario.errors import suggest

    return suggest(word, choices)


def _matches(node: Any, step: Select, where: tuple) -> list[Any]:
    """The keys (of a mapping) or indices (of a list) that ``step`` selects in ``node``."""
    at = format_path(where)
    if isinstance(node, dict):
        if step.all:
            return list(node)
        if step.field is not None and step.field != "id":
            return [k for k, v in node.items() if isinstance(v, dict) and str(v.get(step.field)) == step.value]
        return [step.text.strip() if step.index is not None else step.value]   # a key in brackets
    if not isinstance(node, list):
        raise _Refused(f"{at} is {_kind(node)}, not a list: [{step.text}] selects list items")
    if step.all:
        return list(range(len(node)))
    if step.index is not None:
        if step.index >= len(node):
            span = f"0 to {len(node) - 1}" if node else "none"
            raise _Refused(f"{at}[{step.index}]: index out of range ({at} has {len(node)} "
                           f"item{'s' if len(node) != 1 else ''}: {span})")
        return [step.index]
    found = [i for i, item in enumerate(node) if isinstance(item, dict) and str(item.get(step.field)) == step.value]
    if not found:
        present = [str(item[step.field]) for item in node if isinstance(item, dict) and step.field in item]
        hint = _suggest(step.value, present)
        if not hint and present:
            hint = f"; {step.field}s: " + ", ".join(f'"{p}"' for p in present[:12]) + (", ..." if len(present) > 12
                                                                                     else "")
        raise _Refused(f'no item of {at} has {step.field} "{step.value}"{hint}')
    return found


def _multiply(rate: Any, factor: str) -> Any:
    """``"6/h"`` x ``"1.5"`` -> ``"9/h"``, in decimal (``0.2/h`` x 1.5 is ``0.3/h``, exactly); a
    profile's every rate; anything else unchanged (validation judges it)."""
    if isinstance(rate, dict):
        return {when: _multiply(r, factor) for when, r in rate.items()}
    match = _RATE.fullmatch(rate) if isinstance(rate, str) else None
    if match is None:
        return rate
    count = Decimal(match.group(1)) * Decimal(factor)
    text = format(count, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text}/{match.group(2).strip()}"


class Applied:
    """What the overrides changed: for each, the paths it set and the first path it created.

    :meth:`relocate` moves a problem found at (or under) a path an override created or set to
    that override, and notes the override on a problem of a mapping that holds one.
    """

    def __init__(self) -> None:
        self.roots: list[tuple[str, Override]] = []    # format_path of a created/set path, override
        self.set_paths: list[tuple[tuple, Override]] = []

    def relocate(self, problems: Iterable[Problem]) -> list[Problem]:
        out = []
        for problem in problems:
            owner = self.owner(problem.path) if problem.file != OVERRIDE_FILE else None
            if owner is not None:
                problem = owner.problem(problem.message, problem.severity)
            else:
                holders = [o.text for path, o in self.set_paths
                           if problem.path and _under(format_path(path), problem.path)
                           and format_path(path) != problem.path]
                if holders and problem.file != OVERRIDE_FILE:
                    note = ", ".join(f"--set {h}" for h in dict.fromkeys(holders))
                    problem = Problem(problem.file, problem.line, problem.col, problem.path,
                                      f"{problem.message} (with {note})", problem.severity)
            out.append(problem)
        return list(dict.fromkeys(out))   # an override applied to several items reports a problem once

    def owner(self, path_text: str) -> Override | None:
        """The last override that created or set the value at ``path_text`` or one that holds it."""
        for root, override in reversed(self.roots):
            if _under(path_text, root):
                return override
        return None

    def overridden(self, path: Sequence) -> bool:
        return self.owner(format_path(path)) is not None


def _under(path_text: str, root: str) -> bool:
    return path_text == root or path_text.startswith(root + ".") or path_text.startswith(root + "[")


def _apply_one(data: dict, override: Override, applied: Applied) -> None:
    found_rate = False

    def walk(node: Any, steps: tuple, path: tuple, created: tuple | None) -> None:
        nonlocal found_rate
        step, rest = steps[0], steps[1:]
        if isinstance(step, Key):
            if not isinstance(node, dict):
                raise _Refused(f'{format_path(path)} is {_kind(node)}, not a mapping: it has no key "{step.name}"')
            keys = [step.name]
        else:
            keys = _matches(node, step, path)
        for key in keys:
            here = path + (key,)
            if rest:
                if isinstance(node, dict) and key not in node:
                    node[key] = {}
                    walk(node[key], rest, here, created or here)
                else:
                    walk(node[key], rest, here, created)
                continue
            if override.factor is not None:
                if not isinstance(node, dict) or "rate" not in node:
                    continue      # a scripted event (at) has no rate: left alone
                node[key] = _multiply(node[key], override.factor)
                found_rate = True
            else:
                node[key] = override.value
            applied.roots.append((format_path(created or here), override))
            applied.set_paths.append((here, override))

    walk(data, override.steps, (), None)
    if override.factor is not None and not found_rate:
        raise _Refused(f"nothing to multiply: no item selected by {override.path_text[:-len('.rate')]} has a rate "
                       "(a scripted event, at, has none)")


def apply_overrides(document, overrides: Sequence[Override]) -> Applied:
    """Apply ``overrides`` in order to ``document.data`` (a later one wins); raise
    :class:`ScenarioError` with every override that names nothing (unknown id, index out of range)."""
    applied, problems = Applied(), []
    for override in overrides:
        try:
            _apply_one(document.data, override, applied)
        except _Refused as err:
            problems.append(override.problem(str(err)))
    if problems:
        raise ScenarioError(problems)
    return applied
