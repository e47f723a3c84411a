"""The only YAML reader of sispam-sim: plain data plus the position of every value.

Why not ``yaml.safe_load``?  Scenario files are written by hand and checked in CI,
so this reader must (a) let every later error point at ``file:line:col``, (b) read
scalars the YAML 1.2 way (``13:00`` is a clock time, not the sexagesimal 780;
``yes`` and ``2024-11-27`` stay strings), (c) reject duplicate keys and anything
that is not plain data, and (d) answer hostile input (alias bombs, deep nesting,
binary files) with a located message, never a traceback.

PyYAML's scanner and parser are used as they are (both iterative).  The composer
is overridden to bound nesting and alias expansion *while* it builds nodes, and
nodes become dicts/lists here, never through PyYAML's constructors, so no tag can
run code.  Merge keys (``<<: *base``, ``<<: [*a, *b]``) follow standard YAML:
shallow, keys written in the mapping win, earlier sources win over later ones.

``extends: base.yaml`` at the top level deep-merges this file over another; each
value keeps the position of the file that contributed it.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import yaml
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceStartEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sispam_sim.errors import Problem, ScenarioError, format_path
from sispam_sim.scenario.limits import (
    MAX_BYTES, MAX_DEPTH, MAX_EXTENDS, MAX_INT_DIGITS, MAX_LINES_AND_COMMAS, MAX_NODES,
)

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
SEQ, MAP, MERGE = _T + "seq", _T + "map", _T + "merge"
_SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL, MERGE}
_NOT_ALLOWED = "is not allowed (only plain YAML: mappings, lists, strings, numbers, booleans)"
_EMPTY = "the file is empty: expected a scenario mapping (version: 1, name: ...)"

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution); bools in any case.
_NULL_RE = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL_RE = re.compile(r"(?i:true|false)\Z")
_INT_RE = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT_RE = re.compile(r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")


@dataclass(frozen=True)
class Position:
    """Where a value was written; ``line`` and ``col`` are 1-based."""

    file: str
    line: int
    col: int


class _Stop(Exception):
    """A problem that ends reading this file (syntax, limits): ``args == (message, mark)``."""


class _Alias(NamedTuple):
    """An alias occurrence: the anchored node, and where the ``*name`` was written."""

    target: Node
    start_mark: Any


def _deref(node: Any) -> Node:
    return node.target if isinstance(node, _Alias) else node


class _Loader(yaml.SafeLoader):
    """SafeLoader with its own YAML 1.2 resolver table and a bounded composer.

    Only scanning, parsing and composing run; SafeConstructor never does.  Depth and
    expanded size (an alias counts as a full copy) are measured per node as it is
    composed, so a 100,000-deep ``[[[`` or a billion laughs stops within a few
    dozen events, before recursion or memory can blow up.
    """

    yaml_implicit_resolvers: dict = {}  # our own table; SafeLoader's stays untouched

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0  # collections open around the current node
        self._open: set[str] = set()  # anchors whose node is still being composed
        self._aliased = False
        self._measure: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, height)

    def _size(self, node: Any) -> tuple[int, int]:
        node = _deref(node)
        return (1, 0) if isinstance(node, ScalarNode) else self._measure[id(node)]

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        """Stop a deep ``[[[[`` in the scanner already: it looks ~1,000 tokens ahead."""
        if self.flow_level >= MAX_DEPTH:
            raise _Stop(f"nesting deeper than {MAX_DEPTH} levels", self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.get_event() if self.check_event(AliasEvent) else self.peek_event()
        name = event.anchor
        if isinstance(event, AliasEvent):
            if name in self._open:
                raise _Stop(f"alias *{name} is used inside the node it names "
                            "(recursive structures are not allowed)", event.start_mark)
            if name not in self.anchors:
                raise _Stop(f"invalid YAML: found undefined alias *{name}", event.start_mark)
            target, self._aliased = self.anchors[name], True
            if self._depth + self._size(target)[1] > MAX_DEPTH:
                raise _Stop(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
            return _Alias(target, event.start_mark)
        if name is not None and (name in self.anchors or name in self._open):
            raise _Stop(f"anchor &{name} is defined twice: give each anchor its own name", event.start_mark)
        if isinstance(event, ScalarEvent):
            node = self.compose_scalar_node(None)
        elif self._depth >= MAX_DEPTH:
            raise _Stop(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        else:
            self._open.add(name)
            self._depth += 1
            node = self._collection(isinstance(event, SequenceStartEvent))
            self._depth -= 1
            self._open.discard(name)
        if name is not None:
            self.anchors[name] = node
        return node

    def _collection(self, is_seq: bool) -> Node:
        event = self.get_event()
        kind = SequenceNode if is_seq else MappingNode
        tag = self.resolve(kind, None, event.implicit) if event.tag in (None, "!") else event.tag
        node = kind(tag, [], event.start_mark, None)
        nodes, height = 1, 0
        while not self.check_event(yaml.SequenceEndEvent if is_seq else MappingEndEvent):
            items = (self.compose_node(node, None),) if is_seq else \
                (self.compose_node(node, None), self.compose_node(node, None))
            for item in items:
                n, h = self._size(item)
                nodes, height = nodes + n, max(height, h)
                if nodes > MAX_NODES:
                    raise _Stop(f"document expands to more than {MAX_NODES:,} nodes through aliases "
                                "(alias bomb?)" if self._aliased else
                                f"document has more than {MAX_NODES:,} values", item.start_mark)
            node.value.append(items[0] if is_seq else items)
        node.end_mark = self.get_event().end_mark
        self._measure[id(node)] = (nodes, height + 1)
        return node


for _tag, _re, _first in [(NULL, _NULL_RE, ["~", "n", "N", ""]), (BOOL, _BOOL_RE, list("tTfF")),
                          (INT, _INT_RE, list("-+0123456789")), (FLOAT, _FLOAT_RE, list("-+0123456789.")),
                          (MERGE, re.compile(r"<<\Z"), ["<"])]:
    _Loader.add_implicit_resolver(_tag, _re, _first)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_T):] if tag.startswith(_T) else tag


def _kind(value: Any) -> str:
    """"a list", "a number", ... for messages; takes plain data or a node."""
    if isinstance(value, (SequenceNode, MappingNode)):
        return "a list" if isinstance(value, SequenceNode) else "a mapping"
    if isinstance(value, Node):
        return {INT: "a number", FLOAT: "a number", BOOL: "a boolean", NULL: "null"}.get(value.tag, "a string")
    for types, name in ((bool, "a boolean"), (dict, "a mapping"), (list, "a list"), (str, "a string"),
                        ((int, float), "a number")):
        if isinstance(value, types):
            return name
    return "null"


class _Positions:
    """Positions of values and of mapping keys, keyed by the data path tuple."""

    def __init__(self) -> None:
        self.values: dict[tuple, Position] = {}
        self.keys: dict[tuple, Position] = {}

    def copy_subtree(self, value: Any, path: tuple, src: _Positions) -> None:
        """Take the positions of ``value`` (at ``path``) and of all it contains from ``src``."""
        for table, source in ((self.values, src.values), (self.keys, src.keys)):
            if path in source:
                table[path] = source[path]
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for k, v in items:
            self.copy_subtree(v, path + (k,), src)


class _Converter:
    """Turns a composed node graph into plain data, recording positions and problems.

    Aliases are expanded into copies (bounded by MAX_NODES), so changing one part
    of the data never changes another.
    """

    def __init__(self, file: str, problems: list[Problem]):
        self.file, self.problems, self.pos = file, problems, _Positions()

    def at(self, mark: Any) -> Position:
        return Position(self.file, mark.line + 1, mark.column + 1)

    def error(self, mark: Any, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, format_path(path), message))

    def value(self, node: Any, path: tuple) -> Any:
        self.pos.values[path] = self.at(node.start_mark)  # an alias is located where *name is
        node = _deref(node)
        if not self.tag_ok(node, path):
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.value(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.mapping(node, path)

    def tag_ok(self, node: Node, path: tuple) -> bool:
        fits = _SCALAR_TAGS if isinstance(node, ScalarNode) else {SEQ if isinstance(node, SequenceNode) else MAP}
        if node.tag not in fits:
            how = f"cannot be used on {_kind(node)}" if node.tag in _SCALAR_TAGS | {SEQ, MAP} else _NOT_ALLOWED
            self.error(node.start_mark, path, f"tag {_show_tag(node.tag)} {how}")
        return node.tag in fits

    def scalar(self, node: ScalarNode, path: tuple) -> Any:
        text, tag = node.value, node.tag
        if tag in (STR, MERGE):  # a plain "<<" written as a value is just a string
            return text
        if tag == NULL and _NULL_RE.match(text):
            return None
        if tag == BOOL and _BOOL_RE.match(text):
            return text.lower() == "true"
        if tag in (INT, FLOAT) and _INT_RE.match(text):
            digits = len(text.lstrip("+-"))
            if digits > MAX_INT_DIGITS:  # int() refuses more than 4,300 digits; no scenario needs 20
                self.error(node.start_mark, path, f"a number of {digits:,} digits is too large "
                                                  f"(at most {MAX_INT_DIGITS} digits)")
                return None
            number = int(text[2:], 16 if text[1] == "x" else 8) if text[:2] in ("0x", "0o") else int(text)
            return number if tag == INT else float(number)
        if tag == FLOAT and _FLOAT_RE.match(text):
            low = text.lower()
            return float(low.replace(".inf", "inf").replace(".nan", "nan"))
        self.error(node.start_mark, path, f"cannot read {text!r} as {_show_tag(tag)}")
        return None

    def key(self, node: Any, path: tuple) -> Any:
        """The key as a str, ``MERGE`` for a plain ``<<``, or None after reporting a problem."""
        mark, node = node.start_mark, _deref(node)
        if not self.tag_ok(node, path):
            return None
        if not isinstance(node, ScalarNode):
            self.error(mark, path, f"keys must be strings, found {_kind(node)}")
        elif node.tag in (STR, MERGE):
            return MERGE if node.tag == MERGE else node.value
        else:
            self.error(mark, path, f"key {node.value or 'null'} must be a string (quote it)")
        return None

    def mapping(self, node: MappingNode, path: tuple) -> dict:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges = []
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is MERGE:
                merges.append(value_node)
            elif key in first_line:  # report every duplicate, each at its own line
                self.error(key_node.start_mark, path + (key,),
                           f'duplicate key "{key}" (first defined at line {first_line[key]})')
            elif key is not None:
                first_line[key] = key_node.start_mark.line + 1
                self.pos.keys[path + (key,)] = self.at(key_node.start_mark)
                out[key] = self.value(value_node, path + (key,))
        for value_node in merges:
            self.merge(out, _deref(value_node), path)
        return out

    def merge(self, out: dict, node: Node, path: tuple) -> None:
        """``<<: *a`` or ``<<: [*a, *b]``: add the keys not yet in ``out``."""
        for source in node.value if isinstance(node, SequenceNode) and node.tag == SEQ else [node]:
            mark, source = source.start_mark, _deref(source)
            if not isinstance(source, MappingNode) or source.tag != MAP:
                self.error(mark, path, f"the merge key << expects a mapping or a list of mappings, "
                                       f"found {_kind(source)}")
                continue
            saved, self.pos = self.pos, _Positions()  # convert the source at this path, aside
            data, scratch, self.pos = self.mapping(source, path), self.pos, saved
            for key, value in data.items():
                if key not in out:
                    out[key] = value
                    self.pos.copy_subtree(value, path + (key,), scratch)


def _compose(text: str) -> Node | None:
    """The root node of the single document in ``text`` (None if there is none)."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # control characters, checked up front
        line, col = text.count("\n", 0, exc.position), exc.position - text.rfind("\n", 0, exc.position) - 1
        raise _Stop(f"invalid YAML: unacceptable character #x{exc.character:04x} "
                    "(control characters are not allowed)", yaml.Mark("", 0, line, col, None, None)) from None
    try:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = loader.compose_node(None, None)
        loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            raise _Stop("expected one YAML document, found more", loader.peek_event().start_mark)
        return root
    except yaml.MarkedYAMLError as exc:
        message = f"invalid YAML: {exc.problem}"
        if exc.problem == "found character '\\t' that cannot start any token":
            message = "invalid YAML: tab character (YAML allows only spaces for indentation): replace the tab with spaces"
        if exc.context and exc.context_mark is not None:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise _Stop(message, exc.problem_mark or exc.context_mark) from None
    finally:
        loader.dispose()


def _parse(text: str, file: str, problems: list[Problem]) -> tuple[dict | None, _Positions]:
    """One file's text -> its top-level mapping and positions (None after a problem)."""
    conv = _Converter(file, problems)
    if len(text) > MAX_BYTES:
        problems.append(Problem(file, None, None, "", "the text is larger than 10 MiB"))
        return None, conv.pos
    too_many = _too_many_values(text)
    if too_many is not None:
        problems.append(Problem(file, *too_many, "", f"more than {MAX_LINES_AND_COMMAS:,} lines and commas: "
                                                     "too large for a scenario (each value needs its own line "
                                                     "or a comma)"))
        return None, conv.pos
    try:
        root = _compose(text)
    except _Stop as stop:
        message, mark = stop.args
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problems.append(Problem(file, line, col, "", message))
        return None, conv.pos
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL and root.value == ""):
        problems.append(Problem(file, None, None, "", _EMPTY))
        return None, conv.pos
    before = len(problems)
    data = conv.value(root, ())
    if not isinstance(data, dict) and len(problems) == before:
        conv.error(root.start_mark, (), f"expected a mapping at the top level, found {_kind(data)}")
    return (data if isinstance(data, dict) else None), conv.pos


def _too_many_values(text: str) -> tuple[int, int] | None:
    """``(line, col)`` where the lines and commas of ``text`` pass MAX_LINES_AND_COMMAS, else None.

    Counted before parsing (at C speed), so that a huge mapping is refused at once
    instead of after seconds of parsing.
    """
    if text.count("\n") + text.count(",") <= MAX_LINES_AND_COMMAS:
        return None
    seen = 0
    for match in re.finditer("[\n,]", text):
        seen += 1
        if seen > MAX_LINES_AND_COMMAS:
            start = match.start()
            return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
    return None  # pragma: no cover - the count above said there are more


def _read(file: str) -> tuple[str | None, Problem | None]:
    """Text of ``file``, or a problem saying why it cannot be read."""
    def fail(message: str, line: int | None = None, col: int | None = None) -> tuple[None, Problem]:
        return None, Problem(file, line, col, "", message)

    if os.path.isdir(file):
        return fail("is a directory, expected a YAML file")
    try:
        size = os.path.getsize(file)
        if size > MAX_BYTES:
            return fail(f"file is larger than 10 MiB ({size / 2**20:.1f} MiB)")
        with open(file, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return fail("file not found")
    except OSError as exc:
        return fail(f"cannot read the file: {exc.strerror or exc}")
    try:
        return decode_utf8(raw), None
    except NotUtf8 as exc:
        return fail(str(exc), exc.line, exc.col)


class NotUtf8(ValueError):
    """Bytes that are not UTF-8, located at the first bad byte (``line`` and ``col`` 1-based)."""

    def __init__(self, line: int, col: int, message: str):
        self.line, self.col = line, col
        super().__init__(message)


def decode_utf8(raw: bytes) -> str:
    """Text of a UTF-8 file's bytes (a BOM is dropped); :class:`NotUtf8` says where it is not UTF-8."""
    raw = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8")) + 1
        raise NotUtf8(line, col, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}, col {col})") from None


class Document:
    """A loaded scenario: plain ``data`` plus where each value (and key) was written."""

    def __init__(self, data: dict, file: str, files: tuple[str, ...], positions: _Positions,
                 dirs: dict[str, str], folders: "Folders | None" = None):
        self.data: Any = data
        self.file = file  # the top file, as the user named it
        self.files = files  # the top file, then every ``extends`` base
        self._pos = positions
        self._dirs = dirs  # file -> directory its relative paths are resolved from
        self.folders = folders or Folders(os.path.dirname(file))

    def locate(self, path: Sequence[str | int]) -> Position:
        """Position of the value at ``path``, else of its longest existing prefix, else the start."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            if path[:n] in self._pos.values:
                return self._pos.values[path[:n]]
        return Position(self.file, 1, 1)

    def key_position(self, path: Sequence[str | int]) -> Position:
        """Position of the key of the mapping entry at ``path`` (for "unknown key" errors)."""
        return self._pos.keys.get(tuple(path)) or self.locate(path)

    def problem(self, path: Sequence[str | int], message: str, severity: str = "error", *,
                key: bool = False) -> Problem:
        """A Problem located at the value (with ``key=True``: at the key) at ``path``."""
        pos = self.key_position(path) if key else self.locate(path)
        return Problem(pos.file, pos.line, pos.col, format_path(path), message, severity)  # type: ignore[arg-type]


class Folders:
    """Where files named by a scenario may be: inside the scenario's folder tree or the current one.

    A scenario checked in CI may come from an untrusted pull request: a sites file
    ``/etc/passwd``, a ``../../`` path or a symlink pointing out of the checkout would
    otherwise be read (and bits of it echoed in messages). Paths are compared after
    symlinks are resolved. ``allow_outside`` (``--allow-outside``) lifts the rule.
    """

    def __init__(self, scenario_dir: str, allow_outside: bool = False):
        self.roots = tuple(dict.fromkeys(os.path.realpath(d) for d in (scenario_dir or ".", ".")))
        self.allow_outside = allow_outside

    def refuse(self, target: str | os.PathLike, written: str, expected: str) -> str | None:
        """Why the file ``written`` (found at ``target``) cannot be read, or None when it can.

        ``expected`` names what the file should be ("a CSV file"). Not found is the
        caller's message (each says where it looked).
        """
        if os.path.isdir(target):
            return f"{written} is a directory, expected {expected}"
        if not os.path.isfile(target):
            return f"{written} is not a regular file (a device, pipe or socket), expected {expected}"
        real = os.path.realpath(target)
        if self.allow_outside or any(os.path.commonpath([real, root]) == root for root in self.roots):
            return None
        return (f"{written} is outside the scenario's folder (it resolves to {real}): files a scenario names "
                f"must be inside {self.roots[0]}" + (f" or the current folder {self.roots[1]}"
                                                     if len(self.roots) > 1 else "")
                + "; pass --allow-outside to read it anyway")


def resolve_relative(doc: Document, path_in_doc: Sequence[str | int], filename: str | os.PathLike) -> Path:
    """``filename`` relative to the directory of the file that defined the value at ``path_in_doc``.

    A base file's ``map.sites.file: tps.csv`` names the CSV next to the base file,
    not next to the file that extends it.
    """
    directory = doc._dirs.get(doc.locate(path_in_doc).file, os.path.dirname(doc.file))
    return Path(os.path.normpath(os.path.join(directory, os.fspath(filename))))


def _deep_merge(base: dict, over: dict, path: tuple, base_pos: _Positions, over_pos: _Positions,
                out_pos: _Positions) -> dict:
    """Mappings merge key by key; any other value in ``over`` replaces the base value."""
    for table, source in ((out_pos.values, over_pos.values), (out_pos.keys, over_pos.keys)):
        if path in source:
            table[path] = source[path]
    out: dict[str, Any] = {}
    for key in [*base, *(k for k in over if k not in base)]:
        sub = path + (key,)
        if key not in over:
            out[key] = base[key]
            out_pos.copy_subtree(base[key], sub, base_pos)
        elif isinstance(base.get(key), dict) and isinstance(over[key], dict):
            out[key] = _deep_merge(base[key], over[key], sub, base_pos, over_pos, out_pos)
        else:
            out[key] = over[key]
            out_pos.copy_subtree(over[key], sub, over_pos)
    return out


class _Loading:
    """One load: a file and its ``extends`` chain, collecting every problem on the way."""

    def __init__(self, top_dir: str, allow_outside: bool = False) -> None:
        self.top_dir = top_dir or "."
        self.folders = Folders(top_dir, allow_outside)
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.dirs: dict[str, str] = {}

    def load(self, text: str, file: str, directory: str, chain: list[str]) -> tuple[dict | None, _Positions]:
        """Parse ``text`` (of ``file``) and merge it over its ``extends`` base, if any."""
        self.files.append(file)
        self.dirs[file] = directory
        data, pos = _parse(text, file, self.problems)
        if data is None or "extends" not in data:
            return data, pos
        where = pos.values[("extends",)]
        target = data.pop("extends")
        for table in (pos.values, pos.keys):
            for path in [p for p in table if p[:1] == ("extends",)]:
                del table[path]

        def fail(message: str) -> tuple[None, _Positions]:
            self.problems.append(Problem(where.file, where.line, where.col, "extends", message))
            return None, pos

        if not isinstance(target, str):
            return fail(f"extends must be a file path (a string), found {_kind(target)}")
        if not target.strip():
            return fail("extends must be a file path, found an empty path: name the base scenario "
                        "(e.g. extends: base.yaml) or remove the key")
        base = os.path.normpath(os.path.join(directory, target))
        if os.path.realpath(base) in chain:  # each file has one base, so self.files is the chain
            names = [f if f.startswith("<") else os.path.relpath(f, self.top_dir) for f in self.files + [base]]
            return fail("extends cycle: " + " -> ".join(names))
        if len(chain) > MAX_EXTENDS:
            return fail(f"more than {MAX_EXTENDS} extends steps")
        if not os.path.exists(base):
            return fail(f"file not found: {target} (looked in {os.path.abspath(directory or '.')})")
        refused = self.folders.refuse(base, target, "a YAML file")
        if refused is not None:
            return fail(refused)
        text, problem = _read(base)
        if problem is not None:
            self.problems.append(problem)
            return None, pos
        base_data, base_pos = self.load(text, base, os.path.dirname(base), chain + [os.path.realpath(base)])
        if base_data is None:
            return None, pos
        merged = _Positions()
        return _deep_merge(base_data, data, (), base_pos, pos, merged), merged

    def finish(self, text: str | None, file: str, directory: str) -> Document:
        """The Document, or ScenarioError with every problem (each reported once)."""
        data, pos = (None, None) if text is None else self.load(text, file, directory, [os.path.realpath(file)])
        unique: dict[tuple, Problem] = {}  # an alias repeats a bad value: report it once
        for p in self.problems:
            unique.setdefault((p.file, p.line, p.col, p.message), p)
        problems = list(unique.values())
        if data is None or any(p.severity == "error" for p in problems):
            raise ScenarioError(problems)
        return Document(data, file, tuple(self.files), pos, self.dirs, self.folders)


def read_value(text: str, where: str) -> tuple[Any, list[Problem]]:
    """One value written outside a file (``--set KEY.PATH=VALUE``), read as a file's value is read.

    YAML 1.2 scalars (``4/h``, ``15min``, ``17:00`` and ``yes`` stay strings; ``60`` is a number),
    flow collections (``[a, b]``, ``{k: v}``), the same limits and the same refusal of tags and
    anything that is not plain data. Returns the value and the problems found (located in
    ``where``, at the line and column of ``text``).
    """
    problems: list[Problem] = []
    if len(text) > MAX_BYTES:
        return None, [Problem(where, None, None, "", "the text is larger than 10 MiB")]
    try:
        root = _compose(text)
    except _Stop as stop:
        message, mark = stop.args
        problems.append(Problem(where, mark.line + 1 if mark else None, mark.column + 1 if mark else None, "", message))
        return None, problems
    if root is None:
        return None, problems
    return _Converter(where, problems).value(root, ()), problems


def load_document(path: str | os.PathLike, *, allow_outside: bool = False) -> Document:
    """Read a scenario file (and its ``extends`` bases); raise ScenarioError listing every problem.

    Files it names must lie in its folder tree or the current one unless ``allow_outside``
    (see :class:`Folders`).
    """
    file = os.fspath(path)
    loading = _Loading(os.path.dirname(file), allow_outside)
    text, problem = _read(file)
    if problem is not None:
        loading.problems.append(problem)
    return loading.finish(text, file, os.path.dirname(file))


def load_document_text(text: str, file: str = "<string>", base_dir: str | os.PathLike | None = None, *,
                       allow_outside: bool = False) -> Document:
    """Like :func:`load_document`, from a string; ``extends`` is resolved from ``base_dir``."""
    directory = os.fspath(base_dir) if base_dir is not None else os.path.dirname(file)
    return _Loading(directory, allow_outside).finish(text, file, directory)
