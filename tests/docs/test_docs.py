"""Docs that cannot drift: the CLI reference, the scenario-format reference and the JSON Schema.

* docs/cli.md is exactly what tools/gen_cli_docs.py renders from ``--help`` now;
* every command is in docs/cli.md, and in the README's "Commands" section once it has one;
* every complete scenario in docs/scenario-format.md (a ```yaml block whose first line is
  ``version: 1``) validates, without warnings, and every other ```yaml block is readable YAML;
  blocks preceded by ``<!-- file: NAME -->`` are written to NAME first, so examples can use a
  sites file, a travel matrix or ``extends``;
* every key of every schema model is mentioned in docs/scenario-format.md;
* ``sispam-sim schema`` accepts every example scenario (and every documented example).
"""

from __future__ import annotations

import importlib.util
import json
import re
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"
FORMAT_MD = ROOT / "docs" / "scenario-format.md"
README = ROOT / "README.md"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "plans").glob("*.yaml"))


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
COMMANDS = GEN.commands()


# ---------------------------------------------------------------- docs/cli.md and README


def test_cli_md_is_generated_from_help():
    current = CLI_MD.read_text(encoding="utf-8") if CLI_MD.exists() else ""
    assert current == GEN.render(), "docs/cli.md is out of date: run python tools/gen_cli_docs.py"


def test_commands_are_discovered():
    assert {"run", "schema", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_cli_md(command):
    assert f"\n## sispam-sim {command}\n" in CLI_MD.read_text(encoding="utf-8"), (
        f"`{command}` is not in docs/cli.md: run python tools/gen_cli_docs.py")


def _readme_commands_section() -> str | None:
    """The text of the README section whose heading starts with "Commands", or None."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"(#+)\s+commands\b", line, re.I)
        if match:
            level = len(match.group(1))
            end = next((j for j in range(i + 1, len(lines))
                        if re.match(rf"#{{1,{level}}}\s", lines[j])), len(lines))
            return "\n".join(lines[i + 1:end])
    return None


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_readme(command):
    section = _readme_commands_section()
    if section is None:
        pytest.skip('README.md has no "Commands" section yet')
    assert re.search(rf"sispam-sim {command}\b|`{command}`", section), (
        f'`{command}` is not listed in the "Commands" section of README.md')


# ---------------------------------------------------------------- docs/scenario-format.md


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # 1-based line of the opening fence
    file: str | None  # from a preceding <!-- file: NAME --> marker

    @property
    def complete(self) -> bool:
        return self.lang == "yaml" and self.text.split("\n", 1)[0].strip() == "version: 1"


def code_blocks(path: Path) -> list[Block]:
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"\s*```(\w*)\s*$", lines[i])
        if not opening:
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = re.fullmatch(r"\s*<!-- file: (\S+) -->\s*", previous)
        text = "\n".join(line[indent:] for line in lines[i + 1:end])
        blocks.append(Block(opening.group(1), text, i + 1, marker.group(1) if marker else None))
        i = end + 1
    return blocks


BLOCKS = code_blocks(FORMAT_MD)
COMPLETE = [b for b in BLOCKS if b.complete]
FRAGMENTS = [b for b in BLOCKS if b.lang == "yaml" and not b.complete]


def _block_id(block: Block) -> str:
    return f"line-{block.line}" + (f"-{block.file}" if block.file else "")


def _write_examples(tmp_path: Path, block: Block) -> Path:
    """Write every file-marked block to ``tmp_path``, then ``block``; return the path of ``block``."""
    for other in BLOCKS:
        if other.file:
            (tmp_path / other.file).write_text(other.text + "\n", encoding="utf-8")
    path = tmp_path / (block.file or f"example-line-{block.line}.yaml")
    path.write_text(block.text + "\n", encoding="utf-8")
    return path


def test_scenario_format_has_complete_examples():
    assert len(COMPLETE) >= 2, "docs/scenario-format.md should show complete scenarios (```yaml, version: 1)"


@pytest.mark.parametrize("block", COMPLETE, ids=_block_id)
def test_complete_example_validates(block, tmp_path):
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    path = _write_examples(tmp_path, block)
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        problems = "\n".join(p.format() for p in err.problems)
        pytest.fail(f"the example at docs/scenario-format.md:{block.line} does not validate:\n{problems}")
    warnings = "\n".join(p.format() for p in scenario.warnings)
    assert not warnings, f"the example at docs/scenario-format.md:{block.line} has warnings:\n{warnings}"


@pytest.mark.parametrize("block", FRAGMENTS, ids=_block_id)
def test_fragment_is_readable_yaml(block):
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.yamlio import load_document_text

    try:
        load_document_text(block.text, file=f"docs/scenario-format.md:{block.line}")
    except ScenarioError as err:
        problems = "\n".join(p.format() for p in err.problems)
        pytest.fail(f"the fragment at docs/scenario-format.md:{block.line} is not readable YAML:\n{problems}")


#: Variants of documented examples whose messages the doc quotes in ```text blocks:
#: (file written by a <!-- file: --> marker, {text in it: replacement}).
MESSAGE_VARIANTS = [
    ("kaliwates.yaml", {"personnel_limit: 200": "personnel_limit: 140"}),
    ("silo.yaml", {'rate: {"07:00": 0.3/h, "13:00": 0/h}': "rate: 5/h"}),
    ("silo.yaml", {'rate: {"07:00": 0.3/h, "13:00": 0/h}': "rate: 6/h"}),
]


def test_quoted_messages_are_what_validate_says(tmp_path, monkeypatch):
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    for block in BLOCKS:
        if block.file:
            (tmp_path / block.file).write_text(block.text + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    said = set()
    for name, replacements in MESSAGE_VARIANTS:
        text = (tmp_path / name).read_text(encoding="utf-8")
        for old, new in replacements.items():
            assert old in text, f"{name} no longer contains {old!r}: update MESSAGE_VARIANTS"
            text = text.replace(old, new)
        variant = Path(f"variant-{len(said)}") / name
        variant.parent.mkdir()
        for block in BLOCKS:
            if block.file and block.file != name:
                (variant.parent / block.file).write_text(block.text + "\n", encoding="utf-8")
        variant.write_text(text, encoding="utf-8")
        try:
            problems = load_scenario(variant).warnings
        except ScenarioError as err:
            problems = err.problems
        said.update(p.format().replace(f"{variant.parent}/", "") for p in problems)
    quoted = [line.strip() for block in BLOCKS if block.lang == "text" for line in block.text.splitlines()
              if re.match(r"\S+:\d+:\d+: (error|warning): ", line.strip())]
    assert quoted, "docs/scenario-format.md quotes no validate message in a ```text block"
    stale = [line for line in quoted if line not in said]
    assert not stale, "docs/scenario-format.md quotes messages validate no longer gives:\n" + "\n".join(stale) + (
        "\nvalidate says:\n" + "\n".join(sorted(said)))


# ---------------------------------------------------------------- links inside the docs


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("path", [FORMAT_MD, CLI_MD], ids=lambda p: p.name)
def test_links_inside_the_docs_resolve(path):
    text = path.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    anchors = {_slug(h) for h in re.findall(r"^#+\s+(.*)$", prose, re.M)}
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if target.startswith(("http://", "https://")):
            continue
        file, _, anchor = target.partition("#")
        if file and not (path.parent / file).exists():
            broken.append(target)
        elif not file and anchor not in anchors:
            broken.append(target)
    assert not broken, f"broken links in {path.name}: {', '.join(broken)}"


# ---------------------------------------------------------------- every key is documented


def _yaml_models(annotation, found: set) -> None:
    """Every pydantic model reachable from ``annotation`` that stands for a YAML mapping."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # A YAML mapping forbids unknown keys; other models (RateProfile) are parsed from text.
        if annotation.model_config.get("extra") == "forbid" and annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _yaml_models(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _yaml_models(arg, found)


def schema_keys() -> dict[str, str]:
    """YAML key -> the model that has it, for every model of the scenario schema."""
    from sispam_sim.scenario.schema import Scenario

    models: set = set()
    _yaml_models(Scenario, models)
    keys = {}
    for model in sorted(models, key=lambda m: m.__name__):
        for name, field in model.model_fields.items():
            keys.setdefault(field.alias or name, model.__name__)
    keys.setdefault("extends", "Scenario (read by the YAML reader)")
    return keys


def documented_keys(text: str) -> set[str]:
    """Keys mentioned in inline code: `key`, `a.key`, `key: value` or `{key: ..., other: ...}`."""
    mentioned = set()
    for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text):
        if re.fullmatch(r"[\w.]+", span):
            mentioned.update(span.split("."))
        mentioned.update(re.findall(r"([A-Za-z_]\w*)\s*:", span))
    return mentioned


def test_schema_walk_finds_the_blocks():
    keys = schema_keys()
    for key in ("version", "road_factor", "per_tps", "per_officer", "below", "pull_guards", "tps_downtime",
                "sd", "mode", "extends"):
        assert key in keys


@pytest.mark.parametrize("key,model", sorted(schema_keys().items()))
def test_every_key_is_documented(key, model):
    assert key in documented_keys(FORMAT_MD.read_text(encoding="utf-8")), (
        f"key `{key}` of {model} is not documented in docs/scenario-format.md "
        "(mention it in inline code, e.g. in a table row `{key}`)")


# ---------------------------------------------------------------- the JSON Schema for editors


@pytest.fixture(scope="module")
def schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    from typer.testing import CliRunner

    from sispam_sim.cli import app as app_module

    app_module._register()
    result = CliRunner().invoke(app_module.app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_errors(validator, data) -> str:
    return "\n".join(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}"
                     for e in validator.iter_errors(data))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_accepts_scenario_as_an_editor_reads_it(path, schema_validator):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "extends" in data:
        # Top-level keys are optional with extends, but a partial block (forces without types)
        # still misses its nested required keys: the merged file is checked below.
        pytest.skip("uses extends: the file alone is partial (the merged file is checked below)")
    errors = _schema_errors(schema_validator, data)
    assert not errors, f"sispam-sim schema rejects {path.name}:\n{errors}"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_accepts_scenario_as_sispam_sim_reads_it(path, schema_validator):
    from sispam_sim.scenario.yamlio import load_document

    errors = _schema_errors(schema_validator, load_document(path).data)  # extends merged
    assert not errors, f"sispam-sim schema rejects {path.name} (merged):\n{errors}"


@pytest.mark.parametrize("block", COMPLETE, ids=_block_id)
def test_schema_accepts_documented_example(block, tmp_path, schema_validator):
    from sispam_sim.scenario.yamlio import load_document

    errors = _schema_errors(schema_validator, load_document(_write_examples(tmp_path, block)).data)
    assert not errors, f"sispam-sim schema rejects the example at docs/scenario-format.md:{block.line}:\n{errors}"
