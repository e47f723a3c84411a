"""The package's layers as a contract: every folder only points down (pyproject.toml,
``[tool.importlinter]``), checked by import-linter on every test run, with no exceptions listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="import-linter needs Python 3.11 or newer")

import tomllib  # noqa: E402  (3.11 too)

ROOT = Path(__file__).resolve().parents[2]


def test_the_contract_lists_no_exceptions():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = config["contracts"]
    assert contract["type"] == "layers" and contract.get("exhaustive") is True
    assert "ignore_imports" not in contract and "unmatched_ignore_imports_alerting" not in contract
    assert contract["layers"][1] == "cli" and contract["layers"][-1] == "errors"


def test_every_folder_only_points_down():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout
