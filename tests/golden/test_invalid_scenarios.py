"""Every file in scenarios/invalid/ fails ``sispam-sim validate`` with the problems it promises.

Each file starts with comment lines; ``# expect: LINE:COL: error: ...`` is a problem line
validate must print for that file (the file name is put in front). An expected line
that starts with another file name (``# expect: other.yaml:3:10: error: ...``) is
located in that file, e.g. an ``extends`` cycle found while reading the base.
The files are validated from their own directory, so paths print as bare names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

INVALID = Path(__file__).resolve().parents[2] / "scenarios" / "invalid"
FILES = sorted(INVALID.glob("*.yaml"))


def expected_lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect: "):
            text = line[len("# expect: "):]
            lines.append(f"{path.name}:{text}" if text[:1].isdigit() else text)
    return lines


def test_there_are_invalid_examples():
    assert 8 <= len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_invalid_scenario(cli, monkeypatch, path):
    expected = expected_lines(path)
    assert expected, f"{path.name} has no '# expect:' line in its leading comments"
    monkeypatch.chdir(INVALID)
    result = cli("validate", path.name)
    assert result.code == 2
    printed = result.out.splitlines()
    missing = [line for line in expected if line not in printed]
    assert not missing, "\n".join(["not printed:", *missing, "printed:", *printed])
    assert "Traceback" not in result.err
