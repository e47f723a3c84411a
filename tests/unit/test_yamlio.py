"""The YAML reader: YAML 1.2 scalars, positions, safety limits, bad files, extends."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sispam_sim.errors import ScenarioError
from sispam_sim.scenario import yamlio
from sispam_sim.scenario.yamlio import (
    Document,
    Position,
    load_document,
    load_document_text,
    resolve_relative,
)

NOT_ALLOWED = "is not allowed (only plain YAML: mappings, lists, strings, numbers, booleans)"
EMPTY = "the file is empty: expected a scenario mapping (version: 1, name: ...)"


def problems(text: str, **kwargs) -> list[tuple[int | None, int | None, str, str]]:
    """(line, col, path, message) of every problem found in ``text``."""
    with pytest.raises(ScenarioError) as info:
        load_document_text(text, **kwargs)
    return [(p.line, p.col, p.path, p.message) for p in info.value.problems]


def file_problems(path: Path) -> list:
    with pytest.raises(ScenarioError) as info:
        load_document(path)
    return info.value.problems


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- scalars: YAML 1.2 core schema ------------------------------------------------------

def test_yaml_1_2_scalars():
    doc = load_document_text(
        "t: 13:00\nyes_: yes\nno_: no\non_: on\nday: 2024-11-27\nstamp: 2024-11-27 06:00\n"
        "exp: 1e3\nhex: 0x10\noct: 0o17\nneg: -5\nflt: 1.5\ninf: -.inf\nnan: .nan\n"
        "nul: ~\nnul2: null\nempty:\nb1: true\nb2: FALSE\nb3: True\nquoted: '12'\nunder: 1_000\n"
    )
    d = doc.data
    assert d["t"] == "13:00"
    assert d["yes_"] == "yes" and d["no_"] == "no" and d["on_"] == "on"
    assert d["day"] == "2024-11-27" and d["stamp"] == "2024-11-27 06:00"
    assert d["exp"] == 1000.0 and isinstance(d["exp"], float)
    assert d["hex"] == 16 and d["oct"] == 15 and d["neg"] == -5
    assert d["flt"] == 1.5 and d["inf"] == -math.inf and math.isnan(d["nan"])
    assert d["nul"] is None and d["nul2"] is None and d["empty"] is None
    assert d["b1"] is True and d["b2"] is False and d["b3"] is True
    assert d["quoted"] == "12" and d["under"] == "1_000"


def test_keys_keep_insertion_order_and_types():
    doc = load_document_text("b: 1\na: [x, 2]\nc: {d: e}\n")
    assert list(doc.data) == ["b", "a", "c"]
    assert doc.data == {"b": 1, "a": ["x", 2], "c": {"d": "e"}}


def test_explicit_standard_tags():
    doc = load_document_text("a: !!int '12'\nb: !!str 12\nc: !!float 2\n")
    assert doc.data == {"a": 12, "b": "12", "c": 2.0}
    assert problems("a: !!int abc\n") == [(1, 4, "a", "cannot read 'abc' as !!int")]


# --- positions ---------------------------------------------------------------------------

def test_positions_of_values_and_keys():
    doc = load_document_text(
        "name: x\nforces:\n  units:\n    - {id: a, base: polres}\n    - id: b\n      base: kpu\n",
        file="s.yaml",
    )
    assert doc.locate(["name"]) == Position("s.yaml", 1, 7)
    assert doc.locate(("forces", "units", 0, "base")) == Position("s.yaml", 4, 21)
    assert doc.locate(("forces", "units", 1, "base")) == Position("s.yaml", 6, 13)
    assert doc.key_position(("forces", "units", 1, "base")) == Position("s.yaml", 6, 7)
    assert doc.key_position(("forces",)) == Position("s.yaml", 2, 1)
    # Missing paths fall back to the longest existing prefix, then to the start.
    assert doc.locate(("forces", "units", 1, "nope", 3)) == doc.locate(("forces", "units", 1))
    assert doc.key_position(("forces", "nope")) == doc.locate(("forces",))
    assert doc.locate(("absent",)) == doc.locate(())
    assert doc.files == ("s.yaml",) and doc.file == "s.yaml"


def test_problem_helper():
    doc = load_document_text("forces:\n  units:\n    - {id: a, typ: x}\n", file="s.yaml")
    p = doc.problem(("forces", "units", 0, "typ"), "unknown key", key=True)
    assert p.format() == "s.yaml:3:15: error: forces.units[0].typ: unknown key"
    w = doc.problem(("forces", "units", 0, "typ"), "odd", severity="warning")
    assert (w.line, w.col, w.severity) == (3, 20, "warning")


# --- safety ------------------------------------------------------------------------------

def test_python_tag_is_rejected_and_never_executed(tmp_path):
    target = tmp_path / "pwned"
    text = f'name: x\nrun: !!python/object/apply:os.system ["touch {target}"]\n'
    assert problems(text) == [(2, 6, "run", f"tag !!python/object/apply:os.system {NOT_ALLOWED}")]
    assert not target.exists()


def test_local_tags_are_rejected_everywhere():
    found = problems("a: !foo x\nb: [!!set {}]\n!bar k: v\n")
    assert found == [
        (1, 4, "a", f"tag !foo {NOT_ALLOWED}"),
        (2, 5, "b[0]", f"tag !!set {NOT_ALLOWED}"),
        (3, 1, "", f"tag !bar {NOT_ALLOWED}"),
    ]


def test_keys_must_be_strings():
    assert problems("1: x\ntrue: y\n~: z\n'2': ok\n") == [
        (1, 1, "", "key 1 must be a string (quote it)"),
        (2, 1, "", "key true must be a string (quote it)"),
        (3, 1, "", "key ~ must be a string (quote it)"),
    ]
    assert problems("a:\n  ? [x]\n  : y\n") == [(2, 5, "a", "keys must be strings, found a list")]


def test_all_duplicate_keys_are_reported_at_the_second_occurrence():
    text = "name: a\nforces: {}\nseed: 1\nseed: 2\nforces:\n  x: 1\n  x: 2\n"
    assert problems(text) == [
        (4, 1, "seed", 'duplicate key "seed" (first defined at line 3)'),
        (5, 1, "forces", 'duplicate key "forces" (first defined at line 2)'),
    ]
    assert problems("a:\n  x: 1\n  x: 2\n  x: 3\n") == [
        (3, 3, "a.x", 'duplicate key "x" (first defined at line 2)'),
        (4, 3, "a.x", 'duplicate key "x" (first defined at line 2)'),
    ]


@pytest.mark.parametrize("depth", [65, 5000, 100_000])
@pytest.mark.parametrize("style", ["flow_seq", "flow_map", "block_seq"])
def test_deep_nesting_is_rejected_quickly(depth, style):
    text = {
        "flow_seq": "a: " + "[" * depth + "]" * depth,
        "flow_map": "a: " + "{b: " * depth + "}" * depth,
        "block_seq": "a:\n  " + "- " * depth + "x\n",
    }[style]
    start = time.perf_counter()
    found = problems(text)
    assert time.perf_counter() - start < 5
    assert [m for _, _, _, m in found] == ["nesting deeper than 64 levels"]


def test_deep_block_mapping_is_rejected():
    text = "".join(" " * i + "k:\n" for i in range(2000))  # 2 MB
    assert problems(text) == [(65, 65, "", "nesting deeper than 64 levels")]


def test_64_levels_are_fine():
    doc = load_document_text("a: " + "[" * 63 + "]" * 63)  # the top mapping is level 1
    value = doc.data["a"]
    for _ in range(62):
        value = value[0]
    assert value == []


def test_nesting_through_aliases_is_bounded():
    text = "a: &x " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*x" + "]" * 30 + "\n"
    assert [m for *_, m in problems(text)] == ["nesting deeper than 64 levels"]


def test_billion_laughs_is_rejected_fast():
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, 10):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]")
    start = time.perf_counter()
    found = problems("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5  # generous; it takes milliseconds
    assert found == [(7, 35, "", "document expands to more than 200,000 nodes through aliases (alias bomb?)")]


def test_small_aliases_and_merge_keys_work():
    text = (
        "base: &b {speed_kmh: 45, crew: 4, caps: [response]}\n"
        "other: *b\n"
        "merged:\n  <<: *b\n  crew: 6\n"
        "multi:\n  <<: [{a: 1, b: 1}, {a: 2, c: 2}]\n"
        "quoted: {'<<': literal}\n"
    )
    doc = load_document_text(text)
    assert doc.data["other"] == {"speed_kmh": 45, "crew": 4, "caps": ["response"]}
    assert doc.data["merged"] == {"crew": 6, "speed_kmh": 45, "caps": ["response"]}
    assert doc.data["multi"] == {"a": 1, "b": 1, "c": 2}
    assert doc.data["quoted"] == {"<<": "literal"}
    # Aliased values are copies: changing one does not change the other.
    doc.data["other"]["caps"].append("x")
    assert doc.data["base"]["caps"] == ["response"]
    # The alias is located where *b is written; its insides where the anchor is.
    assert doc.locate(("other",)) == Position("<string>", 2, 8)
    assert doc.locate(("other", "crew")) == Position("<string>", 1, 32)
    assert doc.locate(("merged", "speed_kmh")) == Position("<string>", 1, 22)
    assert doc.locate(("merged", "crew")) == Position("<string>", 5, 9)


def test_bad_merge_and_recursive_alias():
    assert problems("a:\n  <<: 3\n") == [
        (2, 7, "a", "the merge key << expects a mapping or a list of mappings, found a number")
    ]
    assert problems("a: &x [1, *x]\n") == [
        (1, 11, "", "alias *x is used inside the node it names (recursive structures are not allowed)")
    ]
    assert problems("a: *nope\n") == [(1, 4, "", "invalid YAML: found undefined alias *nope")]


def test_aliased_bad_value_is_reported_once():
    assert problems("a: &x {k: !foo 1}\nb: *x\nc: *x\n") == [(1, 11, "a.k", f"tag !foo {NOT_ALLOWED}")]


def test_many_values_without_aliases(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_NODES", 1000)  # the real limit is 200,000; keep the test fast
    assert problems("a: [" + ",".join(["1"] * 1001) + "]\n") == [
        (1, 5 + 2 * 999, "", "document has more than 1,000 values")
    ]


def test_pyyaml_safe_loader_is_left_alone():
    load_document_text("a: 13:00\n")
    assert yaml.safe_load("a: 13:00") == {"a": 780}


_PIECES = list("ab1:-[]{},&*!?'\"#|>%@ \n\t") + ["<<", "!!python/object:x", "---", "&a", "*a", "\x00", "é", "0x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_any_text_gives_a_document_or_problems(text):
    try:
        doc = load_document_text(text)
    except ScenarioError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert isinstance(doc.data, dict)


# --- bad files ---------------------------------------------------------------------------

def test_missing_file_and_directory(tmp_path):
    (p,) = file_problems(tmp_path / "nope.yaml")
    assert (p.file, p.line, p.message) == (str(tmp_path / "nope.yaml"), None, "file not found")
    (p,) = file_problems(tmp_path)
    assert p.message == "is a directory, expected a YAML file"


def test_non_utf8(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes("name: a\nplace: Kantor KPU é\xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    (p,) = file_problems(path)
    assert (p.line, p.col, p.message) == (2, 20, "not valid UTF-8 (byte 0xff at line 2, col 20)")
    assert p.format().startswith(f"{path}:2:20: error: ")


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: Jember\n")
    assert load_document(path).data == {"name": "Jember"}


def test_too_large(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (10 * 1024 * 1024))
    (p,) = file_problems(path)
    assert p.message == "file is larger than 10 MiB (10.0 MiB)"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", [(None, None, "", EMPTY)]),
        ("# only a comment\n\n", [(None, None, "", EMPTY)]),
        ("---\n", [(None, None, "", EMPTY)]),
        ("just words\n", [(1, 1, "", "expected a mapping at the top level, found a string")]),
        ("- a\n- b\n", [(1, 1, "", "expected a mapping at the top level, found a list")]),
        ("42\n", [(1, 1, "", "expected a mapping at the top level, found a number")]),
        ("a: 1\n---\nb: 2\n", [(2, 1, "", "expected one YAML document, found more")]),
        ("a: 1\n b: 2\n", [(2, 3, "", "invalid YAML: mapping values are not allowed here")]),
        ("a:\n\t- 1\n", [(2, 1, "", "invalid YAML: tab character (YAML allows only spaces for indentation): "
                                   "replace the tab with spaces")]),
        ("a: \x01\n", [(1, 4, "", "invalid YAML: unacceptable character #x0001 (control characters are not allowed)")]),
    ],
)
def test_malformed_documents(text, expected):
    assert problems(text) == expected


def test_unclosed_flow_reports_context():
    ((line, col, _, message),) = problems("a: [1,\n")
    assert message.startswith("invalid YAML: expected the node content")
    assert (line, col) == (2, 1)


# --- extends -----------------------------------------------------------------------------

BASE = """\
version: 1
name: base
map:
  travel: {road_factor: 1.3}
  sites: {file: tps.csv}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 45}
incidents: [{kind: a}, {kind: b}]
"""


def test_extends_deep_merges_and_keeps_positions(tmp_path):
    (tmp_path / "common").mkdir()
    write(tmp_path / "common" / "base.yaml", BASE)
    top = write(
        tmp_path / "plan.yaml",
        "extends: common/base.yaml\nname: plan\nforces:\n  types:\n    sabhara: {crew: 6}\n"
        "incidents: [{kind: c}]\n",
    )
    doc = load_document(top)
    base_file = str(tmp_path / "common" / "base.yaml")
    assert doc.data == {
        "version": 1,
        "name": "plan",
        "map": {"travel": {"road_factor": 1.3}, "sites": {"file": "tps.csv"}},
        "forces": {"types": {"sabhara": {"crew": 6, "speed_kmh": 45}}},
        "incidents": [{"kind": "c"}],
    }
    assert doc.files == (str(top), base_file)
    assert doc.locate(("name",)) == Position(str(top), 2, 7)
    assert doc.locate(("version",)) == Position(base_file, 1, 10)
    assert doc.locate(("forces", "types", "sabhara", "speed_kmh")) == Position(base_file, 8, 35)
    assert doc.locate(("forces", "types", "sabhara", "crew")) == Position(str(top), 5, 21)
    assert doc.locate(("incidents", 0, "kind")) == Position(str(top), 6, 20)
    assert doc.locate(("incidents", 1)) == Position(str(top), 6, 12)  # list replaced, b gone
    assert doc.key_position(("map",)) == Position(base_file, 3, 1)
    assert doc.locate(("extends",)) == doc.locate(())
    # A file named in the base is found next to the base.
    assert resolve_relative(doc, ("map", "sites", "file"), "tps.csv") == tmp_path / "common" / "tps.csv"
    assert resolve_relative(doc, ("name",), "x.csv") == tmp_path / "x.csv"


def test_extends_chain(tmp_path):
    write(tmp_path / "a.yaml", "name: a\nseed: 1\nx: {p: 1}\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\nseed: 2\nx: {q: 2}\n")
    top = write(tmp_path / "c.yaml", "extends: b.yaml\nx: {r: 3}\n")
    doc = load_document(top)
    assert doc.data == {"name": "a", "seed": 2, "x": {"p": 1, "q": 2, "r": 3}}
    assert len(doc.files) == 3


def test_extends_errors_in_base_point_into_base(tmp_path):
    write(tmp_path / "base.yaml", "name: a\nname: b\n")
    top = write(tmp_path / "top.yaml", "extends: base.yaml\n")
    (p,) = file_problems(top)
    assert (p.file, p.line, p.col) == (str(tmp_path / "base.yaml"), 2, 1)


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, "extends cycle: a.yaml -> b.yaml -> a.yaml"),
        ({"a.yaml": "extends: ./a.yaml\n"}, "extends cycle: a.yaml -> a.yaml"),
    ],
)
def test_extends_cycle(tmp_path, files, message):
    for name, text in files.items():
        write(tmp_path / name, text)
    problems_ = file_problems(tmp_path / "a.yaml")
    assert [p.message for p in problems_] == [message]
    assert problems_[0].path == "extends" and problems_[0].col == 10


def test_extends_missing_or_not_a_string(tmp_path):
    top = write(tmp_path / "top.yaml", "name: x\nextends: base.yaml\n")
    (p,) = file_problems(top)
    assert (p.file, p.line, p.col, p.path) == (str(top), 2, 10, "extends")
    assert p.message == f"file not found: base.yaml (looked in {tmp_path})"
    assert p.format() == f"{top}:2:10: error: extends: file not found: base.yaml (looked in {tmp_path})"
    (tmp_path / "dir.yaml").mkdir()
    write(top, "extends: dir.yaml\n")
    assert [p.message for p in file_problems(top)] == ["dir.yaml is a directory, expected a YAML file"]
    for value, kind in [("null", "null"), ("[a.yaml]", "a list"), ("3", "a number")]:
        write(top, f"extends: {value}\n")
        assert [p.message for p in file_problems(top)] == [f"extends must be a file path (a string), found {kind}"]


def test_extends_from_text_uses_base_dir(tmp_path):
    write(tmp_path / "base.yaml", "name: base\nseed: 1\n")
    doc = load_document_text("extends: base.yaml\nseed: 2\n", base_dir=tmp_path)
    assert doc.data == {"name": "base", "seed": 2}
    assert doc.files == ("<string>", str(tmp_path / "base.yaml"))


def test_document_is_a_document():
    assert isinstance(load_document_text("a: 1\n"), Document)


def test_relative_top_file_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "base.yaml", "map: {sites: {file: tps.csv}}\n")
    write(tmp_path / "s.yaml", "extends: base.yaml\nname: x\n")
    doc = load_document("s.yaml")
    assert doc.files == ("s.yaml", "base.yaml")
    assert doc.locate(("map", "sites", "file")).file == "base.yaml"
    assert resolve_relative(doc, ("map", "sites", "file"), "tps.csv") == Path("tps.csv")
